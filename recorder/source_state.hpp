#pragma once

#include "common/clock.hpp"
#include "common/status_file.hpp"
#include "recorder/alarm_watch.hpp"
#include "recorder/ledger/source_events.hpp"

#include <atomic>
#include <cmath>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace isr::rec {

// The current file has `bytes` on disk now: `bytes`, and `bytes_total` by what was added since.
inline void set_file_bytes(SourceStatus& s, std::uint64_t bytes) noexcept {
    if (bytes > s.bytes)
        s.bytes_total += bytes - s.bytes;
    s.bytes = bytes;
}

// A source's live status, written by its thread and read by the status writer every 2 s. It also
// follows what the ledger needs across sessions: the gap that opens when an attempt fails or the
// source is paused (closed when audio is recorded again), and the source's alarms.
class SourceState {
public:
    explicit SourceState(SourceStatus initial, double created_utc = wall_now())
        : created_utc_(created_utc), status_(std::move(initial)) {}

    // Where the source's events go (the ledger, the hooks); set before its thread starts.
    void set_events(std::shared_ptr<const SourceEvents> events) { events_ = std::move(events); }
    const SourceEvents& events() const noexcept {
        static const SourceEvents none;
        return events_ ? *events_ : none;
    }
    // Watches for the alarms of `cfg` (silence_alarm_seconds); set before its thread starts.
    void watch_alarms(const SourceConfig& cfg, double now_mono = mono_now()) {
        std::lock_guard lock(mutex_);
        alarms_.emplace(cfg.silence_alarm_seconds, cfg.silence_threshold_dbfs, cfg.is_pcm(),
                        now_mono);
    }

    // Audio arrived (once a second from the session), with the RMS level of the last second
    // for a PCM source.
    void heard(std::optional<double> rms_dbfs, double now_mono = mono_now(),
               double now_utc = wall_now()) {
        std::lock_guard lock(mutex_);
        last_audio_utc_ = now_utc;
        if (alarms_)
            alarms_->heard(now_mono, rms_dbfs);
    }
    // Every 2 s from the main loop: raises and clears the alarms (status.json's `alarm`, the
    // log, the ledger, the hooks). Returns what changed.
    std::vector<AlarmWatch::Change> check_alarms(double now_mono = mono_now(),
                                                 double wall_offset = wall_minus_mono());

    // Audio stops being recorded (an attempt failed, the source was paused): a gap opens where
    // the last audio arrived, unless one is open. It ends, and goes to the ledger, when audio is
    // recorded again (recording()) or isrd stops (stopped()).
    void gap_opened(std::string reason, std::string detail);
    // isrd stops: an open gap ends now.
    void stopped(double now_utc = wall_now());

    // Applies `change` under the lock. Called from the source's thread.
    void update(const std::function<void(SourceStatus&)>& change) {
        std::lock_guard lock(mutex_);
        change(status_);
    }
    SourceStatus snapshot() const {
        std::lock_guard lock(mutex_);
        if (notice_until_ && mono_now() >= *notice_until_) {
            notice_until_.reset();
            if (status_.state == RunState::recording)
                status_.error.reset();
        }
        return status_;
    }

    // A problem that cost audio but did not stop recording (a file deleted while recorded): in
    // `error` for kNoticeSeconds even while recording goes on, so that whoever looks at
    // status.json or the web UI within that time sees it.
    void notice(std::string message) {
        std::lock_guard lock(mutex_);
        status_.error = std::move(message);
        notice_until_ = mono_now() + kNoticeSeconds;
    }
    static constexpr double kNoticeSeconds = 600;

    // A new attempt (connection, device opening) begins.
    void attempt_started() {
        {
            std::lock_guard lock(mutex_);
            recording_in_attempt_ = false;
        }
        attempted_.store(true);
        alive();
    }

    // For systemd's watchdog (read by the main thread): the source's thread calls alive() each
    // time its loop comes around (at least once a second while it records or waits on the
    // network), and waiting(true) while it waits on purpose (the retry delay, a pause, given
    // up), when it cannot come around and is not stuck either.
    void alive() noexcept { alive_mono_.store(mono_now()); }
    void waiting(bool on) noexcept {
        waiting_.store(on);
        alive();
    }
    struct Liveness {
        double alive_mono = 0;  // mono_now() of the last alive()
        bool waiting = false;   // waiting on purpose
        bool attempted = false; // its first attempt has started
    };
    Liveness liveness() const noexcept {
        return {alive_mono_.load(), waiting_.load(), attempted_.load()};
    }
    // Audio is being written: state "recording", error cleared. The first time in an attempt
    // that follows one that recorded, it counts as a reconnect.
    void recording();

    // A new file was opened and audio goes into it: `file` is relative to the recordings
    // folder, `since` the time in its name. `recording` false while a disk problem lasts: the
    // state stays "retrying", with its error, until the file's audio has reached the disk.
    void file_started(std::string file, std::string since, bool recording_now = true) {
        update([&](SourceStatus& s) {
            s.file = std::move(file);
            s.since = std::move(since);
            s.bytes = 0;
        });
        if (recording_now)
            recording();
    }

    // Audio that could not be recorded, added to lost_seconds and lost_frames (which count since
    // isrd started, across reconnects). `frames` at `rate` Hz: PCM sources know them exactly.
    void add_lost_frames(std::uint64_t frames, int rate) {
        if (frames == 0 || rate <= 0)
            return;
        std::lock_guard lock(mutex_);
        lost_frames_ += static_cast<double>(frames);
        lost_seconds_ += static_cast<double>(frames) / rate;
        publish_loss();
    }
    // Streams: seconds of audio, and frames at `rate` (the stream's sample rate; 0 if unknown).
    void add_lost_seconds(double seconds, int rate) {
        if (seconds <= 0)
            return;
        std::lock_guard lock(mutex_);
        lost_seconds_ += seconds;
        if (rate > 0)
            lost_frames_ += seconds * rate;
        publish_loss();
    }

private:
    // Sums are kept exact and shown rounded: milliseconds, whole frames.
    void publish_loss() {
        status_.lost_seconds = std::round(lost_seconds_ * 1000) / 1000;
        status_.lost_frames = static_cast<std::uint64_t>(std::llround(lost_frames_));
    }

    double lost_seconds_ = 0;
    double lost_frames_ = 0;

    struct Gap {
        std::string reason;
        std::string detail;
        double start_utc = 0;
    };
    std::shared_ptr<const SourceEvents> events_;
    std::optional<AlarmWatch> alarms_;
    std::optional<Gap> gap_;
    double created_utc_;
    std::optional<double> last_audio_utc_;

    mutable std::mutex mutex_;
    mutable SourceStatus status_;
    mutable std::optional<double> notice_until_;
    bool recorded_before_ = false;
    bool recording_in_attempt_ = false;
    std::atomic<double> alive_mono_{mono_now()};
    std::atomic<bool> waiting_{false};
    std::atomic<bool> attempted_{false};
};

} // namespace isr::rec
