#pragma once

#include <chrono>

namespace isr {

// Seconds on the monotonic clock (never jumps; for measuring and anchoring media time).
inline double mono_now() noexcept {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Seconds since the Unix epoch on the wall clock (for names and split boundaries).
inline double wall_now() noexcept {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

} // namespace isr
