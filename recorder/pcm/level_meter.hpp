#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace isr::rec {

// Peak and RMS level in dBFS over consecutive one-second windows of interleaved 32-bit PCM.
class LevelMeter {
public:
    explicit LevelMeter(int rate) : window_frames_(static_cast<std::uint64_t>(rate)) {}

    void add(std::span<const std::int32_t> samples, int channels) noexcept;

    // The last complete second; nullopt until one second was seen.
    struct Level {
        double rms_dbfs;
        double peak_dbfs;
    };
    std::optional<Level> last() const noexcept { return last_; }

    static constexpr double kFloorDb = -120.0;

private:
    std::uint64_t window_frames_;
    std::uint64_t frames_ = 0;
    std::uint64_t sum_squares_ = 0; // of the top 16 bits: plenty for a meter, and integer-only
    std::uint64_t samples_ = 0;
    std::int64_t peak_ = 0;
    std::optional<Level> last_;
};

} // namespace isr::rec
