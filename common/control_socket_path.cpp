#include "common/control_socket_path.hpp"

#include "common/strings.hpp"

#include <cstdlib>

namespace isr {

std::optional<std::string> socket_path_problem(std::string_view path) {
    if (path.empty())
        return "is empty";
    if (path.back() == '/')
        return "must name the socket file, not a folder (it ends with '/')";
    if (path.size() > kMaxSocketPathBytes) {
        return cat("is ", path.size(), " bytes long; a Unix socket path holds at most ",
                   kMaxSocketPathBytes,
                   " bytes (sun_path), so isrd could not listen on it; "
                   "choose a shorter path");
    }
    return std::nullopt;
}

std::filesystem::path control_socket_path(const GeneralConfig& general,
                                          std::string_view xdg_runtime_dir) {
    if (!general.control_socket.empty())
        return general.control_socket;
    if (!xdg_runtime_dir.empty() && xdg_runtime_dir.front() == '/')
        return std::filesystem::path(xdg_runtime_dir) / "isrd.sock";
    // Hidden: isr-web lists the recordings folder and has no use for a socket in it.
    return general.output_directory / ".isrd.sock";
}

std::filesystem::path control_socket_path(const GeneralConfig& general) {
    const char* xdg = std::getenv("XDG_RUNTIME_DIR");
    return control_socket_path(general, xdg ? xdg : "");
}

} // namespace isr
