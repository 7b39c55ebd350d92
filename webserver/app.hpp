#pragma once

#include "common/time_zone.hpp"
#include "webserver/archive/archive_index.hpp"
#include "webserver/archive/recordings_root.hpp"
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
    void forget_analysis(const std::string& recording);
    // Removes cache files whose recordings are gone; returns how many. Never throws.
    std::size_t prune_orphans();

    ServerOptions options;
    std::shared_ptr<const TimeZone> zone;
    std::shared_ptr<const RecordingsRoot> root;
    ArchiveIndex index;
    StatusMonitor status;
    WebUi ui;
};

} // namespace isr::web
