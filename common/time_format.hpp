#pragma once

#include "common/time_zone.hpp"

#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace isr {

// Broken-down local time in `zone`, with tm_gmtoff/tm_zone filled so %z and %Z work.
// `abbrev` must outlive the returned tm (tm_zone points into it).
std::tm to_local_tm(std::int64_t utc_seconds, const TimeZone& zone, std::string& abbrev);

// strftime in `zone`. Throws std::invalid_argument when the result would be empty.
std::string format_time(std::string_view pattern, std::int64_t utc_seconds, const TimeZone& zone);

// "2026-11-21T14:03:05+01:00" (seconds) in `zone`.
std::string iso8601(std::int64_t utc_seconds, const TimeZone& zone);
// Same with milliseconds, in the process's local zone.
std::string iso8601_now();
std::string iso8601(std::chrono::system_clock::time_point t);

// Parses "YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)" to UTC seconds (fraction kept). nullopt if not.
std::optional<double> parse_iso8601(std::string_view text);

// RFC 9110 IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(std::int64_t utc_seconds);
// Parses IMF-fixdate (the only form modern clients send). nullopt otherwise.
std::optional<std::int64_t> parse_http_date(std::string_view text);

// Seconds since the epoch, as a double, for a system_clock time point.
double to_seconds(std::chrono::system_clock::time_point t) noexcept;

} // namespace isr
