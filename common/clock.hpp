#pragma once

#include <chrono>

namespace isr {

// Seconds on the monotonic clock (never jumps; for measuring and anchoring media time).
inline double mono_now() noexcept {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Seconds since the Unix epoch on the wall clock (for names and split boundaries).
inline double wall_now() noexcept {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Wall clock minus monotonic clock, for turning monotonic instants into wall time. Read as
// mono-wall-mono, keeping the tightest of a few tries: a thread preempted between two plain
// reads (a busy machine) would otherwise be off by the length of the preemption.
inline double wall_minus_mono() noexcept {
    double best_gap = 1e9;
    double best = 0;
    for (int i = 0; i < 4 && best_gap > 0.0002; ++i) {
        const double before = mono_now();
        const double wall = wall_now();
        const double after = mono_now();
        if (after - before < best_gap) {
            best_gap = after - before;
            best = wall - (before + after) / 2;
        }
    }
    return best;
}

} // namespace isr
