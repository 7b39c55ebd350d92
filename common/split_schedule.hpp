#pragma once

#include "common/time_zone.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace isr {

// How often files are split: a whole number of seconds from 1 s to 1 day.
struct SplitInterval {
    std::int64_t seconds = 3600;

    // Accepts "10s", "15m", "1h", "1d" (a bare number means minutes, like split_minutes).
    // Returns nullopt for anything else or out of range.
    static std::optional<SplitInterval> parse(std::string_view text);
    std::string to_string() const; // the shortest exact form: "90s", "15m", "1h", "1d"

    static constexpr std::int64_t kMaxSeconds = 86400;
};

// Split boundaries on a zone's wall clock. Boundaries sit at local midnight plus multiples of
// the interval (60 min -> every hour on the hour; 15 s -> :00, :15, :30, :45; 1 d -> midnight;
// an interval that does not divide a day restarts at each midnight). A UTC offset change is a
// boundary too when the local clock crosses or lands on an aligned time because of it, so no
// file ever spans more real time than the interval, and the repeated hour in autumn gets its
// own files.
class SplitSchedule {
public:
    SplitSchedule(SplitInterval interval, std::shared_ptr<const TimeZone> zone);

    // The first boundary strictly after `utc_seconds`.
    std::int64_t next_boundary(std::int64_t utc_seconds) const noexcept;

    const SplitInterval& interval() const noexcept { return interval_; }
    const TimeZone& zone() const noexcept { return *zone_; }
    const std::shared_ptr<const TimeZone>& zone_ptr() const noexcept { return zone_; }

private:
    bool aligned(std::int64_t local) const noexcept;
    std::int64_t slot(std::int64_t local) const noexcept;
    std::int64_t next_aligned(std::int64_t local) const noexcept;

    SplitInterval interval_;
    std::shared_ptr<const TimeZone> zone_;
};

} // namespace isr
