#include "webserver/response_writer.hpp"

#include "common/log.hpp"
#include "webserver/chunk_channel.hpp"
#include "webserver/work_pool.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <cerrno>

#include <sys/sendfile.h>
#include <sys/socket.h>

namespace isr::web {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {
constexpr std::size_t kSendfileChunk = 4 * 1024 * 1024;
}

template <class Fn> void ResponseWriter::guard(Fn&& fn) noexcept {
    try {
        fn();
    } catch (const std::exception& e) {
        log::error("web", "a response could not be completed: ", e.what());
        sink_.response_failed();
    } catch (...) {
        log::error("web", "a response could not be completed (unknown error)");
        sink_.response_failed();
    }
}

void ResponseWriter::send(std::string head, Response response, bool head_only) {
    response_ = std::move(response);
    head_ = std::move(head);
    bytes_sent_ = 0;
    const bool has_body = response_.status != 304 && response_.status != 204;
    remaining_ = (head_only || !has_body) ? 0 : response_.content_length();
    const bool file_follows = remaining_ > 0 && std::holds_alternative<FileBody>(response_.body);
    error_code ec;
    const auto sent = sink_.socket().send(net::buffer(head_), file_follows ? MSG_MORE : 0, ec);
    bytes_sent_ += sent;
    if (sent == head_.size())
        return send_body();
    // A full socket buffer (rare: a fresh response on an idle connection): wait for room.
    if (ec && ec != net::error::would_block)
        return sink_.response_failed();
    write_then(net::buffer(head_.data() + sent, head_.size() - sent), [this] { send_body(); });
}

void ResponseWriter::cancel() noexcept {
    if (channel_) {
        channel_->cancel();
        channel_.reset();
    }
}

// Writes `buffer` whole under the write deadline, then runs `next`.
template <class Next> void ResponseWriter::write_then(net::const_buffer buffer, Next next) {
    sink_.arm_writing();
    net::async_write(sink_.socket(), buffer,
                     [this, keep = sink_.keep(), next](error_code ec, std::size_t n) {
                         guard([&] {
                             bytes_sent_ += n;
                             if (ec)
                                 return sink_.response_failed();
                             next();
                         });
                     });
}

void ResponseWriter::send_body() {
    if (remaining_ == 0)
        return done();
    if (auto* text = std::get_if<std::string>(&response_.body)) {
        return write_then(net::buffer(*text), [this] {
            remaining_ = 0;
            done();
        });
    }
    if (std::holds_alternative<FileBody>(response_.body))
        return send_file_prefix();
    channel_ = std::make_shared<ChunkChannel>(4);
    sink_.producers().post([produce = std::get<StreamedBody>(response_.body).produce,
                            channel = channel_] { produce(channel); });
    send_produced();
}

// A live file's patched header, or a cut's new one, goes before the file's bytes.
void ResponseWriter::send_file_prefix() {
    auto& f = std::get<FileBody>(response_.body);
    if (f.prefix.empty())
        return send_file_chunk();
    const auto n = std::min<std::uint64_t>(f.prefix.size(), remaining_);
    write_then(net::buffer(f.prefix.data(), static_cast<std::size_t>(n)), [this, n] {
        remaining_ -= n;
        std::get<FileBody>(response_.body).prefix.clear();
        if (remaining_ == 0)
            return done();
        send_file_chunk();
    });
}

void ResponseWriter::send_file_chunk() {
    auto& f = std::get<FileBody>(response_.body);
    auto& socket = sink_.socket();
    auto offset = static_cast<off_t>(f.offset);
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, kSendfileChunk));
    const auto n = ::sendfile(socket.native_handle(), f.fd.get(), &offset, want);
    if (n > 0) {
        const auto sent = static_cast<std::uint64_t>(n);
        f.offset += sent;
        remaining_ -= sent;
        bytes_sent_ += sent;
        if (remaining_ == 0)
            return done();
        sink_.arm_writing(); // progress: the deadline counts from here
        net::post(socket.get_executor(),
                  [this, keep = sink_.keep()] { guard([&] { send_file_chunk(); }); });
        return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        sink_.arm_writing();
        socket.async_wait(tcp::socket::wait_write, [this, keep = sink_.keep()](error_code ec) {
            guard([&] {
                if (ec)
                    return sink_.response_failed();
                send_file_chunk();
            });
        });
        return;
    }
    // n == 0: the file got shorter than promised (deleted or truncated meanwhile).
    sink_.response_failed();
}

void ResponseWriter::send_produced() {
    sink_.arm_producing();
    auto executor = sink_.socket().get_executor();
    channel_->async_pop(
        [this, keep = sink_.keep()](std::optional<std::string> chunk, bool failed) {
            guard([&] {
                if (!channel_)
                    return; // cancelled meanwhile
                if (!chunk) {
                    // The producer ended early: the promised length cannot be met.
                    if (failed || remaining_ > 0)
                        return sink_.response_failed();
                    return done();
                }
                chunk_ = std::move(*chunk);
                if (chunk_.size() > remaining_)
                    chunk_.resize(static_cast<std::size_t>(remaining_));
                write_then(net::buffer(chunk_), [this] {
                    remaining_ -= chunk_.size();
                    if (remaining_ == 0)
                        return done();
                    send_produced();
                });
            });
        },
        [executor](std::function<void()> fn) { net::post(executor, std::move(fn)); });
}

void ResponseWriter::done() {
    cancel(); // a producer that made more than it promised stops here
    response_ = Response{};
    sink_.response_sent();
}

} // namespace isr::web
