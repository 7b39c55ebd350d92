#include "recorder/control/control_client.hpp"

#include "common/file_util.hpp"
#include "common/strings.hpp"
#include "recorder/control/protocol.hpp"
#include "recorder/control/unix_address.hpp"

#include <array>
#include <cerrno>
#include <system_error>

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

namespace isr::rec {

namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text(int error) {
    return std::generic_category().message(error);
}

UniqueFd connect_to(const std::filesystem::path& socket, std::chrono::milliseconds timeout) {
    const auto address = unix_address(socket);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd)
        throw std::system_error(errno, std::generic_category(), "socket");
    // A Unix connect() waits while the listener's backlog is full; SO_SNDTIMEO bounds that wait
    // (and the send below).
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
    const timeval tv{static_cast<time_t>(us / 1'000'000), static_cast<suseconds_t>(us % 1'000'000)};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
        const int error = errno;
        throw ControlConnectError(
            cat("cannot connect to ", socket.string(), ": ", errno_text(error)), error);
    }
    return fd;
}

} // namespace

std::string control_request(const std::filesystem::path& socket, std::string_view line,
                            std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    const auto fd = connect_to(socket, timeout);
    const std::string request = std::string(line) + '\n';
    std::size_t sent = 0;
    while (sent < request.size()) {
        const auto n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw std::runtime_error(cat("cannot send the request to isrd at ", socket.string(),
                                         ": ", errno_text(errno)));
        sent += static_cast<std::size_t>(n);
    }
    std::string reply;
    std::array<char, 4096> buffer;
    for (;;) {
        if (const auto end = reply.find('\n'); end != std::string::npos)
            return reply.substr(0, end);
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
            throw std::runtime_error(cat("isrd at ", socket.string(), " did not answer within ",
                                         fixed(static_cast<double>(timeout.count()) / 1000, 0),
                                         " s"));
        pollfd pfd{fd.get(), POLLIN, 0};
        const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno != EINTR)
            throw std::system_error(errno, std::generic_category(), "poll");
        if (ready <= 0)
            continue;
        const auto n = ::recv(fd.get(), buffer.data(), buffer.size(), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw std::runtime_error(cat("isrd at ", socket.string(),
                                         " closed the connection without answering",
                                         n < 0 ? ": " + errno_text(errno) : std::string()));
        reply.append(buffer.data(), static_cast<std::size_t>(n));
        // isrd never sends a line this long; the bound keeps a wrong peer from filling memory.
        if (reply.size() > 16 * kMaxControlLineBytes)
            throw std::runtime_error(cat("the answer from ", socket.string(), " is too long"));
    }
}

} // namespace isr::rec
