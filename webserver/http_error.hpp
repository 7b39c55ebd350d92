#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace isr::web {

// Thrown by handlers; the router turns it into {"error": message} with this status.
class HttpError : public std::runtime_error {
public:
    HttpError(int status, const std::string& message,
              std::vector<std::pair<std::string, std::string>> headers = {})
        : std::runtime_error(message), status_(status), headers_(std::move(headers)) {}

    int status() const noexcept { return status_; }
    const std::vector<std::pair<std::string, std::string>>& headers() const noexcept {
        return headers_;
    }

private:
    int status_;
    std::vector<std::pair<std::string, std::string>> headers_;
};

// "no such recording: NAME", without echoing names that are not even well-formed (attack
// strings stay out of responses and logs of client-side tools).
std::string no_such_recording(std::string_view name);

} // namespace isr::web
