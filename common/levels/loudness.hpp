#pragma once

#include <cstddef>
#include <vector>

#include "common/levels/levels.hpp"

// The loud-section analysis users tune margin, min_gap and min_duration against (DESIGN.md):
// pure functions over per-window levels, so a change of parameters never decodes audio again.
// isr-web runs it over whole files; isrd's live detector over what it has recorded so far.
namespace isr {

inline constexpr double kFloorBlockSeconds = 30.0;
inline constexpr double kFloorPercentile = 20.0;

// numpy's default ("linear") percentile `p` (0..100) of the values; kSilenceDb when empty.
double percentile(std::vector<float> values, double p);

// The noise floor under each window: the 20th percentile of the windows' dB within each 30 s
// block, interpolated linearly between block centres (flat before the first centre and after
// the last), so slow changes of the background move the floor instead of making sections.
std::vector<float> noise_floor(const std::vector<float>& db, double window_seconds);

struct Section {
    double start = 0;    // seconds
    double end = 0;      // seconds
    double peak_db = 0;  // level at the window that stands out most
    double floor_db = 0; // the floor there
    double score = 0;    // peak_db − floor_db: how far it rises above the background
};

struct SectionParams {
    double margin = 12.0;      // dB above the floor for a window to be loud
    double min_gap = 2.0;      // loud runs separated by less than this merge
    double min_duration = 0.5; // sections shorter than this, after merging, are dropped
};

// Sections in time order: windows at or above floor + margin, runs closer than min_gap merged,
// then those shorter than min_duration dropped.
std::vector<Section> find_sections(const std::vector<float>& db, const std::vector<float>& floor,
                                   double window_seconds, const SectionParams& params);

// About `points` display values: the maximum level of each bucket of windows and the mean floor
// of the same buckets. `bucket_windows` receives the windows per bucket.
struct Display {
    std::vector<float> rms;
    std::vector<float> floor;
    std::size_t bucket_windows = 1;
};
Display display(const std::vector<float>& db, const std::vector<float>& floor,
                std::size_t points = 800);

} // namespace isr
