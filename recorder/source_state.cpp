#include "recorder/source_state.hpp"

#include "recorder/ledger/ledger.hpp"

namespace isr::rec {

void SourceState::recording() {
    std::optional<Gap> ended;
    {
        std::lock_guard lock(mutex_);
        status_.state = RunState::recording;
        if (!notice_until_)
            status_.error.reset();
        if (recording_in_attempt_)
            return;
        recording_in_attempt_ = true;
        if (recorded_before_)
            ++status_.reconnects;
        recorded_before_ = true;
        ended.swap(gap_);
    }
    if (ended) {
        events().gap(ended->reason, ended->start_utc, wall_now() - ended->start_utc, ended->detail);
    }
}

void SourceState::gap_opened(std::string reason, std::string detail) {
    std::lock_guard lock(mutex_);
    if (gap_)
        return;
    gap_ = Gap{std::move(reason), std::move(detail), last_audio_utc_.value_or(created_utc_)};
}

void SourceState::stopped(double now_utc) {
    std::optional<Gap> ended;
    {
        std::lock_guard lock(mutex_);
        ended.swap(gap_);
    }
    if (ended) {
        events().gap(ended->reason, ended->start_utc, now_utc - ended->start_utc, ended->detail,
                     true);
    }
}

std::vector<AlarmWatch::Change> SourceState::check_alarms(double now_mono, double wall_offset) {
    std::vector<AlarmWatch::Change> changes;
    std::vector<std::string> since;
    {
        std::lock_guard lock(mutex_);
        if (!alarms_)
            return changes;
        const bool active = status_.state != RunState::paused && status_.state != RunState::stopped;
        changes = alarms_->check(now_mono, active);
        for (const auto& c : changes) {
            since.push_back(Ledger::time_text(c.since + wall_offset));
            if (c.raised)
                status_.alarm = Alarm{c.kind, since.back(), c.message};
            else
                status_.alarm.reset();
        }
    }
    for (std::size_t i = 0; i < changes.size(); ++i)
        events().alarm(changes[i], since[i]);
    return changes;
}

} // namespace isr::rec
