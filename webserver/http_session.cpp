#include "webserver/http_session.hpp"

#include "common/clock.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "common/version.hpp"
#include "webserver/chunk_channel.hpp"
#include "webserver/work_pool.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cerrno>
#include <sstream>

#include <sys/socket.h>

#include <sys/sendfile.h>

namespace isr::web {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using beast::error_code;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(30);    // between requests
constexpr auto kRequestTimeout = std::chrono::seconds(10); // from first byte to a whole request
constexpr auto kWriteTimeout = std::chrono::seconds(60);   // without any progress sending
constexpr std::uint32_t kHeaderLimit = 16 * 1024;
constexpr std::uint64_t kBodyLimit = 64 * 1024;
constexpr std::size_t kSendfileChunk = 4 * 1024 * 1024;

Method method_of(http::verb v) {
    switch (v) {
    case http::verb::get: return Method::get;
    case http::verb::head: return Method::head;
    case http::verb::post: return Method::post;
    case http::verb::put: return Method::put;
    case http::verb::delete_: return Method::delete_;
    case http::verb::options: return Method::options;
    default: return Method::other;
    }
}

// The Date header, formatted once per second rather than per response.
std::string date_header() {
    static std::mutex mutex;
    static std::int64_t cached_second = 0;
    static std::string cached;
    const auto now = static_cast<std::int64_t>(wall_now());
    std::lock_guard lock(mutex);
    if (now != cached_second) {
        cached_second = now;
        cached = http_date(now);
    }
    return cached;
}

} // namespace

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(tcp::socket socket, SessionHub& hub)
        : socket_(std::move(socket)), timer_(socket_.get_executor()), hub_(hub) {
        error_code ec;
        const auto peer = socket_.remote_endpoint(ec);
        remote_ = ec ? std::string("?") : peer.address().to_string();
        socket_.set_option(tcp::no_delay(true), ec);
    }
    ~HttpSession() {
        if (channel_) channel_->cancel();
        hub_.remove(this);
    }

    void start() { net::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->wait_for_request(); }); }

    // Called by the hub (any thread) at shutdown.
    void shutdown(bool force) {
        net::post(socket_.get_executor(), [self = shared_from_this(), force] {
            if (force || self->idle_) self->close();
        });
    }

