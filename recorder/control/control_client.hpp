#pragma once

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace isr::rec {

// No isrd accepted the connection: the socket is missing, stale or not ours to use.
class ControlConnectError : public std::runtime_error {
public:
    ControlConnectError(std::string what, int error)
        : std::runtime_error(std::move(what)), error_(error) {}
    int error() const noexcept { return error_; } // the errno of connect()

private:
    int error_;
};

// One request to isrd's control socket at `socket`: sends `line` and a newline, and returns the
// reply line without its newline. Blocks the calling thread for at most about `timeout`.
// Throws ControlConnectError when it cannot connect; std::runtime_error with a sentence when
// isrd closes the connection without a reply or does not answer in time.
std::string control_request(const std::filesystem::path& socket, std::string_view line,
                            std::chrono::milliseconds timeout);

} // namespace isr::rec
