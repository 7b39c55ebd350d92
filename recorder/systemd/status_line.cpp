#include "recorder/systemd/status_line.hpp"

#include "common/strings.hpp"

#include <array>

namespace isr::rec {

namespace {
// The order of the counts: the good news first.
constexpr std::array kOrder = {RunState::recording, RunState::starting, RunState::connecting,
                               RunState::retrying,  RunState::paused,   RunState::failed,
                               RunState::stopped};
// A line, not a report: each error is cut, and the details end after a few sources.
constexpr std::size_t kErrorBytes = 80;
constexpr std::size_t kDetailBytes = 240;
} // namespace

std::string status_line(const Status& status) {
    std::string line;
    for (const auto state : kOrder) {
        std::size_t n = 0;
        for (const auto& s : status.sources)
            n += s.state == state ? 1 : 0;
        if (n > 0)
            line += cat(line.empty() ? "" : ", ", n, " ", to_string(state));
    }
    if (line.empty())
        return "no sources";
    std::string details;
    bool cut = false;
    // Errors hold commas: they are set apart by semicolons, bare names by commas.
    const auto add = [&](const std::string& part, const char* separator) {
        if (cut)
            return;
        if (details.size() >= kDetailBytes) {
            details += cat(separator, "\u2026");
            cut = true;
            return;
        }
        details += cat(details.empty() ? "" : separator, part);
    };
    for (const auto& s : status.sources) {
        if (s.state != RunState::recording)
            add(s.error ? cat(s.name, " ", printable(*s.error, kErrorBytes)) : s.name, "; ");
    }
    if (details.empty()) {
        for (const auto& s : status.sources)
            add(s.name, ", ");
    }
    return cat(line, ": ", details);
}

} // namespace isr::rec
