#include "common/levels/levels.hpp"

#include <algorithm>
#include <cmath>

namespace isr {

double window_db(double power_sum, std::size_t frames) noexcept {
    if (frames == 0 || power_sum <= 0)
        return kSilenceDb;
    // 10·log10(mean power) is 20·log10(RMS).
    return std::max(kSilenceDb, 10.0 * std::log10(power_sum / static_cast<double>(frames)));
}

std::int64_t window_frames_at(int rate) noexcept {
    return std::max<std::int64_t>(1, std::lround(rate * kWindowSeconds));
}

namespace {

// Sum of squares of interleaved samples. Eight independent float lanes let the compiler use
// SIMD without -ffast-math; a window holds at most a few thousand samples per lane, well within
// float precision for a level in dB. Every path sums the same way, so record-time and decoded
// levels of the same samples are the same numbers.
double sum_of_squares(const float* x, std::size_t n) noexcept {
    float lane[8] = {};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        for (std::size_t k = 0; k < 8; ++k)
            lane[k] += x[i + k] * x[i + k];
    }
    double sum = 0;
    for (const float v : lane)
        sum += v;
    for (; i < n; ++i)
        sum += static_cast<double>(x[i]) * x[i];
    return sum;
}

// A window's level at the resolution the levels file keeps (0.01 dB): a level decoded now, one
// read from a cache and one isrd wrote while recording are then the same number, and so are the
// sections made of them (a window at the margin cannot be loud in one and quiet in another).
float stored_db(double power_sum, std::size_t frames, int channels) noexcept {
    const double db = window_db(power_sum / static_cast<double>(channels), frames);
    return static_cast<float>(std::lround(std::clamp(db, -300.0, 300.0) * 100.0)) / 100.0f;
}

} // namespace

WindowAccumulator::WindowAccumulator(int rate, int channels) noexcept
    : channels_(std::max(1, channels)), window_frames_(window_frames_at(rate)) {}

void WindowAccumulator::add(const float* interleaved, std::size_t frames, std::vector<float>& out) {
    const auto ch = static_cast<std::size_t>(channels_);
    for (std::size_t f = 0; f < frames;) {
        const auto take = static_cast<std::size_t>(std::min<std::int64_t>(
            window_frames_ - in_window_, static_cast<std::int64_t>(frames - f)));
        power_ += sum_of_squares(interleaved + f * ch, take * ch);
        in_window_ += static_cast<std::int64_t>(take);
        f += take;
        if (in_window_ == window_frames_) {
            out.push_back(stored_db(power_, static_cast<std::size_t>(in_window_), channels_));
            power_ = 0;
            in_window_ = 0;
        }
    }
    frames_ += static_cast<std::int64_t>(frames);
}

std::optional<float> WindowAccumulator::finish() noexcept {
    if (in_window_ == 0)
        return std::nullopt;
    const auto db = stored_db(power_, static_cast<std::size_t>(in_window_), channels_);
    power_ = 0;
    in_window_ = 0;
    return db;
}

} // namespace isr
