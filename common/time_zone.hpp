#pragma once

#include "common/posix_tz_rule.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace isr {

// A time zone read from the system's TZif database (RFC 8536). GCC 12's libstdc++ has no
// std::chrono::tzdb, and glibc's localtime reads the process-global TZ, which cannot give two
// sources two zones at once; this is a small, thread-safe, immutable replacement.
class TimeZone {
public:
    struct Info {
        std::int32_t utc_offset; // seconds east of UTC
        bool dst;
        std::string_view abbrev; // valid while the zone lives
    };

    // "" or "localtime": the process's zone (TZ, else /etc/localtime, else UTC). "UTC" and
    // IANA names ("Europe/Berlin") are looked up under $TZDIR or /usr/share/zoneinfo. Zones
    // are cached and shared. Throws std::runtime_error naming the zone when it is unknown.
    static std::shared_ptr<const TimeZone> locate(std::string_view name);
    static std::shared_ptr<const TimeZone> utc();

    // Parses TZif bytes. Throws std::runtime_error.
    static std::shared_ptr<const TimeZone> from_tzif(std::string name, std::string_view data);
    // Builds a zone from a POSIX TZ string only (e.g. "CET-1CEST,M3.5.0,M10.5.0/3").
    static std::shared_ptr<const TimeZone> from_posix(std::string name, std::string_view spec);

    const std::string& name() const noexcept { return name_; }
    Info at(std::int64_t utc_seconds) const noexcept;
    // The first instant strictly after `utc_seconds` where the UTC offset changes.
    std::optional<std::int64_t> next_transition(std::int64_t utc_seconds) const noexcept;

private:
    struct LocalType {
        std::int32_t utc_offset;
        bool dst;
        std::string abbrev;
    };

    TimeZone() = default;

    std::string name_;
    std::vector<std::int64_t> transitions_;
    std::vector<std::uint8_t> transition_types_;
    std::vector<LocalType> types_;
    std::optional<PosixTzRule> footer_;
};

} // namespace isr
