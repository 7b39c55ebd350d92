#include "recorder/levels/live_events.hpp"

#include "common/strings.hpp"
#include "recorder/ledger/ledger.hpp"

#include <cmath>

namespace isr::rec {

namespace {

double rounded(double x, double unit) {
    return std::round(x / unit) * unit;
}

LoudEventStatus status_of(const LoudEvent& e, bool ongoing) {
    return {Ledger::time_text(e.start), rounded(e.duration, 0.001), rounded(e.score, 0.1), ongoing};
}

} // namespace

LiveEvents::LiveEvents(const SourceConfig& cfg, std::shared_ptr<SourceState> state,
                       const Logger& log)
    : state_(std::move(state)), log_(log), cooldown_(cfg.event_cooldown_seconds),
      detector_({cfg.event_margin, cfg.event_min_gap, cfg.event_min_duration}) {}

void LiveEvents::add(float db, double start_utc) noexcept {
    const auto update = detector_.add(db, start_utc);
    // An event may end and the next one be confirmed by the same window.
    if (update.ended)
        ended(*update.ended);
    if (update.confirmed)
        confirmed(*update.confirmed);
}

void LiveEvents::finish() noexcept {
    if (const auto e = detector_.finish())
        ended(*e);
}

void LiveEvents::confirmed(const LoudEvent& e) noexcept {
    try {
        state_->update([&](SourceStatus& s) { s.last_event = status_of(e, true); });
    } catch (const std::exception&) {
    }
}

void LiveEvents::ended(const LoudEvent& e) noexcept {
    try {
        // The cooldown is measured between event starts: what a notified user sees.
        const bool hook = !last_hook_utc_ || e.start - *last_hook_utc_ >= cooldown_;
        if (hook)
            last_hook_utc_ = e.start;
        const auto start = Ledger::time_text(e.start);
        const auto clock = start.size() >= 19 ? start.substr(11, 8) : start;
        log_.info("loud event on ", log_.source(), ": +", fixed(e.score, 0), " dB at ", clock, ", ",
                  fixed(e.duration, 1), " s");
        if (!hook) {
            log_.debug("on_event not run for the event at ", clock, ": less than ",
                       fixed(cooldown_, 0), " s after the last (event_cooldown_seconds)");
        }
        state_->update([&](SourceStatus& s) {
            s.last_event = status_of(e, false);
            ++s.events_total;
            if (!hook)
                ++s.events_suppressed;
        });
        state_->events().loud_event(e.start, e.duration, e.peak_db, e.floor_db, hook);
    } catch (const std::exception&) {
    }
}

} // namespace isr::rec
