#include "recorder/retention/retention_worker.hpp"

#include "common/analysis_cache_paths.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"

#include <chrono>
#include <cmath>
#include <cstring>

#include <sys/stat.h>
#include <sys/statvfs.h>

namespace isr::rec {

namespace fs = std::filesystem;

namespace {

std::uint64_t gb_to_bytes(double gb) {
    return static_cast<std::uint64_t>(std::llround(gb * 1e9));
}

} // namespace

bool RetentionWorker::wanted(const Config& config) noexcept {
    if (config.general.min_free_percent > 0 || config.general.min_free_gb > 0)
        return true;
    for (const auto& s : config.sources) {
        if (s.retention_days > 0 || s.retention_max_gb > 0)
            return true;
    }
    return false;
}

RetentionWorker::RetentionWorker(const Config& config, ActiveFiles active, OnDelete on_delete)
    : root_(config.general.output_directory), analyses_(config.general.analyses()),
      protect_(config.general.protect), guard_{config.general.min_free_percent,
                                               gb_to_bytes(config.general.min_free_gb)},
      active_(std::move(active)), on_delete_(std::move(on_delete)) {
    for (const auto& s : config.sources) {
        sources_.push_back(
            {s.name, s.output_directory,
             RecordingNames(s.filename_pattern, s.name, TimeZone::locate(s.timezone))});
        limits_.push_back({s.name, s.retention_days, gb_to_bytes(s.retention_max_gb)});
    }
}

RetentionWorker::~RetentionWorker() {
    stopping_ = true;
    if (thread_.joinable()) {
        thread_.request_stop();
        wake_.notify_all();
        thread_.join();
    }
}

void RetentionWorker::start() {
    thread_ = std::jthread([this](std::stop_token stop) { loop(stop); });
}

void RetentionWorker::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

std::optional<Alarm> RetentionWorker::alarm() const {
    std::lock_guard lock(mutex_);
    return alarm_;
}

void RetentionWorker::loop(std::stop_token stop) {
    while (!stop.stop_requested()) {
        try {
            run_pass(static_cast<std::int64_t>(std::time(nullptr)));
        } catch (const std::exception& e) {
            log_.error("pass failed: ", e.what());
        }
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, stop, kInterval, [this] { return woken_; });
        woken_ = false;
    }
}

void RetentionWorker::raise_alarm(const std::string& message) {
    std::lock_guard lock(mutex_);
    if (alarm_ && alarm_->message == message)
        return;
    if (!alarm_) {
        // Once per episode: the message's figures change from pass to pass.
        log_.error("disk low: ", message,
                   "; free space by hand, or lower retention_days / retention_max_gb, or remove "
                   ".keep markers and protect globs");
        alarm_ = Alarm{"disk_low", iso8601_now(), message};
    } else {
        alarm_->message = message;
    }
}

void RetentionWorker::clear_alarm() {
    std::lock_guard lock(mutex_);
    if (!alarm_)
        return;
    log_.info("disk space is above the guard again (disk_low alarm since ", alarm_->since,
              " cleared)");
    alarm_.reset();
}

std::vector<RetentionDeletion> RetentionWorker::run_pass(std::int64_t now) {
    std::vector<RetentionDeletion> done;
    struct stat root_st {};
    const bool root_ok = ::stat(root_.c_str(), &root_st) == 0;
    auto scan = scan_recordings(sources_, root_, protect_, root_ok ? root_st.st_dev : 0);
    std::set<std::string> problems(scan.problems.begin(), scan.problems.end());

    RetentionInput in;
    in.sources = limits_;
    in.guard = guard_;
    in.now = now;
    in.idle_seconds = kIdleSeconds;
    in.active = active_();
    if (struct statvfs vfs{}; guard_.enabled() && root_ok && ::statvfs(root_.c_str(), &vfs) == 0) {
        in.disk = DiskSpace{static_cast<std::uint64_t>(vfs.f_blocks) * vfs.f_frsize,
                            static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize};
    } else if (guard_.enabled()) {
        problems.insert(cat("cannot read the free space of ", root_.string(), ": ",
                            std::strerror(errno), "; the disk guard waits"));
    }
    for (const auto& p : problems) {
        if (!problems_.count(p)) // once while it lasts: a pass runs at every split
            log_.warning(p);
    }
    problems_ = std::move(problems);
    in.files.reserve(scan.files.size());
    for (auto& f : scan.files) {
        // A ☆ Keep that isr-web could only put in the cache folder (recordings mounted read-only).
        if (!f.candidate.kept && !fs::path(f.candidate.name).is_absolute())
            f.candidate.kept = has_keep_mark(analyses_, f.candidate.name);
        in.files.push_back(f.candidate);
    }
    const auto plan = plan_retention(in);

    for (const auto& d : plan.deletions) {
        if (stopping_)
            break;
        const auto& file = scan.files[d.file];
        const auto& name = file.candidate.name;
        // A file may have become the one being written since the scan (a clock set back).
        if (active_().count(name))
            continue;
        const auto& source = sources_[file.source];
        if (const int err = delete_recording(source, file); err != 0) {
            if (failed_.insert(name).second)
                log_.warning("cannot delete ", name, " (", d.reason, "): ", std::strerror(err));
            continue;
        }
        failed_.erase(name);
        log_.info("deleted ", name, " (", d.reason, ")");
        if (!fs::path(name).is_absolute())
            remove_cache_files(analyses_, name);
        RetentionDeletion deletion{name, source.name, d.reason, file.candidate.bytes};
        if (on_delete_) {
            try {
                on_delete_(deletion);
            } catch (const std::exception& e) {
                log_.error("reporting the deletion of ", name, " failed: ", e.what());
            }
        }
        done.push_back(std::move(deletion));
    }

    std::map<std::string, std::string> unmet(plan.unmet.begin(), plan.unmet.end());
    for (const auto& [source, message] : unmet) {
        if (!unmet_.count(source))
            log_.warning(message);
    }
    unmet_ = std::move(unmet);
    if (plan.disk_low)
        raise_alarm(*plan.disk_low);
    else if (in.disk)
        clear_alarm();
    return done;
}

} // namespace isr::rec
