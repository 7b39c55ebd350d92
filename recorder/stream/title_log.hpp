#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace isr::rec {

// Decides which stream title changes reach the log: a change is logged at once, but at most one
// line per interval; changes in between are counted, and the latest one is logged when the
// interval is over, with how many were left out. A station that changes its title with every
// metadata block (every byte at icy-metaint 1) then costs a line per interval, not gigabytes a
// day, and the log still ends on the title that is playing. status.json always has the latest.
class TitleLog {
public:
    explicit TitleLog(double interval_seconds = 10.0) : interval_(interval_seconds) {}

    // A new title at monotonic time `now`: the line to log now, if any.
    std::optional<std::string> changed(const std::string& title, double now);
    // Called about once a second: the held-back latest title, once the interval is over.
    std::optional<std::string> tick(double now);
    // The connection ends: the held-back latest title, whatever the time.
    std::optional<std::string> flush(double now);

    std::uint64_t suppressed_total() const noexcept { return suppressed_total_; }

private:
    std::string line(const std::string& title, double now);

    double interval_;
    std::optional<double> last_logged_;
    std::optional<std::string> pending_; // the latest title not logged yet
    std::uint64_t suppressed_ = 0;       // changes not logged since the last line
    std::uint64_t suppressed_total_ = 0;
};

} // namespace isr::rec
