#include "webserver/analysis/analysis_service.hpp"

#include "common/analysis_cache_paths.hpp"
#include "common/log.hpp"
#include "webserver/work_pool.hpp"

namespace isr::web {

namespace {
constexpr std::size_t kRecentLevels = 16; // ~2 MB for hour-long files
}

AnalysisService::AnalysisService(std::filesystem::path analyses_dir, WorkPool& decode_pool,
                                 int parts)
    : dir_(std::move(analyses_dir)), pool_(decode_pool), parts_(parts) {
    // Listings ask about every file; knowing which have a sections file saves a stat each.
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(
             dir_, std::filesystem::directory_options::skip_permission_denied, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        const auto name = it->path().native();
        if (name.size() > kSectionsSuffix.size() &&
            name.compare(name.size() - kSectionsSuffix.size(), kSectionsSuffix.size(),
                         kSectionsSuffix) == 0) {
            if (auto recording = recording_of_cache_file(dir_, it->path()))
                on_disk_.insert(std::move(*recording));
        }
    }
}

void AnalysisService::cache_failed(const std::exception& e) {
    if (!cache_warned_.exchange(true)) {
        log::warning("web", "the analysis cache ", dir_.string(), " cannot be written (", e.what(),
                     "); analyses are computed but not kept. Use --analyses-dir to point it "
                     "somewhere writable.");
    }
}

std::shared_ptr<const Levels> AnalysisService::ready_levels(const std::string& name, FileKey key,
                                                            std::uint64_t inode,
                                                            std::optional<LevelsFile>& prefix) {
    {
        std::lock_guard lock(mutex_);
        for (auto it = recent_.begin(); it != recent_.end(); ++it) {
            if (std::get<0>(*it) == name && std::get<1>(*it) == key) {
                recent_.splice(recent_.begin(), recent_, it);
                ++cache_hits_;
                return std::get<2>(recent_.front());
            }
        }
    }
    auto disk = read_levels_file(levels_path(dir_, name));
    if (disk && disk->prefix_of(inode)) {
        prefix = std::move(disk);
    } else if (disk && disk->complete_for(key)) {
        auto levels = std::make_shared<const Levels>(std::move(disk->levels));
        ++cache_hits_;
        std::lock_guard lock(mutex_);
        recent_.emplace_front(name, key, levels);
        if (recent_.size() > kRecentLevels)
            recent_.pop_back();
        return levels;
    }
    return nullptr;
}

std::shared_ptr<LevelsComputation> AnalysisService::join_or_start(const std::string& name,
                                                                  const std::filesystem::path& file,
                                                                  FileKey key,
                                                                  const Levels* prefix) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_)
            throw std::runtime_error("the server is shutting down");
        if (const auto it = jobs_.find(name); it != jobs_.end() && it->second.key == key)
            return it->second.computation;
    }
    // Starting opens the file: not under the lock, which every listing and analysis takes.
    auto computation = LevelsComputation::start(file, pool_, parts_, prefix);
    std::lock_guard lock(mutex_);
    if (const auto it = jobs_.find(name); it != jobs_.end()) {
        if (it->second.key == key) {
            computation->cancel(); // another request started the same one meanwhile: join it
            return it->second.computation;
        }
        it->second.computation->cancel(); // the file changed under it
    }
    jobs_[name] = Job{key, computation};
    ++cache_misses_;
    return computation;
}

std::shared_ptr<const Levels>
AnalysisService::collect(const std::string& name, FileKey key,
                         const std::shared_ptr<LevelsComputation>& job) {
    std::shared_ptr<const Levels> levels;
    try {
        levels = job->get();
    } catch (...) {
        std::lock_guard lock(mutex_);
        if (const auto it = jobs_.find(name); it != jobs_.end() && it->second.computation == job)
            jobs_.erase(it);
        throw;
    }
    bool first = false;
    {
        std::lock_guard lock(mutex_);
        if (const auto it = jobs_.find(name); it != jobs_.end() && it->second.computation == job) {
            jobs_.erase(it);
            first = true;
            recent_.emplace_front(name, key, levels);
            if (recent_.size() > kRecentLevels)
                recent_.pop_back();
        }
    }
    if (first) {
        try {
            LevelsStamp stamp;
            stamp.complete = true;
            stamp.key = key;
            stamp.frames = std::llround(levels->duration * levels->sample_rate);
            write_levels_file(levels_path(dir_, name), *levels, stamp);
        } catch (const std::exception& e) {
            cache_failed(e);
        }
    }
    return levels;
}

