#include "webserver/app.hpp"

#include "common/analysis_cache_paths.hpp"

#include "common/log.hpp"
#include "common/strings.hpp"
#include <unistd.h>

namespace isr::web {

namespace fs = std::filesystem;

App::App(ServerOptions opts)
    : options(std::move(opts)), origins(options.bind, options.allowed_hosts),
      zone(TimeZone::locate(options.timezone)), root([this] {
          std::error_code ec;
          if (!fs::is_directory(options.dir, ec)) {
              throw std::runtime_error(cat("recordings directory ", options.dir.string(),
                                           " does not exist; create it or pass --dir"));
          }
          return std::make_shared<const RecordingsRoot>(options.dir, options.analyses_dir);
      }()),
      index(root, zone), status(options.status_file), ui(options.webui_dir),
      work("work", options.workers), decode("decode", options.analysis_workers),
      media("media", options.media_workers),
      analysis(std::make_unique<AnalysisService>(options.analyses_dir, decode,
                                                 options.analysis_workers)),
      recordings_writable(!options.read_only && ::access(options.dir.c_str(), W_OK) == 0) {
    if (!options.read_only && !recordings_writable) {
        log::info("web", "the recordings folder ", options.dir.string(),
                  " is read-only for isr-web: no deleting; ☆ Keep marks go to ",
                  options.analyses_dir.string());
    }
}

void App::stop_pools() noexcept {
    // Connections are gone: analyses in flight stop at their next read, queued requests are
    // dropped. Work jobs may still wait for decode parts, so the decode pool stops last and runs
    // what is queued (cancelled parts return at once).
    analysis->cancel_all();
    work.stop(true);
    media.stop(true);
    decode.stop();
}

App::~App() = default;

void App::forget_analysis(const std::string& recording) const {
    analysis->forget(recording);
    remove_cache_files(options.analyses_dir, recording);
}

std::size_t App::prune_orphans() {
    std::size_t removed = 0;
    std::error_code ec;
    std::vector<fs::path> orphans;
    for (auto it = fs::recursive_directory_iterator(
             options.analyses_dir, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec))
            continue;
        const auto recording = recording_of_cache_file(options.analyses_dir, it->path());
        if (!recording)
            continue;
        std::error_code exists_ec;
        if (!fs::exists(options.dir / *recording, exists_ec) && !exists_ec)
            orphans.push_back(it->path());
    }
    for (const auto& path : orphans) {
        if (const auto recording = recording_of_cache_file(options.analyses_dir, path)) {
            remove_cache_files(options.analyses_dir, *recording);
            ++removed;
        }
    }
    if (removed)
        log::info("web", "removed ", removed, " analysis cache file(s) whose recordings are gone");
    return removed;
}

} // namespace isr::web
