#include "recorder/pcm/level_meter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace isr::rec {

namespace {
double to_db(double ratio) {
    return ratio > 0 ? std::max(LevelMeter::kFloorDb, 20.0 * std::log10(ratio))
                     : LevelMeter::kFloorDb;
}
} // namespace

void LevelMeter::add(std::span<const std::int32_t> samples, int channels) noexcept {
    constexpr double kFullScale = 2147483648.0;
    constexpr double kFullScale16 = 32768.0;
    const auto ch = static_cast<std::size_t>(channels);
    std::size_t i = 0;
    while (i + ch <= samples.size()) {
        // Whole frames up to the end of the current one-second window, in one tight loop.
        const auto frames =
            std::min<std::uint64_t>(window_frames_ - frames_, (samples.size() - i) / ch);
        const auto end = i + static_cast<std::size_t>(frames) * ch;
        std::uint64_t sum = 0;
        std::int64_t peak = peak_;
        for (; i < end; ++i) {
            const std::int64_t s = samples[i];
            const std::int64_t top = s >> 16;
            sum += static_cast<std::uint64_t>(top * top);
            peak = std::max(peak, s < 0 ? -s : s);
        }
        sum_squares_ += sum;
        peak_ = peak;
        samples_ += frames * ch;
        frames_ += frames;
        if (frames_ == window_frames_) {
            const double mean = static_cast<double>(sum_squares_) / static_cast<double>(samples_);
            last_ = Level{to_db(std::sqrt(mean) / kFullScale16),
                          to_db(static_cast<double>(peak_) / kFullScale)};
            frames_ = 0;
            samples_ = 0;
            sum_squares_ = 0;
            peak_ = 0;
        }
    }
}

} // namespace isr::rec