std::vector<CachedSections> AnalysisService::cached_sections(const std::string& name, FileKey key) {
    {
        std::lock_guard lock(mutex_);
        if (const auto it = sections_.find(name); it != sections_.end() && it->second.key == key)
            return it->second.entries;
        if (!on_disk_.count(name))
            return {};
    }
    // Read and parsed without the lock; published under it unless a newer state got there first.
    auto entries = read_sections_file(sections_path(dir_, name), key);
    std::lock_guard lock(mutex_);
    auto& entry = sections_[name];
    if (!(entry.key == key) || entry.entries.empty()) {
        entry.key = key;
        entry.entries = entries;
    }
    return entry.entries;
}

AnalysisOutcome AnalysisService::outcome(const std::string& name, FileKey key,
                                         std::shared_ptr<const Levels> levels, bool levels_cached,
                                         const SectionParams& params) {
    AnalysisOutcome out;
    out.levels = std::move(levels);
    out.levels_cached = levels_cached;
    out.floor = noise_floor(out.levels->db, out.levels->window_seconds);
    for (const auto& e : cached_sections(name, key)) {
        if (same_params(e.params, params)) {
            out.sections = e.sections;
            out.sections_cached = true;
            return out;
        }
    }
    out.sections = find_sections(out.levels->db, out.floor, out.levels->window_seconds, params);
    std::vector<CachedSections> to_write;
    {
        std::lock_guard lock(mutex_);
        auto& entry = sections_[name];
        if (!(entry.key == key))
            entry = SectionsEntry{key, {}};
        entry.entries.push_back({params, out.sections});
        on_disk_.insert(name);
        if (entry.entries.size() > 16)
            entry.entries.erase(entry.entries.begin());
        to_write = entry.entries;
    }
    try {
        write_sections_file(sections_path(dir_, name), key, std::move(to_write));
    } catch (const std::exception& e) {
        cache_failed(e);
    }
    return out;
}

AnalysisOutcome AnalysisService::analyze(const std::string& name, const std::filesystem::path& file,
                                         FileKey key, std::uint64_t inode,
                                         const SectionParams& params) {
    std::optional<LevelsFile> prefix;
    if (auto levels = ready_levels(name, key, inode, prefix))
        return outcome(name, key, std::move(levels), true, params);
    auto job = join_or_start(name, file, key, prefix ? &prefix->levels : nullptr);
    return outcome(name, key, collect(name, key, job), false, params);
}

std::variant<AnalysisOutcome, double> AnalysisService::poll(const std::string& name,
                                                            const std::filesystem::path& file,
                                                            FileKey key, std::uint64_t inode,
                                                            const SectionParams& params) {
    std::optional<LevelsFile> prefix;
    if (auto levels = ready_levels(name, key, inode, prefix))
        return outcome(name, key, std::move(levels), true, params);
    auto job = join_or_start(name, file, key, prefix ? &prefix->levels : nullptr);
    if (!job->done())
        return job->progress();
    return outcome(name, key, collect(name, key, job), false, params);
}

AnalysisOutcome AnalysisService::analyze_live(const std::string& name,
                                              const std::filesystem::path& file,
                                              std::uint64_t inode, const SectionParams& params,
                                              const std::set<std::string>& live) {
    live_.retain(live);
    {
        std::lock_guard lock(mutex_);
        if (stopping_)
            throw std::runtime_error("the server is shutting down");
    }
    AnalysisOutcome out;
    out.live = true;
    out.levels = live_.levels(name, file, inode, levels_path(dir_, name));
    out.floor = noise_floor(out.levels->db, out.levels->window_seconds);
    out.sections = find_sections(out.levels->db, out.floor, out.levels->window_seconds, params);
    return out;
}

std::vector<SectionParams> AnalysisService::cached_params(const std::string& name, FileKey key) {
    std::vector<SectionParams> out;
    for (const auto& e : cached_sections(name, key))
        out.push_back(e.params);
    return out;
}

void AnalysisService::forget(const std::string& name) {
    std::lock_guard lock(mutex_);
    sections_.erase(name);
    on_disk_.erase(name);
    recent_.remove_if([&name](const auto& t) { return std::get<0>(t) == name; });
    if (const auto it = jobs_.find(name); it != jobs_.end()) {
        it->second.computation->cancel();
        jobs_.erase(it);
    }
}

AnalysisService::Counters AnalysisService::counters() {
    Counters c;
    c.cache_hits = cache_hits_;
    c.cache_misses = cache_misses_;
    std::lock_guard lock(mutex_);
    c.running = jobs_.size();
    return c;
}

void AnalysisService::cancel_all() noexcept {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [name, job] : jobs_)
        job.computation->cancel();
}

} // namespace isr::web