private:
    void arm(std::chrono::steady_clock::duration timeout) {
        timer_.expires_after(timeout);
        timer_.async_wait([weak = weak_from_this()](error_code ec) {
            if (ec == net::error::operation_aborted) return;
            if (auto self = weak.lock()) {
                if (self->timer_.expiry() <= std::chrono::steady_clock::now()) {
                    if (self->idle_ || self->reading_) {
                        log::debug("web", self->remote_, ": closing a connection that sent no (complete) request in time");
                    } else {
                        log::info("web", self->remote_, ": closing a connection that stopped reading its response");
                    }
                    self->close();
                }
            }
        });
    }

    void close() {
        if (closed_) return;
        closed_ = true;
        error_code ec;
        timer_.cancel();
        socket_.shutdown(tcp::socket::shutdown_both, ec);
        socket_.close(ec);
        if (channel_) channel_->cancel();
    }

    // Waits for the first byte of the next request under the idle deadline, so a keep-alive
    // connection costs no parser and a slow-loris one is bounded by the request deadline.
    void wait_for_request() {
        if (closed_) return;
        if (hub_.stopping()) return close();
        idle_ = true;
        if (buffer_.size() > 0) return read_request(); // pipelined bytes already here
        arm(kIdleTimeout);
        socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](error_code ec) {
            if (ec || self->closed_) return self->close();
            self->read_request();
        });
    }

    void read_request() {
        idle_ = false;
        reading_ = true;
        arm(kRequestTimeout);
        parser_.emplace();
        parser_->header_limit(kHeaderLimit);
        parser_->body_limit(kBodyLimit);
        http::async_read(socket_, buffer_, *parser_, [self = shared_from_this()](error_code ec, std::size_t) {
            self->reading_ = false;
            self->on_request(ec);
        });
    }

    void on_request(error_code ec) {
        if (closed_) return;
        if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset) {
            return close();
        }
        started_ = mono_now();
        if (ec) {
            // Malformed or oversized requests get an answer before the connection closes.
            keep_alive_ = false;
            request_ = Request{};
            request_.target = "-";
            const int status = ec == http::error::header_limit ? 431 : ec == http::error::body_limit ? 413 : 400;
            if (ec == net::error::operation_aborted || ec == beast::error::timeout) return close();
            return send(json_error(status, cat("bad request: ", ec.message())));
        }
        auto& msg = parser_->get();
        keep_alive_ = msg.keep_alive();
        request_ = Request{};
        request_.method = method_of(msg.method());
        request_.target = std::string(msg.target());
        request_.remote = remote_;
        for (const auto& field : msg) request_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        if (!parse_target(request_.target, request_.path, request_.query)) {
            return send(json_error(400, "malformed request target (bad percent escape or not an absolute path)"));
        }
        const auto match = hub_.router().match(request_.method, request_.path);
        const auto runs = match.route ? match.route->runs : Runs::inline_io;
        if (runs == Runs::inline_io) return send(hub_.router().handle(request_, match));

        // Blocking work goes to a pool; the response comes back to this connection's strand.
        hub_.pool(runs).post([self = shared_from_this(), match] {
            auto response = std::make_shared<Response>(self->hub_.router().handle(self->request_, match));
            net::post(self->socket_.get_executor(), [self, response] { self->send(std::move(*response)); });
        });
    }

    void send(Response response) {
        if (closed_) return;
        response_ = std::move(response);
        status_ = response_.status;
        if (hub_.stopping()) keep_alive_ = false;
        head_.emplace();
        head_->result(static_cast<unsigned>(response_.status));
        head_->version(parser_ ? parser_->get().version() : 11);
        head_->set(http::field::server, cat("isr/", kVersion));
        head_->set(http::field::date, date_header());
        for (const auto& [k, v] : response_.headers) head_->insert(k, v);
        const bool has_body = response_.status != 304 && response_.status != 204;
        if (has_body) head_->content_length(response_.content_length());
        head_->keep_alive(keep_alive_);
        body_remaining_ = (request_.is_head() || !has_body) ? 0 : response_.content_length();
        if (body_remaining_ == 0) response_.streamed.reset();
        // The head goes out in one non-blocking send, flagged MSG_MORE when a file body follows,
        // so the kernel puts it in the same segment as the body's first bytes. A full socket
        // buffer (rare: a fresh response on an idle connection) falls back to an async write.
        std::ostringstream text;
        text << head_->base();
        head_text_ = text.str();
        error_code ec;
        if (!socket_.native_non_blocking()) socket_.native_non_blocking(true, ec);
        const auto flags = (response_.file && body_remaining_ > 0) ? MSG_MORE : 0;
        const auto sent = ec ? 0 : socket_.send(net::buffer(head_text_), flags, ec);
        bytes_sent_ += sent;
        if (sent == head_text_.size()) return send_body();
        if (ec && ec != net::error::would_block) return close();
        arm(kWriteTimeout);
        net::async_write(socket_, net::buffer(head_text_.data() + sent, head_text_.size() - sent),
                         [self = shared_from_this()](error_code e, std::size_t n) {
                             self->bytes_sent_ += n;
                             if (e) return self->close();
                             self->send_body();
                         });
    }

    void send_body() {
        if (closed_) return;
        if (body_remaining_ == 0) return finish();
        if (response_.file) return send_file_overlay();
        if (response_.streamed) return send_streamed();
        arm(kWriteTimeout);
        net::async_write(socket_, net::buffer(response_.body), [self = shared_from_this()](error_code ec, std::size_t n) {
            self->bytes_sent_ += n;
            if (ec) return self->close();
            self->body_remaining_ = 0;
            self->finish();
        });
    }

    // The patched header of a live file replaces the file's first bytes.
    void send_file_overlay() {
        auto& f = *response_.file;
        if (f.offset < f.overlay.size()) {
            const auto n = std::min<std::uint64_t>(f.overlay.size() - f.offset, body_remaining_);
            arm(kWriteTimeout);
            net::async_write(socket_, net::buffer(f.overlay.data() + f.offset, static_cast<std::size_t>(n)),
                             [self = shared_from_this(), n](error_code ec, std::size_t written) {
                                 self->bytes_sent_ += written;
                                 if (ec) return self->close();
                                 self->response_.file->offset += n;
                                 self->body_remaining_ -= n;
                                 self->send_body();
                             });
            return;
        }
        send_file_chunk();
    }

    // sendfile(2) straight from the page cache to the socket; waits for room when the socket
    // is full, and yields to other connections between chunks.
    void send_file_chunk() {
        auto& f = *response_.file;
        if (!socket_.native_non_blocking()) {
            error_code ec;
            socket_.native_non_blocking(true, ec);
        }
        auto offset = static_cast<off_t>(f.offset);
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(body_remaining_, kSendfileChunk));
        const auto n = ::sendfile(socket_.native_handle(), f.fd.get(), &offset, want);
        if (n > 0) {
            const auto sent = static_cast<std::uint64_t>(n);
            f.offset += sent;
            body_remaining_ -= sent;
            bytes_sent_ += sent;
            if (body_remaining_ == 0) return finish();
            net::post(socket_.get_executor(), [self = shared_from_this()] { self->send_file_chunk(); });
            return;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            arm(kWriteTimeout);
            socket_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](error_code ec) {
                if (ec || self->closed_) return self->close();
                self->send_file_chunk();
            });
            return;
        }
        // n == 0: the file got shorter than promised (deleted or truncated meanwhile).
        close();
    }

    void send_streamed() {
        channel_ = response_.streamed->channel;
        auto executor = socket_.get_executor();
        arm(kWriteTimeout);
        channel_->async_pop(
            [self = shared_from_this()](std::optional<std::string> chunk, bool failed) {
                if (self->closed_) return;
                if (!chunk) {
                    // The producer ended early: the promised length cannot be met.
                    if (failed || self->body_remaining_ > 0) return self->close();
                    return self->finish();
                }
                self->chunk_ = std::move(*chunk);
                if (self->chunk_.size() > self->body_remaining_) self->chunk_.resize(static_cast<std::size_t>(self->body_remaining_));
                self->arm(kWriteTimeout);
                net::async_write(self->socket_, net::buffer(self->chunk_), [self](error_code ec, std::size_t n) {
                    self->bytes_sent_ += n;
                    if (ec) return self->close();
                    self->body_remaining_ -= n;
                    if (self->body_remaining_ == 0) {
                        self->channel_->cancel();
                        return self->finish();
                    }
                    self->send_streamed();
                });
            },
            [executor](std::function<void()> fn) { net::post(executor, std::move(fn)); });
    }

    void finish() {
        log::info("web", remote_, ' ', method_name(request_.method), ' ', request_.target.substr(0, 200), ' ', status_,
                  ' ', bytes_sent_, " B ", fixed((mono_now() - started_) * 1000, 1), " ms");
        bytes_sent_ = 0;
        response_ = Response{};
        if (channel_) channel_.reset();
        head_.reset();
        if (!keep_alive_) return close();
        parser_.reset();
        wait_for_request();
    }

    tcp::socket socket_;
    net::steady_timer timer_;
    SessionHub& hub_;
    std::string remote_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    Request request_;
    Response response_;
    std::optional<http::response<http::empty_body>> head_;
    std::string head_text_;
    std::shared_ptr<ChunkChannel> channel_;
    std::string chunk_;
    std::uint64_t body_remaining_ = 0;
    std::uint64_t bytes_sent_ = 0;
    int status_ = 0;
    double started_ = 0;
    bool keep_alive_ = true;
    bool idle_ = false;
    bool reading_ = false;
    bool closed_ = false;
};

