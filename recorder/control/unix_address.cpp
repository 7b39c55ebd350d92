#include "recorder/control/unix_address.hpp"

#include "common/strings.hpp"

#include <cstring>
#include <stdexcept>

#include <sys/socket.h>

namespace isr::rec {

sockaddr_un unix_address(const std::filesystem::path& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const auto& name = path.native();
    if (name.empty())
        throw std::runtime_error("the control socket path is empty");
    // The kernel needs room for the terminating NUL; a longer name would be cut silently.
    if (name.size() >= sizeof(address.sun_path))
        throw std::runtime_error(cat("the control socket path ", name, " is ", name.size(),
                                     " bytes long, but a Unix socket path has at most ",
                                     sizeof(address.sun_path) - 1,
                                     "; choose a shorter one (control_socket or --socket)"));
    std::memcpy(address.sun_path, name.data(), name.size());
    return address;
}

} // namespace isr::rec
