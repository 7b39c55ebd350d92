#include "recorder/anchor_clock.hpp"

#include <algorithm>

namespace isr::rec {

void AnchorClock::observe(double media_seconds, double mono_seconds) {
    const double value = mono_seconds - media_seconds;
    while (!window_min_.empty() && window_min_.back().value >= value)
        window_min_.pop_back();
    window_min_.push_back({mono_seconds, value});
    while (window_min_.size() > 1 && window_min_.front().mono < mono_seconds - window_) {
        window_min_.pop_front();
    }
    const double target = estimate();
    if (!anchored_ || mono_seconds - first_mono_ < kSettleSeconds) {
        if (!anchored_)
            first_mono_ = mono_seconds;
        anchored_ = true;
        start_ = target;
    } else {
        const double step = kMaxSlew * std::max(0.0, mono_seconds - last_mono_);
        start_ += std::clamp(target - start_, -step, step);
    }
    last_mono_ = mono_seconds;
}

double AnchorClock::gap(double media_seconds, double mono_seconds) const noexcept {
    if (!ready())
        return 0;
    const double lag = (mono_seconds - media_seconds) - start();
    return lag > 0 ? lag : 0;
}

} // namespace isr::rec
