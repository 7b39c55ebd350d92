#include "recorder/control/unix_listener.hpp"

#include "common/log.hpp"
#include "recorder/control/unix_address.hpp"

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::rec {

namespace {

constexpr int kBacklog = 16;

std::system_error os_error(int error, const std::string& what) {
    return {error, std::generic_category(), what};
}

// Makes way for our socket at `path`: nothing there, or a stale socket (removed). Throws when
// the path is taken by something we must not remove.
void clear_path(const std::filesystem::path& path, const sockaddr_un& address) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT)
            return;
        throw os_error(errno, "control socket " + path.string());
    }
    if (!S_ISSOCK(st.st_mode))
        throw std::runtime_error(cat("the control socket path ", path.string(),
                                     " exists and is not a socket; isrd does not replace it: "
                                     "move it away or set control_socket to another path"));
    // Non-blocking: connecting to a live listener whose backlog is full must not hang isrd.
    const UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!probe)
        throw os_error(errno, "socket for " + path.string());
    const auto* sa = reinterpret_cast<const sockaddr*>(&address);
    if (::connect(probe.get(), sa, sizeof(address)) == 0 || errno == EAGAIN)
        throw std::runtime_error(
            cat("another isrd is listening on ", path.string(), "; stop it or set control_socket"));
    if (errno == ENOENT) // removed since the lstat
        return;
    if (errno != ECONNREFUSED)
        throw os_error(errno, "cannot tell whether " + path.string() + " is in use: connect");
    // ECONNREFUSED: a socket file nobody accepts on, left by a process that ended without
    // removing it.
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        throw os_error(errno, "remove stale control socket " + path.string());
    log::warning("", "removed a stale control socket at ", path.string(),
                 " (an isrd that did not stop cleanly left it); listening there anew");
}

} // namespace

UnixListener::UnixListener(std::filesystem::path path) : path_(std::move(path)) {
    const auto address = unix_address(path_);
    clear_path(path_, address);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd)
        throw os_error(errno, "socket for " + path_.string());
    // bind() gives the new file the socket's own mode minus the umask (Linux), so after this
    // fchmod it is never wider than kControlSocketMode, not even for a moment. umask() instead
    // would change the mask of every thread of isrd while source threads create files.
    if (::fchmod(fd.get(), kControlSocketMode) != 0)
        throw os_error(errno, "fchmod control socket " + path_.string());
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0)
        throw os_error(errno, "bind control socket " + path_.string());
    identity_ = FileIdentity::at(path_);
    // A umask such as 027 took the group's bits away: give them back. Nobody can have connected
    // yet: a socket accepts connections only once listen() is called below.
    if (::chmod(path_.c_str(), kControlSocketMode) != 0 || ::listen(fd.get(), kBacklog) != 0) {
        const int error = errno;
        identity_.remove(path_);
        throw os_error(error, "set up control socket " + path_.string());
    }
    fd_ = std::move(fd);
}

void UnixListener::close() noexcept {
    if (!fd_)
        return;
    fd_.reset();
    identity_.remove(path_);
}

} // namespace isr::rec
