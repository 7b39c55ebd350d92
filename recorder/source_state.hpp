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

private:
    mutable std::mutex mutex_;
    SourceStatus status_;
};

} // namespace isr::rec
