#pragma once

#include "common/time_zone.hpp"
#include "webserver/analysis/analysis_service.hpp"
#include "webserver/archive/archive_index.hpp"
#include "webserver/archive/recordings_root.hpp"
#include "webserver/metrics/server_metrics.hpp"
#include "webserver/origin_policy.hpp"
#include "webserver/server_options.hpp"
#include "webserver/status_monitor.hpp"
#include "webserver/webui_assets.hpp"
#include "webserver/work_pool.hpp"

#include <memory>

namespace isr::web {

// Everything the handlers share. Built once at start-up; its members are thread-safe.
struct App {
    // Throws std::runtime_error when the recordings directory is missing.
    explicit App(ServerOptions options);
    ~App();

    // Removes a recording's analysis cache files. Never throws.
    void forget_analysis(const std::string& recording) const;
    // Removes cache files whose recordings are gone; returns how many. Never throws.
    std::size_t prune_orphans();

    // Finishes the jobs queued in the pools and joins their threads. Never throws.
    void stop_pools() noexcept;

    ServerOptions options;
    OriginPolicy origins;
    std::shared_ptr<const TimeZone> zone;
    std::shared_ptr<const RecordingsRoot> root;
    ArchiveIndex index;
    StatusMonitor status;
    WebUi ui;
    WorkPool work;   // listings, deletes, waiting for analyses
    WorkPool decode; // decoding for analyses, in parallel parts
    WorkPool media;  // clips and cuts
    std::unique_ptr<AnalysisService> analysis;
    ServerMetrics metrics; // requests and their durations, for /metrics
    // Whether isr-web may write the recordings folder (checked at start): false on a read-only
    // mount (compose, the systemd units) as well as with --read-only. Delete needs it; a ☆ Keep
    // then goes into the analysis cache folder instead of beside the recording.
    bool recordings_writable = false;
};

} // namespace isr::web
