#include "recorder/control/control_connection.hpp"

#include <array>
#include <cerrno>

#include <sys/socket.h>

namespace isr::rec {

ControlConnection::Read ControlConnection::read(std::size_t max_line) {
    std::array<char, 16 * 1024> buffer;
    while (!input_ended_ && in_.size() <= max_line) {
        const auto n = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
        if (n > 0) {
            in_.append(buffer.data(), static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0) {
            // The client may have only shut down its sending side: answer what it asked.
            eof_ = true;
            return Read::more;
        }
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? Read::more : Read::gone;
    }
    return Read::more;
}

ControlConnection::Line ControlConnection::take_line(std::size_t max_line, std::string& line) {
    if (input_ended_)
        return Line::none;
    auto end = in_.find('\n');
    if (end == std::string::npos) {
        if (in_.size() > max_line)
            return Line::too_long;
        if (!eof_ || in_.empty()) {
            if (eof_)
                input_ended_ = true;
            return Line::none;
        }
        end = in_.size();
    }
    if (end > max_line)
        return Line::too_long;
    line.assign(in_, 0, end);
    in_.erase(0, end + 1);
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return Line::line;
}

void ControlConnection::end_input() noexcept {
    input_ended_ = true;
    in_.clear();
    in_.shrink_to_fit();
}

std::uint64_t ControlConnection::open_request(Clock::time_point now) {
    last_progress_ = now;
    return next_seq_++;
}

void ControlConnection::answer(std::uint64_t seq, std::string line) {
    if (seq >= next_out_ && seq < next_seq_)
        answered_.emplace(seq, std::move(line));
}

ControlConnection::Write ControlConnection::flush(Clock::time_point now) {
    for (auto it = answered_.begin(); it != answered_.end() && it->first == next_out_;) {
        out_ += it->second;
        out_ += '\n';
        ++next_out_;
        it = answered_.erase(it);
    }
    std::size_t sent = 0;
    while (sent < out_.size()) {
        const auto n =
            ::send(fd_.get(), out_.data() + sent, out_.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) {
            sent += static_cast<std::size_t>(n);
            last_progress_ = now;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            break;
        return Write::gone; // EPIPE, ECONNRESET: the client left before its reply
    }
    out_.erase(0, sent);
    return Write::ok;
}

std::optional<ControlConnection::Clock::time_point>
ControlConnection::deadline(Clock::duration idle) const {
    if (in_flight() > 0)
        return std::nullopt;
    return last_progress_ + idle;
}

} // namespace isr::rec
