#pragma once

#include "common/status_file.hpp"

#include <functional>
#include <mutex>

namespace isr::rec {

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
        return status_;
    }

    // A new attempt (connection, device opening) begins.
    void attempt_started() {
        std::lock_guard lock(mutex_);
        recording_in_attempt_ = false;
    }
    // Audio is being written: state "recording", error cleared. The first time in an attempt
    // that follows one that recorded, it counts as a reconnect.
    void recording() {
        std::lock_guard lock(mutex_);
        status_.state = "recording";
        status_.error.reset();
        if (recording_in_attempt_) return;
        recording_in_attempt_ = true;
        if (recorded_before_) ++status_.reconnects;
        recorded_before_ = true;
    }

    // A new file was opened and audio goes into it: `file` is relative to the recordings
    // folder, `since` the time in its name.
    void file_started(std::string file, std::string since) {
        update([&](SourceStatus& s) {
            s.file = std::move(file);
            s.since = std::move(since);
            s.bytes = 0;
        });
        recording();
    }

private:
    mutable std::mutex mutex_;
    SourceStatus status_;
    bool recorded_before_ = false;
    bool recording_in_attempt_ = false;
};

} // namespace isr::rec