void SessionHub::add(const std::shared_ptr<HttpSession>& session) {
    std::lock_guard lock(mutex_);
    sessions_[session.get()] = session;
    last_change_ = std::chrono::steady_clock::now();
}

void SessionHub::remove(HttpSession* session) noexcept {
    std::lock_guard lock(mutex_);
    sessions_.erase(session);
    last_change_ = std::chrono::steady_clock::now();
}

std::size_t SessionHub::active() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

double SessionHub::idle_seconds() const {
    std::lock_guard lock(mutex_);
    if (!sessions_.empty()) return 0;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - last_change_).count();
}

std::vector<std::shared_ptr<HttpSession>> SessionHub::snapshot() const {
    // Locked copies, released outside the lock: the last reference may run a destructor that
    // calls remove().
    std::vector<std::shared_ptr<HttpSession>> out;
    std::lock_guard lock(mutex_);
    for (const auto& [ptr, weak] : sessions_) {
        if (auto s = weak.lock()) out.push_back(std::move(s));
    }
    return out;
}

void SessionHub::begin_shutdown() {
    stopping_ = true;
    for (const auto& s : snapshot()) s->shutdown(false);
}

void SessionHub::close_all() {
    for (const auto& s : snapshot()) s->shutdown(true);
}

void start_http_session(tcp::socket socket, SessionHub& hub) {
    auto session = std::make_shared<HttpSession>(std::move(socket), hub);
    hub.add(session);
    session->start();
}

} // namespace isr::web
