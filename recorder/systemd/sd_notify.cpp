#include "recorder/systemd/sd_notify.hpp"

#include "common/log.hpp"
#include "common/strings.hpp"

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace isr::rec {

namespace {

std::optional<long long> number_in(const char* text) {
    if (!text || !*text)
        return std::nullopt;
    const std::string_view s(text);
    long long value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || value <= 0)
        return std::nullopt;
    return value;
}

} // namespace

SdNotify SdNotify::from_environment() {
    const char* socket = std::getenv("NOTIFY_SOCKET");
    if (!socket || !*socket)
        return {};
    std::optional<double> watchdog;
    const auto usec = number_in(std::getenv("WATCHDOG_USEC"));
    const auto pid = number_in(std::getenv("WATCHDOG_PID"));
    // WATCHDOG_PID names the process systemd watches; a variable inherited from a parent that
    // systemd watches (isrd started from a script of a notify service) is not meant for us.
    if (usec && (!pid || *pid == static_cast<long long>(::getpid())))
        watchdog = static_cast<double>(*usec) / 1e6;
    SdNotify notify(socket, watchdog);
    // As sd_notify(3)'s unset_environment: the hook commands isrd starts must not talk to
    // systemd in isrd's name. Called before any thread exists (setenv is not thread-safe).
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
    return notify;
}

SdNotify::SdNotify(std::string socket, std::optional<double> watchdog_seconds)
    : socket_(std::move(socket)), watchdog_(watchdog_seconds) {
    // Abstract namespace: '@' stands for the leading NUL, and the name has no terminating NUL
    // (its length is the address length).
    address_ = socket_;
    if (!address_.empty() && address_[0] == '@')
        address_[0] = '\0';
    if (address_.size() < 2 || (address_[0] != '/' && address_[0] != '\0')) {
        log::warning("", "NOTIFY_SOCKET=", printable(socket_, 120),
                     " is neither an absolute path nor an abstract socket (@name); systemd will "
                     "not hear from isrd");
        return;
    }
    if (address_.size() >= sizeof(sockaddr_un::sun_path)) {
        log::warning("", "NOTIFY_SOCKET=", printable(socket_, 120),
                     " is longer than a Unix socket address can be; systemd will not hear from "
                     "isrd");
        return;
    }
    fd_ = UniqueFd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd_) {
        log::warning("", "cannot create a socket for NOTIFY_SOCKET (", std::strerror(errno),
                     "); systemd will not hear from isrd");
    }
}

std::optional<double> SdNotify::watchdog_interval() const noexcept {
    if (!active() || !watchdog_)
        return std::nullopt;
    return *watchdog_ / 2;
}

bool SdNotify::send(std::string_view message) noexcept {
    if (!active())
        return true;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, address_.data(), address_.size());
    // A path's address includes its NUL; an abstract name's is exactly its bytes.
    const auto length =
        offsetof(sockaddr_un, sun_path) + address_.size() + (address_[0] == '\0' ? 0 : 1);
    ssize_t sent = -1;
    do {
        sent = ::sendto(fd_.get(), message.data(), message.size(), MSG_NOSIGNAL,
                        reinterpret_cast<const sockaddr*>(&addr), static_cast<socklen_t>(length));
    } while (sent < 0 && errno == EINTR);
    if (sent == static_cast<ssize_t>(message.size())) {
        last_errno_ = 0;
        return true;
    }
    const int err = sent < 0 ? errno : EMSGSIZE;
    if (err != last_errno_) {
        last_errno_ = err;
        log::warning("", "cannot notify systemd through ", printable(socket_, 120), ": ",
                     std::strerror(err), " (\"", printable(message.substr(0, 40), 40),
                     "\"); will keep trying");
    }
    return false;
}

} // namespace isr::rec
