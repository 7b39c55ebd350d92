#pragma once

#include "common/config.hpp"
#include "common/log.hpp"
#include "recorder/levels/event_detector.hpp"
#include "recorder/source_state.hpp"

#include <memory>
#include <optional>

namespace isr::rec {

// A source's live loud events (live_events = yes): its 100 ms windows, as they are recorded,
// go through an EventDetector with the source's event_margin, event_min_gap and
// event_min_duration. A confirmed event shows at once in status.json's `last_event` (ongoing);
// when it ends it is logged at INFO, written to the ledger (`loud_event`), counted in
// `events_total`, and handed to on_event, unless an earlier hook ran less than
// event_cooldown_seconds before it began: then it is counted in `events_suppressed` and logged
// at DEBUG instead.
//
// Any source feeds it the same way: each window's level and the wall time (UTC seconds) its
// first frame was captured. PCM sessions call add() from RecordingLevels' window sink. Used
// from the source's thread only; never throws from add() or finish().
class LiveEvents {
public:
    // `log` must outlive this.
    LiveEvents(const SourceConfig& cfg, std::shared_ptr<SourceState> state, const Logger& log);
    ~LiveEvents() { finish(); }
    LiveEvents(const LiveEvents&) = delete;
    LiveEvents& operator=(const LiveEvents&) = delete;

    // One window: its level `db` (dBFS) and the UTC time its audio began.
    void add(float db, double start_utc) noexcept;
    // The audio stops (the session ends): an event in progress is reported as it stands.
    void finish() noexcept;

private:
    void confirmed(const LoudEvent& e) noexcept;
    void ended(const LoudEvent& e) noexcept;

    std::shared_ptr<SourceState> state_;
    const Logger& log_;
    double cooldown_;
    EventDetector detector_;
    std::optional<double> last_hook_utc_; // start of the last event handed to on_event
};

} // namespace isr::rec
