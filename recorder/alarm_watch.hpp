#pragma once

#include <optional>
#include <string>
#include <vector>

namespace isr::rec {

// A source's alarms (README "Alarms and hooks"): "no_data" when no audio arrived for
// silence_alarm_seconds, "silence" when a PCM source's level stayed below
// silence_threshold_dbfs that long. At most one is raised at a time, no_data before silence;
// recovery clears it. Pure logic on the monotonic times it is given: the source's thread feeds
// it, the main loop checks it every 2 s (a source blocked in a connect still gets its
// no_data alarm). Not thread-safe: SourceState guards it.
class AlarmWatch {
public:
    // `seconds` 0: never raises. `now`: when watching begins (no data yet counts from here).
    AlarmWatch(double seconds, double threshold_dbfs, bool pcm, double now);

    // Audio arrived at `now`; a PCM source also gives the RMS level of its last second.
    void heard(double now, std::optional<double> rms_dbfs = std::nullopt);

    struct Change {
        bool raised = false; // false: cleared
        std::string kind;    // "silence" or "no_data"
        std::string message; // for people: the log, status.json, the hooks
        double since = 0;    // raised: when the condition began; cleared: when it was raised
    };
    // What changed at `now`: a clearing, a raising, or both (silence turning into no data).
    // `active` false (paused, stopped): no alarm, and the timers start again at the next check
    // that is active.
    std::vector<Change> check(double now, bool active);

    // The raised alarm's kind, or nullopt.
    const std::optional<std::string>& raised() const noexcept { return raised_; }

private:
    double seconds_;
    double threshold_;
    bool pcm_;
    double last_data_;
    std::optional<double> quiet_since_;
    std::optional<std::string> raised_;
    double raised_since_ = 0;
    std::string raised_message_;
    bool was_active_ = true;
};

} // namespace isr::rec
