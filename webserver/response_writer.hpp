#pragma once

#include "webserver/response.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace isr::web {

class ChunkChannel;
class WorkPool;

// What a ResponseWriter needs from the connection it writes on. Called on the connection's
// strand only.
class ResponseSink {
public:
    virtual boost::asio::ip::tcp::socket& socket() noexcept = 0;
    // Keeps the connection alive across an asynchronous step.
    virtual std::shared_ptr<ResponseSink> keep() = 0;
    // The deadline for the step about to start: the client must take bytes (writing), or our
    // producer must make some (producing).
    virtual void arm_writing() = 0;
    virtual void arm_producing() = 0;
    // Where produced bodies are produced.
    virtual WorkPool& producers() noexcept = 0;
    // The whole response is out.
    virtual void response_sent() = 0;
    // It cannot be completed (the client is gone, the producer failed, an internal error): the
    // connection closes.
    virtual void response_failed() noexcept = 0;

protected:
    ~ResponseSink() = default;
};

// Writes one response: the head in one non-blocking send (MSG_MORE when a file follows, so
// head and first bytes share a segment), then the body by its kind — text, a file (its prefix,
// then sendfile(2) from the page cache in chunks, yielding between them), or the chunks a
// producer makes on the media pool, started only now so HEAD costs nothing. On the
// connection's strand; never throws out of a completion (a failure ends the connection).
class ResponseWriter {
public:
    explicit ResponseWriter(ResponseSink& sink) : sink_(sink) {}
    ~ResponseWriter() { cancel(); }

    // Sends `head` and, unless `head_only`, the body of `response`.
    void send(std::string head, Response response, bool head_only);
    // Stops a producer (the connection is closing, or the body is complete).
    void cancel() noexcept;
    // Bytes of the current response sent so far (for the access log).
    std::uint64_t bytes_sent() const noexcept { return bytes_sent_; }

private:
    template <class Next> void write_then(boost::asio::const_buffer buffer, Next next);
    template <class Fn> void guard(Fn&& fn) noexcept;
    void send_body();
    void send_file_prefix();
    void send_file_chunk();
    void send_produced();
    void done();

    ResponseSink& sink_;
    Response response_;
    std::string head_;
    std::shared_ptr<ChunkChannel> channel_;
    std::string chunk_;
    std::uint64_t remaining_ = 0;
    std::uint64_t bytes_sent_ = 0;
};

} // namespace isr::web
