#include "webserver/archive/name_time.hpp"

#include "common/civil_time.hpp"

#include <cctype>
#include <cmath>
#include <vector>

namespace isr::web {

namespace {

struct Run {
    std::string_view digits;
};

int value(std::string_view s) {
    int v = 0;
    for (const char c : s)
        v = v * 10 + (c - '0');
    return v;
}

struct Found {
    int y, mo, d, h, mi, s;
};

bool valid(const Found& f) {
    return f.y >= 1970 && f.y <= 2999 && f.mo >= 1 && f.mo <= 12 && f.d >= 1 &&
           f.d <= civil::days_in_month(f.y, f.mo) && f.h <= 23 && f.mi <= 59 && f.s <= 60;
}

// Tries to read a date and time from runs[i…]. Returns how many runs it used, or 0.
std::size_t read_at(const std::vector<Run>& runs, std::size_t i, Found& f) {
    const auto len = [&](std::size_t k) { return k < runs.size() ? runs[k].digits.size() : 0; };
    const auto time_from = [&](std::size_t k, Found& out) -> std::size_t {
        // "HHMMSS" or "HHMM", possibly after digits of a source name between date and time
        // ("{source}/%Y/%m/%d/{source}_%H%M%S" with a source called "radio1").
        for (std::size_t j = k; j < k + 3 && j < runs.size(); ++j) {
            if (len(j) == 6 || len(j) == 4) {
                const auto t = runs[j].digits;
                out.h = value(t.substr(0, 2));
                out.mi = value(t.substr(2, 2));
                out.s = t.size() == 6 ? value(t.substr(4, 2)) : 0;
                return j - k + 1;
            }
        }
        if (len(k) == 2 && len(k + 1) == 2) {
            out.h = value(runs[k].digits);
            out.mi = value(runs[k + 1].digits);
            out.s = len(k + 2) == 2 ? value(runs[k + 2].digits) : 0;
            return len(k + 2) == 2 ? 3 : 2;
        }
        return 0;
    };
    if (len(i) == 14) { // YYYYMMDDHHMMSS
        const auto t = runs[i].digits;
        f = {value(t.substr(0, 4)), value(t.substr(4, 2)),  value(t.substr(6, 2)),
             value(t.substr(8, 2)), value(t.substr(10, 2)), value(t.substr(12, 2))};
        return valid(f) ? 1 : 0;
    }
    if (len(i) == 8) { // YYYYMMDD then a time
        const auto t = runs[i].digits;
        f = {value(t.substr(0, 4)), value(t.substr(4, 2)), value(t.substr(6, 2)), 0, 0, 0};
        const auto used = time_from(i + 1, f);
        return used && valid(f) ? 1 + used : 0;
    }
    if (len(i) == 4 && len(i + 1) == 2 && len(i + 2) == 2) { // YYYY MM DD, then a time
        f = {value(runs[i].digits), value(runs[i + 1].digits), value(runs[i + 2].digits), 0, 0, 0};
        const auto used = time_from(i + 3, f);
        return used && valid(f) ? 3 + used : 0;
    }
    return 0;
}

} // namespace

std::int64_t local_to_utc(std::int64_t local, const TimeZone& zone, std::optional<double> hint) {
    std::vector<std::int64_t> candidates;
    // Offsets never exceed a day, so the ones in force a day either side are all candidates.
    for (const auto probe : {local - 86400, local, local + 86400}) {
        const auto offset = zone.at(probe).utc_offset;
        const auto utc = local - offset;
        if (zone.at(utc).utc_offset == offset) {
            bool seen = false;
            for (const auto c : candidates)
                seen = seen || c == utc;
            if (!seen)
                candidates.push_back(utc);
        }
    }
    if (candidates.empty())
        return local - zone.at(local - 86400).utc_offset; // in a DST gap
    std::int64_t best = candidates.front();
    for (const auto c : candidates) {
        if (hint ? std::abs(static_cast<double>(c) - *hint) <
                       std::abs(static_cast<double>(best) - *hint)
                 : c < best) {
            best = c;
        }
    }
    return best;
}

std::optional<std::int64_t> start_time_from_name(std::string_view relative, const TimeZone& zone,
                                                 std::optional<double> hint) {
    // Drop the extension and any collision suffix ("_1") before looking for digits.
    if (const auto dot = relative.rfind('.');
        dot != std::string_view::npos && relative.find('/', dot) == std::string_view::npos) {
        relative = relative.substr(0, dot);
    }
    std::vector<Run> runs;
    for (std::size_t i = 0; i < relative.size();) {
        if (!std::isdigit(static_cast<unsigned char>(relative[i]))) {
            ++i;
            continue;
        }
        const auto start = i;
        while (i < relative.size() && std::isdigit(static_cast<unsigned char>(relative[i])))
            ++i;
        runs.push_back({relative.substr(start, i - start)});
    }
    // The most specific date and time is the one nearest the end of the name.
    for (std::size_t i = runs.size(); i-- > 0;) {
        Found f{};
        if (read_at(runs, i, f)) {
            const auto local =
                civil::days_from_civil(f.y, f.mo, f.d) * 86400 + f.h * 3600 + f.mi * 60 + f.s;
            return local_to_utc(local, zone, hint);
        }
    }
    return std::nullopt;
}

} // namespace isr::web
