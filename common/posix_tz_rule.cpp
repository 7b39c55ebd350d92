#include "common/posix_tz_rule.hpp"

#include "common/civil_time.hpp"

#include <cctype>

namespace isr {

namespace {

// Cursor over the spec with the small grammar pieces of POSIX TZ strings.
struct Cursor {
    std::string_view s;
    std::size_t pos = 0;

    bool done() const { return pos >= s.size(); }
    char peek() const { return done() ? '\0' : s[pos]; }
    bool eat(char c) {
        if (peek() != c)
            return false;
        ++pos;
        return true;
    }

    std::optional<std::string> name() {
        if (eat('<')) {
            const auto end = s.find('>', pos);
            if (end == std::string_view::npos || end == pos)
                return std::nullopt;
            std::string out(s.substr(pos, end - pos));
            pos = end + 1;
            return out;
        }
        const auto start = pos;
        while (!done() && std::isalpha(static_cast<unsigned char>(peek())))
            ++pos;
        if (pos - start < 3)
            return std::nullopt;
        return std::string(s.substr(start, pos - start));
    }

    std::optional<int> number(int max_digits) {
        int value = 0;
        int digits = 0;
        while (!done() && std::isdigit(static_cast<unsigned char>(peek())) && digits < max_digits) {
            value = value * 10 + (s[pos++] - '0');
            ++digits;
        }
        if (digits == 0)
            return std::nullopt;
        return value;
    }

    // [+|-]hh[:mm[:ss]] in seconds; hours up to 167 (RFC 8536 extension for rule times).
    std::optional<std::int32_t> hms() {
        int sign = 1;
        if (eat('-'))
            sign = -1;
        else
            eat('+');
        const auto h = number(3);
        if (!h || *h > 167)
            return std::nullopt;
        std::int32_t total = *h * 3600;
        if (eat(':')) {
            const auto m = number(2);
            if (!m || *m > 59)
                return std::nullopt;
            total += *m * 60;
            if (eat(':')) {
                const auto sec = number(2);
                if (!sec || *sec > 59)
                    return std::nullopt;
                total += *sec;
            }
        }
        return sign * total;
    }
};

} // namespace

std::optional<PosixTzRule> PosixTzRule::parse(std::string_view spec) {
    PosixTzRule rule;
    Cursor c{spec};
    auto std_name = c.name();
    if (!std_name)
        return std::nullopt;
    rule.std_abbrev_ = std::move(*std_name);
    const auto std_off = c.hms();
    if (!std_off)
        return std::nullopt;
    rule.std_offset_ = -*std_off; // POSIX counts west of Greenwich as positive
    if (c.done())
        return rule;

    auto dst_name = c.name();
    if (!dst_name)
        return std::nullopt;
    rule.dst_abbrev_ = std::move(*dst_name);
    rule.has_dst_ = true;
    rule.dst_offset_ = rule.std_offset_ + 3600;
    if (!c.done() && c.peek() != ',') {
        const auto dst_off = c.hms();
        if (!dst_off)
            return std::nullopt;
        rule.dst_offset_ = -*dst_off;
    }

    const auto date_rule = [&c](DateRule& out) {
        if (c.eat('M')) {
            out.kind = DateRule::Kind::month_week_day;
            const auto m = c.number(2);
            if (!m || *m < 1 || *m > 12 || !c.eat('.'))
                return false;
            const auto w = c.number(1);
            if (!w || *w < 1 || *w > 5 || !c.eat('.'))
                return false;
            const auto d = c.number(1);
            if (!d || *d > 6)
                return false;
            out.month = *m;
            out.week = *w;
            out.day = *d;
        } else if (c.eat('J')) {
            out.kind = DateRule::Kind::julian_no_leap;
            const auto n = c.number(3);
            if (!n || *n < 1 || *n > 365)
                return false;
            out.day = *n;
        } else {
            out.kind = DateRule::Kind::zero_based;
            const auto n = c.number(3);
            if (!n || *n > 365)
                return false;
            out.day = *n;
        }
        if (c.eat('/')) {
            const auto t = c.hms();
            if (!t)
                return false;
            out.time = *t;
        }
        return true;
    };

    if (c.done()) {
        // No rule given: POSIX leaves it implementation-defined; glibc uses the US rules.
        rule.start_ = {DateRule::Kind::month_week_day, 0, 2, 3, 7200};
        rule.end_ = {DateRule::Kind::month_week_day, 0, 1, 11, 7200};
        return rule;
    }
    if (!c.eat(',') || !date_rule(rule.start_) || !c.eat(',') || !date_rule(rule.end_) ||
        !c.done()) {
        return std::nullopt;
    }
    return rule;
}

std::int64_t PosixTzRule::transition(int year, const DateRule& rule,
                                     std::int32_t offset_before) const noexcept {
    std::int64_t day = 0;
    switch (rule.kind) {
    case DateRule::Kind::julian_no_leap:
        day = civil::days_from_civil(year, 1, 1) + rule.day - 1 +
              (civil::is_leap(year) && rule.day >= 60 ? 1 : 0);
        break;
    case DateRule::Kind::zero_based:
        day = civil::days_from_civil(year, 1, 1) + rule.day;
        break;
    case DateRule::Kind::month_week_day: {
        const auto first = civil::days_from_civil(year, rule.month, 1);
        const int first_wd = civil::weekday_from_days(first);
        int dom = 1 + (rule.day - first_wd + 7) % 7 + (rule.week - 1) * 7;
        while (dom > civil::days_in_month(year, rule.month))
            dom -= 7;
        day = first + dom - 1;
        break;
    }
    }
    return day * 86400 + rule.time - offset_before;
}

bool PosixTzRule::dst_all_year() const noexcept {
    // RFC 8536 3.3.1: "EST5EDT,0/0,J365/25" means daylight time all year.
    return start_.kind == DateRule::Kind::zero_based && start_.day == 0 && start_.time == 0 &&
           end_.kind == DateRule::Kind::julian_no_leap && end_.day == 365 &&
           end_.time == 25 * 3600 + (dst_offset_ - std_offset_);
}

PosixTzRule::Offset PosixTzRule::at(std::int64_t utc_seconds) const noexcept {
    const Offset standard{std_offset_, false, std_abbrev_};
    if (!has_dst_)
        return standard;
    const Offset daylight{dst_offset_, true, dst_abbrev_};
    if (dst_all_year())
        return daylight;
    const int year = civil::civil_from_days(civil::floor_div(utc_seconds, 86400)).year;
    const auto start = transition(year, start_, std_offset_);
    const auto end = transition(year, end_, dst_offset_);
    const bool in_dst = start < end ? (utc_seconds >= start && utc_seconds < end)
                                    : (utc_seconds < end || utc_seconds >= start);
    return in_dst ? daylight : standard;
}

std::optional<std::int64_t> PosixTzRule::next_transition(std::int64_t utc_seconds) const noexcept {
    if (!has_dst_ || dst_all_year())
        return std::nullopt;
    const int year = civil::civil_from_days(civil::floor_div(utc_seconds, 86400)).year;
    std::optional<std::int64_t> best;
    for (int y = year - 1; y <= year + 1; ++y) {
        for (const auto t :
             {transition(y, start_, std_offset_), transition(y, end_, dst_offset_)}) {
            if (t > utc_seconds && (!best || t < *best))
                best = t;
        }
    }
    return best;
}

} // namespace isr
