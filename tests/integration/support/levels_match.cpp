#include "tests/integration/support/levels_match.hpp"

#include "common/levels/levels.hpp"
#include "common/levels/loudness.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace isr::test {

namespace {

// Sections that lie inside [from, to) seconds.
std::vector<Section> sections_within(const std::vector<float>& db, double from, double to) {
    const auto all = find_sections(db, noise_floor(db, kWindowSeconds), kWindowSeconds, {});
    std::vector<Section> inside;
    std::copy_if(all.begin(), all.end(), std::back_inserter(inside),
                 [&](const Section& s) { return s.start >= from && s.end <= to; });
    return inside;
}

} // namespace

std::string levels_mismatch(const std::vector<float>& recorded, const std::vector<float>& decoded,
                            std::size_t edge_windows, double tolerance_db) {
    std::ostringstream out;
    const auto a = recorded.size();
    const auto b = decoded.size();
    if (std::max(a, b) - std::min(a, b) > 1)
        out << "window counts differ: recorded " << a << ", decoded " << b << "; ";
    const auto n = std::min(a, b);
    if (n <= 2 * edge_windows)
        return out.str() + "too few windows to compare";
    std::size_t worst = edge_windows;
    double worst_diff = 0;
    for (std::size_t i = edge_windows; i < n - edge_windows; ++i) {
        const double d = std::abs(double(recorded[i]) - double(decoded[i]));
        if (d > worst_diff) {
            worst_diff = d;
            worst = i;
        }
    }
    if (worst_diff > tolerance_db)
        out << "window " << worst << " differs by " << worst_diff << " dB (recorded "
            << recorded[worst] << ", decoded " << decoded[worst] << "); ";
    const double from = double(edge_windows) * kWindowSeconds;
    const double to = double(n - edge_windows) * kWindowSeconds;
    const auto sa = sections_within(recorded, from, to);
    const auto sb = sections_within(decoded, from, to);
    bool same = sa.size() == sb.size();
    for (std::size_t i = 0; same && i < sa.size(); ++i)
        same = std::abs(sa[i].start - sb[i].start) < 1e-6 && std::abs(sa[i].end - sb[i].end) < 1e-6;
    if (!same) {
        out << "sections differ: recorded";
        for (const auto& s : sa)
            out << ' ' << s.start << '-' << s.end;
        out << ", decoded";
        for (const auto& s : sb)
            out << ' ' << s.start << '-' << s.end;
    }
    return out.str();
}

} // namespace isr::test
