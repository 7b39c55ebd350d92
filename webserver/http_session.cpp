#include "webserver/http_session.hpp"

#include "common/clock.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "common/version.hpp"
#include "webserver/metrics/server_metrics.hpp"
#include "webserver/request_parser.hpp"
#include "webserver/response_writer.hpp"
#include "webserver/work_pool.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <sstream>

namespace isr::web {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using beast::error_code;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(30);    // between requests
constexpr auto kWriteTimeout = std::chrono::seconds(60);   // the client reads nothing
constexpr auto kProduceTimeout = std::chrono::seconds(60); // our producer yields nothing
// Unparsed bytes a connection may hold: a whole request head plus pipelined requests behind it.
// Beast's buffer would otherwise grow for as long as a client sends a chunk extension or a
// trailer that never ends.
constexpr std::size_t kReadBufferLimit = 2 * kRequestHeaderLimit;

// What a connection is doing, so its one timer can say what it guards when it fires.
enum class Phase { idle, reading, handling, writing, producing };

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

class HttpSession final : public ResponseSink, public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(tcp::socket socket, SessionHub& hub)
        : socket_(std::move(socket)), timer_(socket_.get_executor()), hub_(hub),
          buffer_(kReadBufferLimit), writer_(*this) {
        error_code ec;
        const auto peer = socket_.remote_endpoint(ec);
        remote_ = ec ? std::string("?") : peer.address().to_string();
        socket_.set_option(tcp::no_delay(true), ec);
        socket_.native_non_blocking(true, ec);
    }
    ~HttpSession() { hub_.remove(this); }

    void start() {
        net::dispatch(socket_.get_executor(), [self = shared_from_this()] {
            self->guard([&] { self->wait_for_request(); });
        });
    }

    // Called by the hub (any thread) at shutdown.
    void shutdown(bool force) {
        net::post(socket_.get_executor(), [self = shared_from_this(), force] {
            if (force || self->phase_ == Phase::idle)
                self->close();
        });
    }

    // ResponseSink: how the writer reaches this connection.
    tcp::socket& socket() noexcept override { return socket_; }
    std::shared_ptr<ResponseSink> keep() override { return shared_from_this(); }
    void arm_writing() override { arm(Phase::writing); }
    void arm_producing() override { arm(Phase::producing); }
    WorkPool& producers() noexcept override { return hub_.pool(Runs::media_pool); }
    void response_sent() override { finish(); }
    void response_failed() noexcept override { close(); }

private:
    // Every completion runs through here: whatever a request makes throw (a bad_alloc, a bug),
    // it ends this connection with one log line, never the process.
    template <class Fn> void guard(Fn&& fn) noexcept {
        try {
            fn();
        } catch (const std::exception& e) {
            log::error("web", remote_, ": connection closed after an internal error: ", e.what());
            close();
        } catch (...) {
            log::error("web", remote_, ": connection closed after an unknown internal error");
            close();
        }
    }

    // One timer per connection, re-armed for each phase; when it fires it names the phase.
    void arm(Phase phase) {
        phase_ = phase;
        std::chrono::steady_clock::duration timeout{};
        switch (phase) {
        case Phase::idle:
            timeout = kIdleTimeout;
            break;
        case Phase::reading:
            timeout = hub_.request_timeout();
            break;
        case Phase::writing:
            timeout = kWriteTimeout;
            break;
        case Phase::producing:
            timeout = kProduceTimeout;
            break;
        case Phase::handling:
            timer_.cancel();
            return; // the handler bounds its own work
        }
        timer_.expires_after(timeout);
        timer_.async_wait([weak = weak_from_this(), phase](error_code ec) {
            if (ec == net::error::operation_aborted)
                return;
            const auto self = weak.lock();
            if (!self || self->closed_ || self->phase_ != phase ||
                self->timer_.expiry() > std::chrono::steady_clock::now()) {
                return;
            }
            self->timed_out();
        });
    }

    void timed_out() {
        switch (phase_) {
        case Phase::idle:
            log::debug("web", remote_, ": closing an idle keep-alive connection");
            break;
        case Phase::reading:
            log::info("web", remote_,
                      ": closing a connection that sent no complete request within ",
                      fixed(static_cast<double>(hub_.request_timeout().count()) / 1000, 1), " s");
            break;
        case Phase::writing:
            log::info("web", remote_,
                      ": closing a connection that read nothing of its response for ",
                      kWriteTimeout.count(), " s");
            break;
        case Phase::producing:
            log::warning("web", remote_, ": ", method_name(request().method), ' ',
                         request().target.substr(0, 200), ": the server produced nothing for ",
                         kProduceTimeout.count(), " s; closing the connection");
            break;
        case Phase::handling:
            return;
        }
        close();
    }

    void close() noexcept {
        if (closed_)
            return;
        closed_ = true;
        observe(); // a response cut short still counts, with the time it ran
        error_code ec;
        timer_.cancel();
        socket_.shutdown(tcp::socket::shutdown_both, ec);
        socket_.close(ec);
        writer_.cancel();
    }

    const Request& request() const noexcept {
        static const Request none;
        return parser_ ? parser_->request() : none;
    }

