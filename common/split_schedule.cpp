#include "common/split_schedule.hpp"

#include "common/civil_time.hpp"
#include "common/strings.hpp"

#include <cctype>
#include <charconv>

namespace isr {

using civil::floor_div;
using civil::floor_mod;

std::optional<SplitInterval> SplitInterval::parse(std::string_view text) {
    text = trim(text);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data())
        return std::nullopt;
    const auto unit = to_lower(trim(std::string_view(end, text.data() + text.size() - end)));
    std::int64_t scale = 0;
    if (unit.empty() || unit == "m" || unit == "min")
        scale = 60;
    else if (unit == "s" || unit == "sec")
        scale = 1;
    else if (unit == "h")
        scale = 3600;
    else if (unit == "d")
        scale = 86400;
    else
        return std::nullopt;
    if (value <= 0 || value > kMaxSeconds / scale)
        return std::nullopt;
    return SplitInterval{value * scale};
}

std::string SplitInterval::to_string() const {
    if (seconds % 86400 == 0)
        return cat(seconds / 86400, 'd');
    if (seconds % 3600 == 0)
        return cat(seconds / 3600, 'h');
    if (seconds % 60 == 0)
        return cat(seconds / 60, 'm');
    return cat(seconds, 's');
}

SplitSchedule::SplitSchedule(SplitInterval interval, std::shared_ptr<const TimeZone> zone)
    : interval_(interval), zone_(std::move(zone)) {}

bool SplitSchedule::aligned(std::int64_t local) const noexcept {
    return floor_mod(local, 86400) % interval_.seconds == 0;
}

std::int64_t SplitSchedule::slot(std::int64_t local) const noexcept {
    const auto day = floor_div(local, 86400);
    const auto per_day = (86400 + interval_.seconds - 1) / interval_.seconds;
    return day * per_day + floor_mod(local, 86400) / interval_.seconds;
}

std::int64_t SplitSchedule::next_aligned(std::int64_t local) const noexcept {
    const auto day = floor_div(local, 86400);
    const auto next = (floor_mod(local, 86400) / interval_.seconds + 1) * interval_.seconds;
    return day * 86400 + (next >= 86400 ? 86400 : next);
}

std::int64_t SplitSchedule::next_boundary(std::int64_t t) const noexcept {
    // Walk the offset-constant stretches of the zone; within one, boundaries are the aligned
    // local times. The loop runs more than once only across an offset change.
    for (;;) {
        const auto offset = zone_->at(t).utc_offset;
        const auto change = zone_->next_transition(t);
        const auto candidate = next_aligned(t + offset) - offset;
        if (!change || candidate < *change)
            return candidate;

        const auto after = zone_->at(*change).utc_offset;
        const auto before_local = *change + offset; // where the old clock would be
        const auto after_local = *change + after;
        if (aligned(before_local) || aligned(after_local) ||
            slot(before_local - 1) != slot(after_local)) {
            return *change;
        }
        t = *change;
    }
}

} // namespace isr
