#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

// Per-window levels: the one definition isrd (while recording) and isr-web (decoding a file)
// both compute, so a level made at record time and one made from the file agree.
namespace isr {

inline constexpr double kWindowSeconds = 0.1;
inline constexpr double kSilenceDb = -120.0; // digital silence

// What is analysed at most; a header claiming more is refused rather than trusted to size
// buffers (channels × frames per read).
inline constexpr int kMaxSampleRate = 768000;
inline constexpr int kMaxChannels = 64;
// The longest recording analysed: 8 days of 100 ms windows, 28 MB of levels (a longer one fails
// with a message rather than taking memory without bound).
inline constexpr std::int64_t kMaxWindows = 8 * 24 * 36000;

// Level in dBFS of a window from its summed mono power (mean of the channels' squared samples)
// over `frames` frames; kSilenceDb for digital silence.
double window_db(double power_sum, std::size_t frames) noexcept;

// Frames per window at `rate`: round(rate × 0.1), at least 1.
std::int64_t window_frames_at(int rate) noexcept;

// The levels of a recording, or of the part of it seen so far.
struct Levels {
    int sample_rate = 0;
    int channels = 0;
    double duration = 0; // seconds covered
    double window_seconds = kWindowSeconds;
    std::vector<float> db; // one per window, dBFS
};

// Cuts interleaved float frames into windows and gives each window's level, rounded to the
// 0.01 dB the levels file stores (so every path gives the same numbers). The windows start
// at the first frame added; the last, partial one comes from finish(). Not thread-safe.
class WindowAccumulator {
public:
    WindowAccumulator(int rate, int channels) noexcept;

    // Appends the level of every window these frames complete to `out`.
    void add(const float* interleaved, std::size_t frames, std::vector<float>& out);
    // The level of the partial window at the end (nullopt when there is none); starts afresh.
    std::optional<float> finish() noexcept;

    std::int64_t window_frames() const noexcept { return window_frames_; }
    // Frames added since construction (the partial window included).
    std::int64_t frames() const noexcept { return frames_; }
    // Frames in the partial window.
    std::int64_t pending_frames() const noexcept { return in_window_; }
    int channels() const noexcept { return channels_; }

private:
    int channels_;
    std::int64_t window_frames_;
    std::int64_t in_window_ = 0;
    std::int64_t frames_ = 0;
    double power_ = 0;
};

} // namespace isr
