#pragma once

#include "common/config.hpp"
#include "common/log.hpp"
#include "common/status_file.hpp"
#include "recorder/retention/retention_plan.hpp"
#include "recorder/retention/retention_scan.hpp"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace isr::rec {

// Retention and the disk guard (README "Retention and the disk guard") on a thread of its own,
// so that neither capture nor status.json ever waits for a scan of a large tree: a pass at
// start, at every split (wake()) and every 10 minutes. A pass scans, plans (plan_retention),
// deletes, logs each deletion with its reason and reports it to `on_delete`, removes the
// recording's analysis cache entries, and raises or clears the "disk_low" alarm.
class RetentionWorker {
public:
    using ActiveFiles = std::function<std::set<std::string>()>;
    using OnDelete = std::function<void(const RetentionDeletion&)>;

    // Whether `config` sets any limit (else isrd starts no worker).
    static bool wanted(const Config& config) noexcept;

    // `active` gives the files being written (names relative to output_directory); called from
    // the worker thread. Throws std::runtime_error when a source's time zone cannot be loaded.
    RetentionWorker(const Config& config, ActiveFiles active, OnDelete on_delete);
    ~RetentionWorker(); // stops and joins the thread
    RetentionWorker(const RetentionWorker&) = delete;
    RetentionWorker& operator=(const RetentionWorker&) = delete;

    // Starts the thread, which runs a pass at once.
    void start();
    // Asks for a pass soon (a file was split). Any thread; never blocks on a pass.
    void wake();
    // The disk_low alarm, for status.json. Any thread.
    std::optional<Alarm> alarm() const;

    // One pass now, on the caller's thread (tests). `now`: UTC seconds. Returns the deletions.
    std::vector<RetentionDeletion> run_pass(std::int64_t now);

    static constexpr std::chrono::minutes kInterval{10};
    // Files modified this recently are left alone (see RetentionInput::idle_seconds).
    static constexpr std::int64_t kIdleSeconds = 120;

private:
    void loop(std::stop_token stop);
    void raise_alarm(const std::string& message);
    void clear_alarm();

    std::filesystem::path root_;
    std::filesystem::path analyses_;
    std::vector<ScanSource> sources_;
    std::vector<RetentionLimits> limits_;
    std::vector<std::string> protect_;
    DiskGuard guard_;
    ActiveFiles active_;
    OnDelete on_delete_;
    Logger log_{"retention"};

    std::atomic<bool> stopping_{false}; // a pass stops deleting when isrd stops
    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    bool woken_ = false;
    std::optional<Alarm> alarm_;
    std::map<std::string, std::string> unmet_; // source → message, logged once per episode
    std::set<std::string> failed_;             // deletions that failed, logged once
    std::set<std::string> problems_;           // unreadable folders, logged once
    std::jthread thread_;
};

} // namespace isr::rec
