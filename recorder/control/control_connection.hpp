#pragma once

#include "common/file_util.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace isr::rec {

// One client of the control server, used on the server's thread only: reads request lines,
// numbers them, keeps their replies in request order however late each comes, and buffers what
// the socket does not take at once.
class ControlConnection {
public:
    using Clock = std::chrono::steady_clock;

    ControlConnection(UniqueFd fd, std::uint64_t id, Clock::time_point now)
        : fd_(std::move(fd)), id_(id), last_progress_(now) {}

    int fd() const noexcept { return fd_.get(); }
    std::uint64_t id() const noexcept { return id_; }

    enum class Read { more, gone };
    // Reads what the socket holds without blocking, until the buffer holds more than
    // `max_line` bytes. End of input is remembered (input_ended()); `gone` on a socket error.
    Read read(std::size_t max_line);

    enum class Line { none, line, too_long };
    // Takes the next complete line (newline and a trailing CR removed); once input has ended, an
    // unterminated last line too. `too_long` when the next line exceeds `max_line` bytes.
    Line take_line(std::size_t max_line, std::string& line);

    // No more requests are read: the client closed its side, sent a line too long, or the
    // server stops. Buffered unread input is dropped.
    void end_input() noexcept;
    bool input_ended() const noexcept { return input_ended_; }
    // Whether to poll for more input: no end seen, and room for it (fewer than `max_in_flight`
    // requests unanswered, no over-long line buffered).
    bool wants_input(std::size_t max_in_flight, std::size_t max_line) const noexcept {
        return !input_ended_ && !eof_ && in_flight() < max_in_flight && in_.size() <= max_line;
    }

    // Numbers the next request; its reply goes out after those of the requests before it.
    std::uint64_t open_request(Clock::time_point now);
    // The reply line (no newline) to request `seq`.
    void answer(std::uint64_t seq, std::string line);
    // Requests read whose replies have not been queued for sending yet.
    std::size_t in_flight() const noexcept { return next_seq_ - next_out_; }

    enum class Write { ok, gone };
    // Queues the replies now due, in request order, and writes what the socket takes without
    // blocking (never raising SIGPIPE). `gone` when the client has disconnected.
    Write flush(Clock::time_point now);
    std::size_t unsent_bytes() const noexcept { return out_.size(); }

    // Done: input ended and every reply sent.
    bool finished() const noexcept { return input_ended_ && in_flight() == 0 && out_.empty(); }
    // When to give up on an idle client: no complete line and no reply written for `idle`, while
    // it waits for no reply of ours. Nothing while a command is being handled.
    std::optional<Clock::time_point> deadline(Clock::duration idle) const;

private:
    UniqueFd fd_;
    std::uint64_t id_;
    std::string in_;
    bool input_ended_ = false;
    bool eof_ = false;
    std::uint64_t next_seq_ = 0;
    std::uint64_t next_out_ = 0;
    std::map<std::uint64_t, std::string> answered_; // replies waiting for earlier ones
    std::string out_;
    Clock::time_point last_progress_;
};

} // namespace isr::rec
