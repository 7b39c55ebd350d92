#pragma once

#include "common/time_zone.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace isr::web {

// The start time a recording's name encodes, for the patterns people use with isrd
// ("%Y%m%d_%H%M%S", "radio_%Y-%m-%d_%H%M", "%Y/%m/%d/rec_%H%M%S", "{source}_%Y%m%dT%H%M%S"…):
// the last date-and-time found in the relative path, read in `zone`. When the local time is
// ambiguous (the repeated autumn hour), the reading closest to `hint` (mtime − duration) wins.
// nullopt when the name holds no recognisable date and time.
std::optional<std::int64_t> start_time_from_name(std::string_view relative, const TimeZone& zone,
                                                 std::optional<double> hint = std::nullopt);

// UTC seconds for a local wall-clock time in `zone` (local seconds since 1970 as if UTC), the
// candidate closest to `hint` when the time occurs twice, the time after the gap when it never
// occurs.
std::int64_t local_to_utc(std::int64_t local, const TimeZone& zone, std::optional<double> hint);

} // namespace isr::web
