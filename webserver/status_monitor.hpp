#pragma once

#include "common/status_file.hpp"

#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>

namespace isr::web {

// isrd's status.json as isr-web sees it, re-read at most twice a second however many requests
// ask. Thread-safe.
class StatusMonitor {
public:
    explicit StatusMonitor(std::filesystem::path file) : file_(std::move(file)) {}

    StatusReading read() const;
    // Files being recorded right now (empty when the recorder is not running or stale).
    std::set<std::string> recording() const;
    bool is_recording(const std::string& relative) const;

private:
    std::filesystem::path file_;
    // The last reading is a cache: const readers refresh it.
    mutable std::mutex mutex_;
    mutable std::chrono::steady_clock::time_point read_at_{};
    mutable StatusReading last_;
};

} // namespace isr::web
