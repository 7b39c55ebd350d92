#include "recorder/anchor_clock.hpp"

namespace isr::rec {

void AnchorClock::observe(double media_seconds, double mono_seconds) {
    const double value = mono_seconds - media_seconds;
    while (!window_min_.empty() && window_min_.back().value >= value) window_min_.pop_back();
    window_min_.push_back({mono_seconds, value});
    while (window_min_.size() > 1 && window_min_.front().mono < mono_seconds - window_) {
        window_min_.pop_front();
    }
}

double AnchorClock::gap(double media_seconds, double mono_seconds) const noexcept {
    if (!ready()) return 0;
    const double lag = (mono_seconds - media_seconds) - start();
    return lag > 0 ? lag : 0;
}

} // namespace isr::rec
