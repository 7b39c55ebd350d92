#pragma once

#include "common/levels/loudness.hpp"
#include "webserver/request.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace isr::web {

struct App;

// A number parameter within [lo, hi], `fallback` when absent. Throws HttpError 400 naming the
// parameter and its range.
double number_param(const Request& request, std::string_view name, double fallback, double lo,
                    double hi);

// The longest time a parameter may name: no recording is longer than a year.
inline constexpr double kMaxTimeSeconds = 366.0 * 24 * 3600;

// A time given as seconds ("65.5"), "m:ss" ("1:05.5") or "h:mm:ss" ("0:01:05"), from 0 to
// kMaxTimeSeconds. nullopt if malformed or out of range.
std::optional<double> parse_time(std::string_view text);
// A required time parameter. Throws HttpError 400.
double time_param(const Request& request, std::string_view name);

// margin, min_gap and min_duration from the query, the server's defaults otherwise.
SectionParams section_params(const Request& request, const App& app);

// A required parameter. Throws HttpError 400.
std::string required_param(const Request& request, std::string_view name);

// A calendar date "YYYY-MM-DD" (a real day, year 1970 to 9999); nullopt otherwise.
std::optional<std::string> parse_date(std::string_view text);
// The `date` parameter: nullopt when absent. Throws HttpError 400 when malformed.
std::optional<std::string> date_param(const Request& request);

// "65.5" -> "1:05.5", for names and messages.
std::string format_time(double seconds);

} // namespace isr::web
