#pragma once

#include "common/levels/levels.hpp"
#include "common/levels/loudness.hpp"

#include <cstddef>
#include <optional>
#include <vector>

namespace isr::rec {

// A loud event found while the audio comes in.
struct LoudEvent {
    double start = 0;    // when its first loud window began (the clock add() is given)
    double duration = 0; // seconds from it to the end of its last loud window
    double peak_db = 0;  // the window that rose most above the background
    double floor_db = 0; // the background there
    double score = 0;    // peak_db − floor_db
};

// The loud-section analysis of common/levels/loudness.hpp run causally, one 100 ms window at a
// time, as isrd records (the live events). Same margin, min_gap and min_duration as
// find_sections(); only the background differs, since the future is unknown: it is the 20th
// percentile of the previous complete 30 s block (before the first block completes, of the
// windows so far, once there are kWarmupSeconds of them; until then nothing is loud). The
// offline floor interpolates between block centres on both sides, so on a drifting background
// the two floors differ by the drift over about a block.
//
// An event is confirmed once it has lasted min_duration (it may still grow) and ends when
// min_gap has passed without a loud window. Pure and single-threaded: no clock, no I/O.
class EventDetector {
public:
    explicit EventDetector(const SectionParams& params, double window_seconds = kWindowSeconds);

    struct Update {
        std::optional<LoudEvent> confirmed; // an event reached min_duration with this window
        std::optional<LoudEvent> ended;     // a confirmed event is over (min_gap of quiet)
    };
    // One window, its level `db`, which began at `start` seconds. Windows come in order; a jump
    // of `start` (audio lost) counts as quiet time.
    Update add(float db, double start);
    // The audio stops (isrd stops, the source fails): an event still open ends at its last loud
    // window, if it was confirmed.
    std::optional<LoudEvent> finish();

    // The background loud windows are measured against now, once known.
    std::optional<double> background() const noexcept { return floor_; }

    static constexpr double kWarmupSeconds = 3.0;

private:
    struct Open {
        LoudEvent event;
        double last_loud_end = 0;
        bool confirmed = false;
    };
    std::optional<LoudEvent> close_open();

    SectionParams params_;
    double window_seconds_;
    std::size_t block_windows_;
    std::size_t warmup_windows_;
    std::vector<float> block_; // the windows of the block in progress
    bool had_block_ = false;   // a block has completed: floor_ is its percentile
    std::optional<double> floor_;
    std::optional<Open> open_;
};

} // namespace isr::rec
