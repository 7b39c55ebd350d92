#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace isr {

// A POSIX TZ rule such as "CET-1CEST,M3.5.0,M10.5.0/3" or "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0".
// TZif files (RFC 8536) end with one; it gives the offsets after their last listed transition.
class PosixTzRule {
public:
    struct Offset {
        std::int32_t utc_offset; // seconds east of UTC
        bool dst;
        std::string_view abbrev; // valid while the rule lives
    };

    // Returns nullopt when `spec` is not a valid POSIX TZ string.
    static std::optional<PosixTzRule> parse(std::string_view spec);

    Offset at(std::int64_t utc_seconds) const noexcept;
    // The first instant strictly after `utc_seconds` at which the offset changes.
    std::optional<std::int64_t> next_transition(std::int64_t utc_seconds) const noexcept;

private:
    struct DateRule {
        enum class Kind { julian_no_leap, zero_based, month_week_day } kind{};
        int day = 0;
        int week = 0;
        int month = 0;
        std::int32_t time = 7200; // seconds after local midnight; may be negative or past 24 h
    };

    std::int64_t transition(int year, const DateRule& rule,
                            std::int32_t offset_before) const noexcept;
    bool dst_all_year() const noexcept;

    std::string std_abbrev_;
    std::string dst_abbrev_;
    std::int32_t std_offset_ = 0;
    std::int32_t dst_offset_ = 0;
    bool has_dst_ = false;
    DateRule start_;
    DateRule end_;
};

} // namespace isr
