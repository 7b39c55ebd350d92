#include "common/levels/loudness.hpp"

#include <algorithm>
#include <cmath>

namespace isr {

double percentile(std::vector<float> values, double p) {
    if (values.empty())
        return kSilenceDb;
    std::sort(values.begin(), values.end());
    const double rank = p / 100.0 * static_cast<double>(values.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(rank));
    const auto hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (rank - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

std::vector<float> noise_floor(const std::vector<float>& db, double window_seconds) {
    std::vector<float> floor(db.size());
    if (db.empty())
        return floor;
    const auto per_block = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::lround(kFloorBlockSeconds / window_seconds)));
    struct Block {
        double centre; // in windows
        double value;
    };
    std::vector<Block> blocks;
    for (std::size_t start = 0; start < db.size(); start += per_block) {
        const auto end = std::min(db.size(), start + per_block);
        std::vector<float> values(db.begin() + static_cast<std::ptrdiff_t>(start),
                                  db.begin() + static_cast<std::ptrdiff_t>(end));
        blocks.push_back({(static_cast<double>(start) + static_cast<double>(end)) / 2.0,
                          percentile(std::move(values), kFloorPercentile)});
    }
    std::size_t b = 0;
    for (std::size_t i = 0; i < db.size(); ++i) {
        const double x = static_cast<double>(i) + 0.5; // the window's centre
        while (b + 1 < blocks.size() && blocks[b + 1].centre <= x)
            ++b;
        double v;
        if (x <= blocks.front().centre)
            v = blocks.front().value;
        else if (b + 1 >= blocks.size())
            v = blocks.back().value;
        else {
            const auto& l = blocks[b];
            const auto& r = blocks[b + 1];
            v = l.value + (r.value - l.value) * (x - l.centre) / (r.centre - l.centre);
        }
        floor[i] = static_cast<float>(v);
    }
    return floor;
}

std::vector<Section> find_sections(const std::vector<float>& db, const std::vector<float>& floor,
                                   double window_seconds, const SectionParams& params) {
    struct Run {
        std::size_t first;
        std::size_t last; // inclusive
    };
    std::vector<Run> runs;
    for (std::size_t i = 0; i < db.size(); ++i) {
        if (db[i] < floor[i] + params.margin)
            continue;
        if (!runs.empty() && runs.back().last + 1 == i)
            runs.back().last = i;
        else
            runs.push_back({i, i});
    }
    // Merge runs whose gap is shorter than min_gap.
    std::vector<Run> merged;
    for (const auto& r : runs) {
        if (!merged.empty()) {
            const double gap =
                static_cast<double>(r.first - (merged.back().last + 1)) * window_seconds;
            if (gap < params.min_gap) {
                merged.back().last = r.last;
                continue;
            }
        }
        merged.push_back(r);
    }
    std::vector<Section> out;
    for (const auto& r : merged) {
        Section s;
        s.start = static_cast<double>(r.first) * window_seconds;
        s.end = static_cast<double>(r.last + 1) * window_seconds;
        if (s.end - s.start < params.min_duration - 1e-9)
            continue;
        std::size_t best = r.first;
        for (std::size_t i = r.first; i <= r.last; ++i) {
            if (db[i] - floor[i] > db[best] - floor[best])
                best = i;
        }
        s.peak_db = db[best];
        s.floor_db = floor[best];
        s.score = s.peak_db - s.floor_db;
        out.push_back(s);
    }
    return out;
}

Display display(const std::vector<float>& db, const std::vector<float>& floor, std::size_t points) {
    Display d;
    if (db.empty() || points == 0)
        return d;
    d.bucket_windows = (db.size() + points - 1) / points;
    for (std::size_t start = 0; start < db.size(); start += d.bucket_windows) {
        const auto end = std::min(db.size(), start + d.bucket_windows);
        float peak = db[start];
        double floor_sum = 0;
        for (std::size_t i = start; i < end; ++i) {
            peak = std::max(peak, db[i]);
            floor_sum += floor[i];
        }
        d.rms.push_back(peak);
        d.floor.push_back(static_cast<float>(floor_sum / static_cast<double>(end - start)));
    }
    return d;
}

} // namespace isr
