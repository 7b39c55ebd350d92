#pragma once

#include <deque>
#include <optional>

namespace isr::rec {

// Maps media time (seconds of audio since a session began) to the monotonic clock.
//
// Audio cannot be delivered before it was captured or produced, so every observation "media up
// to m was available at monotonic time t" bounds the session's start: start <= t - m. The latest
// start consistent with every observation, min(t - m), filters out scheduling delays, network
// jitter and Icecast's burst-on-connect (late or early deliveries only raise t - m). The minimum
// is taken over a sliding window so the estimate follows the few ppm of drift between a sound
// card's (or an encoder's) sample clock and ours over months of recording.
//
// The anchor in use moves to that estimate freely for the first 3 s (Icecast's burst), then
// at most 0.2% of the elapsed time: when a source falls behind and catches up, the correction is
// spread over many files instead of one file growing by it (a 10 s file changes by less than an
// MP3 frame).
class AnchorClock {
public:
    explicit AnchorClock(double window_seconds = 60.0) : window_(window_seconds) {}

    // Media up to `media_seconds` had arrived by `mono_seconds`.
    void observe(double media_seconds, double mono_seconds);

    bool ready() const noexcept { return anchored_; }
    // Past the first kSettleSeconds: from here on the anchor only slews.
    bool settled(double mono_seconds) const noexcept {
        return anchored_ && mono_seconds - first_mono_ >= kSettleSeconds;
    }
    // Monotonic time of media position 0, as used for splitting. Requires ready().
    double start() const noexcept { return start_; }
    // The unsmoothed estimate (the windowed minimum).
    double estimate() const noexcept { return window_min_.front().value; }

    static constexpr double kSettleSeconds = 3.0; // Icecast's burst arrives within a second
    static constexpr double kMaxSlew = 0.002;
    double mono_at(double media_seconds) const noexcept { return start() + media_seconds; }
    double media_at(double mono_seconds) const noexcept { return mono_seconds - start(); }

    // After a gap in the media (an overrun dropped frames), the seconds by which this
    // observation trails the estimate: what was lost. Restarts the window from here.
    double gap(double media_seconds, double mono_seconds) const noexcept;
    void restart() noexcept {
        window_min_.clear();
        anchored_ = false;
    }

private:
    struct Sample {
        double mono;
        double value;
    };
    double window_;
    std::deque<Sample> window_min_; // increasing values: a monotonic queue of minima
    bool anchored_ = false;
    double start_ = 0;
    double first_mono_ = 0;
    double last_mono_ = 0;
};

} // namespace isr::rec