    // Waits for the first byte of the next request under the idle deadline, so a keep-alive
    // connection costs no parser and a slow-loris one is bounded by the request deadline.
    void wait_for_request() {
        if (closed_)
            return;
        if (hub_.stopping())
            return close();
        parser_.reset();
        if (buffer_.size() > 0)
            return read_request(); // pipelined bytes already here
        arm(Phase::idle);
        socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](error_code ec) {
            self->guard([&] {
                if (ec || self->closed_)
                    return self->close();
                self->read_request();
            });
        });
    }

    void read_request() {
        arm(Phase::reading);
        parser_.emplace();
        http::async_read(socket_, buffer_, *parser_,
                         [self = shared_from_this()](error_code ec, std::size_t) {
                             self->guard([&] { self->on_request(ec); });
                         });
    }

    void on_request(error_code ec) {
        if (closed_)
            return;
        if (ec == http::error::end_of_stream || ec == net::error::eof ||
            ec == net::error::connection_reset || ec == net::error::operation_aborted ||
            ec == beast::error::timeout) {
            return close();
        }
        started_ = mono_now();
        route_ = "unmatched";
        auto& req = parser_->request();
        req.remote = remote_;
        if (ec) {
            // Malformed or oversized requests get an answer, then the connection closes: what
            // follows in the stream cannot be trusted to start a request.
            keep_alive_ = false;
            if (req.target.empty())
                req.target = "-";
            return send(json_error(parser_->error_status(ec), parser_->error_message(ec)));
        }
        keep_alive_ = req.keep_alive;
        if (!parse_target(req.target, req.path, req.query)) {
            return send(json_error(
                400, "malformed request target (bad percent escape or not an absolute path)"));
        }
        const auto match = hub_.router().match(req.method, req.path);
        if (match.route)
            route_ = match.route->pattern;
        const auto runs = match.route ? match.route->runs : Runs::inline_io;
        if (runs == Runs::inline_io)
            return send(hub_.router().handle(req, match));

        // Blocking work goes to a pool; the response comes back to this connection's strand.
        arm(Phase::handling);
        hub_.pool(runs).post([self = shared_from_this(), match] {
            auto response = std::make_shared<Response>(
                self->hub_.router().handle(self->parser_->request(), match));
            net::post(self->socket_.get_executor(),
                      [self, response] { self->guard([&] { self->send(std::move(*response)); }); });
        });
    }

    void send(Response response) {
        if (closed_)
            return;
        status_ = response.status;
        pending_observation_ = true;
        if (hub_.stopping())
            keep_alive_ = false;
        http::response<http::empty_body> head;
        head.result(static_cast<unsigned>(response.status));
        head.version(request().version == 10 ? 10 : 11);
        head.set(http::field::server, cat("isr/", kVersion));
        head.set(http::field::date, date_header());
        for (const auto& [k, v] : response.headers)
            head.insert(k, v);
        if (response.status != 304 && response.status != 204)
            head.content_length(response.content_length());
        head.keep_alive(keep_alive_);
        std::ostringstream text;
        text << head.base();
        writer_.send(text.str(), std::move(response), request().is_head());
    }

    // The request just answered, into /metrics' counters (once).
    void observe() noexcept {
        if (!pending_observation_)
            return;
        pending_observation_ = false;
        try {
            hub_.metrics().observe(route_, status_, mono_now() - started_);
        } catch (...) {
            // A counter that cannot grow its map is not worth the connection.
        }
    }

    void finish() {
        observe();
        const auto& req = request();
        log::info("web", remote_, ' ', method_name(req.method), ' ', req.target.substr(0, 200), ' ',
                  status_, ' ', writer_.bytes_sent(), " B ",
                  fixed((mono_now() - started_) * 1000, 1), " ms");
        if (!keep_alive_)
            return close();
        wait_for_request();
    }

    tcp::socket socket_;
    net::steady_timer timer_;
    SessionHub& hub_;
    std::string remote_;
    beast::flat_buffer buffer_;
    std::optional<RequestParser> parser_;
    ResponseWriter writer_;
    int status_ = 0;
    double started_ = 0;
    // The route table's pattern for the request (never its raw path): /metrics' route label.
    std::string_view route_ = "unmatched";
    bool pending_observation_ = false;
    Phase phase_ = Phase::idle;
    bool keep_alive_ = true;
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
    if (!sessions_.empty())
        return 0;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - last_change_).count();
}

std::vector<std::shared_ptr<HttpSession>> SessionHub::snapshot() const {
    // Locked copies, released outside the lock: the last reference may run a destructor that
    // calls remove().
    std::vector<std::shared_ptr<HttpSession>> out;
    std::lock_guard lock(mutex_);
    for (const auto& [ptr, weak] : sessions_) {
        if (auto s = weak.lock())
            out.push_back(std::move(s));
    }
    return out;
}

void SessionHub::begin_shutdown() {
    stopping_ = true;
    for (const auto& s : snapshot())
        s->shutdown(false);
}

void SessionHub::close_all() {
    for (const auto& s : snapshot())
        s->shutdown(true);
}

void start_http_session(tcp::socket socket, SessionHub& hub) {
    auto session = std::make_shared<HttpSession>(std::move(socket), hub);
    hub.add(session);
    session->start();
}

} // namespace isr::web
