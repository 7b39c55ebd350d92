#include "recorder/pcm/level_meter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace isr::rec {

namespace {
double to_db(double ratio) {
    return ratio > 0 ? std::max(LevelMeter::kFloorDb, 20.0 * std::log10(ratio)) : LevelMeter::kFloorDb;
}
} // namespace

void LevelMeter::add(std::span<const std::int32_t> samples, int channels) noexcept {
    constexpr double kFullScale = 2147483648.0;
    const auto ch = static_cast<std::size_t>(channels);
    for (std::size_t i = 0; i + ch <= samples.size(); i += ch) {
        for (std::size_t c = 0; c < ch; ++c) {
            const auto s = static_cast<std::int64_t>(samples[i + c]);
            const double x = static_cast<double>(s) / kFullScale;
            sum_squares_ += x * x;
            peak_ = std::max(peak_, s < 0 ? -s : s);
        }
        samples_ += ch;
        if (++frames_ == window_frames_) {
            last_ = Level{to_db(std::sqrt(sum_squares_ / static_cast<double>(samples_))),
                          to_db(static_cast<double>(peak_) / kFullScale)};
            frames_ = 0;
            samples_ = 0;
            sum_squares_ = 0;
            peak_ = 0;
        }
    }
}

} // namespace isr::rec
