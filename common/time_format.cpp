#include "common/time_format.hpp"

#include "common/civil_time.hpp"

#include <charconv>
#include <cstdio>
#include <stdexcept>

namespace isr {

std::tm to_local_tm(std::int64_t utc_seconds, const TimeZone& zone, std::string& abbrev) {
    const auto info = zone.at(utc_seconds);
    abbrev.assign(info.abbrev);
    const auto local = utc_seconds + info.utc_offset;
    const auto days = civil::floor_div(local, 86400);
    const auto secs = civil::floor_mod(local, 86400);
    const auto date = civil::civil_from_days(days);
    std::tm tm{};
    tm.tm_year = date.year - 1900;
    tm.tm_mon = date.month - 1;
    tm.tm_mday = date.day;
    tm.tm_hour = static_cast<int>(secs / 3600);
    tm.tm_min = static_cast<int>(secs / 60 % 60);
    tm.tm_sec = static_cast<int>(secs % 60);
    tm.tm_wday = civil::weekday_from_days(days);
    tm.tm_yday = static_cast<int>(days - civil::days_from_civil(date.year, 1, 1));
    tm.tm_isdst = info.dst ? 1 : 0;
    tm.tm_gmtoff = info.utc_offset;
    tm.tm_zone = abbrev.c_str();
    return tm;
}

std::string format_time(std::string_view pattern, std::int64_t utc_seconds, const TimeZone& zone) {
    std::string abbrev;
    const auto tm = to_local_tm(utc_seconds, zone, abbrev);
    const std::string fmt(pattern);
    std::string out(fmt.size() * 4 + 64, '\0');
    for (int attempt = 0; attempt < 4; ++attempt) {
        const auto n = std::strftime(out.data(), out.size(), fmt.c_str(), &tm);
        if (n > 0) {
            out.resize(n);
            return out;
        }
        out.resize(out.size() * 4);
    }
    throw std::invalid_argument("time pattern '" + fmt + "' produces an empty name");
}

namespace {
std::string offset_suffix(std::int32_t offset) {
    char buf[16];
    const char sign = offset < 0 ? '-' : '+';
    const auto a = offset < 0 ? -offset : offset;
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign, a / 3600 % 100, a / 60 % 60);
    return buf;
}
} // namespace

std::string iso8601(std::int64_t utc_seconds, const TimeZone& zone) {
    std::string abbrev;
    const auto tm = to_local_tm(utc_seconds, zone, abbrev);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    return buf + offset_suffix(static_cast<std::int32_t>(tm.tm_gmtoff));
}

std::string iso8601(std::chrono::system_clock::time_point t) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    const auto secs = civil::floor_div(ms, 1000);
    const auto& zone = *TimeZone::locate("");
    std::string abbrev;
    const auto tm = to_local_tm(secs, zone, abbrev);
    char buf[48];
    const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%03d", static_cast<int>(civil::floor_mod(ms, 1000)));
    return buf + offset_suffix(static_cast<std::int32_t>(tm.tm_gmtoff));
}

std::string iso8601_now() {
    return iso8601(std::chrono::system_clock::now());
}

double to_seconds(std::chrono::system_clock::time_point t) noexcept {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

std::optional<double> parse_iso8601(std::string_view s) {
    const auto num = [&s](std::size_t at, std::size_t len) -> std::optional<int> {
        if (s.size() < at + len)
            return std::nullopt;
        int v = 0;
        const auto [p, ec] = std::from_chars(s.data() + at, s.data() + at + len, v);
        if (ec != std::errc() || p != s.data() + at + len)
            return std::nullopt;
        return v;
    };
    const auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
               se = num(17, 2);
    if (!y || !mo || !d || !h || !mi || !se || s[4] != '-' || s[7] != '-' ||
        (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':') {
        return std::nullopt;
    }
    if (*mo < 1 || *mo > 12 || *d < 1 || *d > civil::days_in_month(*y, *mo) || *h > 23 ||
        *mi > 59 || *se > 60) {
        return std::nullopt;
    }
    double value = static_cast<double>(civil::days_from_civil(*y, *mo, *d) * 86400 + *h * 3600 +
                                       *mi * 60 + *se);
    std::size_t pos = 19;
    if (pos < s.size() && s[pos] == '.') {
        double scale = 0.1;
        ++pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            value += (s[pos++] - '0') * scale;
            scale /= 10;
        }
    }
    if (pos < s.size() && s[pos] == 'Z' && pos + 1 == s.size())
        return value;
    if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
        const auto oh = num(pos + 1, 2), om = num(pos + 4, 2);
        if (!oh || !om)
            return std::nullopt;
        const int offset = (*oh * 3600 + *om * 60) * (s[pos] == '-' ? -1 : 1);
        return value - offset;
    }
    return std::nullopt;
}

namespace {
constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
} // namespace

std::string http_date(std::int64_t t) {
    const auto days = civil::floor_div(t, 86400);
    const auto secs = civil::floor_mod(t, 86400);
    const auto d = civil::civil_from_days(days);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                  kDays[civil::weekday_from_days(days)], d.day, kMonths[d.month - 1],
                  d.year % 10000, static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                  static_cast<int>(secs % 60));
    return buf;
}

std::optional<std::int64_t> parse_http_date(std::string_view s) {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    if (s.size() != 29 || s.substr(3, 2) != ", " || s.substr(25) != " GMT")
        return std::nullopt;
    int month = 0;
    for (int m = 0; m < 12; ++m) {
        if (s.substr(8, 3) == kMonths[m])
            month = m + 1;
    }
    const auto num = [&s](std::size_t at, std::size_t len) -> std::optional<int> {
        int v = 0;
        const auto [p, ec] = std::from_chars(s.data() + at, s.data() + at + len, v);
        if (ec != std::errc() || p != s.data() + at + len)
            return std::nullopt;
        return v;
    };
    const auto day = num(5, 2), year = num(12, 4), h = num(17, 2), mi = num(20, 2), se = num(23, 2);
    if (!month || !day || !year || !h || !mi || !se)
        return std::nullopt;
    return civil::days_from_civil(*year, month, *day) * 86400 + *h * 3600 + *mi * 60 + *se;
}

} // namespace isr
