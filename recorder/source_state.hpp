#pragma once

#include "common/clock.hpp"
#include "common/status_file.hpp"

#include <atomic>
#include <cmath>
#include <functional>
#include <mutex>
#include <optional>

namespace isr::rec {

// The current file has `bytes` on disk now: `bytes`, and `bytes_total` by what was added since.
inline void set_file_bytes(SourceStatus& s, std::uint64_t bytes) noexcept {
    if (bytes > s.bytes)
        s.bytes_total += bytes - s.bytes;
    s.bytes = bytes;
}

// A source's live status, written by its thread and read by the status writer every 2 s.
class SourceState {
public:
    explicit SourceState(SourceStatus initial) : status_(std::move(initial)) {}

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
    void recording() {
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
    }

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
