#pragma once

#include "common/levels/loudness.hpp"
#include "webserver/analysis/analysis_cache.hpp"
#include "webserver/analysis/levels.hpp"
#include "webserver/analysis/live_levels.hpp"

#include <atomic>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace isr::web {

class WorkPool;

struct AnalysisOutcome {
    std::shared_ptr<const Levels> levels;
    std::vector<float> floor; // per window
    std::vector<Section> sections;
    bool levels_cached = false; // no audio was decoded for this answer
    bool sections_cached = false;
    bool live = false; // the file is being recorded: this is what it holds so far
};

// The analysis of recordings, decoded once per file state and shared: levels come from memory,
// then the disk cache under `analyses_dir` (isrd's levels file when complete for the file),
// then one decode on the decode pool that concurrent requests for the same file join; an
// unfinished levels file of the same file (isrd stopped mid-recording) is completed by decoding
// only the rest. Sections for new parameters are computed from the levels
// in milliseconds. A cache folder that cannot be written is reported once; analyses then still
// work, they are just not kept. Thread-safe; files are read and opened outside its one lock,
// which only guards the maps.
class AnalysisService {
public:
    AnalysisService(std::filesystem::path analyses_dir, WorkPool& decode_pool, int parts);

    // Blocks until the analysis is ready. Throws std::runtime_error when the file cannot be
    // decoded. Called from a work-pool thread (never an I/O thread).
    // `inode` ties an unfinished levels file to the file it was made of.
    AnalysisOutcome analyze(const std::string& name, const std::filesystem::path& file, FileKey key,
                            std::uint64_t inode, const SectionParams& params);

    // Never blocks on decoding: the outcome when the levels are ready, or else the progress
    // (0..1) of the decode it starts or joins.
    std::variant<AnalysisOutcome, double> poll(const std::string& name,
                                               const std::filesystem::path& file, FileKey key,
                                               std::uint64_t inode, const SectionParams& params);

    // A file isrd is recording now: the analysis of what it holds so far, decoding only what
    // was appended since the last request (see LiveLevels). Sections are computed each time
    // and kept nowhere (the file changes every second). `live`: the files being recorded now;
    // the kept state of any other file is dropped. Blocks; throws std::runtime_error.
    AnalysisOutcome analyze_live(const std::string& name, const std::filesystem::path& file,
                                 std::uint64_t inode, const SectionParams& params,
                                 const std::set<std::string>& live);
    // Frames decoded for live files so far (tests, /metrics).
    std::uint64_t live_frames_decoded() const noexcept { return live_.frames_decoded(); }

    // Parameter sets whose sections are cached for this state of the file.
    std::vector<SectionParams> cached_params(const std::string& name, FileKey key);
    // The recording is gone: drop what is kept about it (its files go with remove_cache_files).
    void forget(const std::string& name);
    // Shutdown: cancels every decode in flight; analyses asked for afterwards fail.
    void cancel_all() noexcept;

    // For /metrics: answers whose levels came from memory or the disk cache, decodes started,
    // and decodes in flight now.
    struct Counters {
        std::uint64_t cache_hits = 0;
        std::uint64_t cache_misses = 0;
        std::size_t running = 0;
    };
    Counters counters();

private:
    struct Job {
        FileKey key;
        std::shared_ptr<LevelsComputation> computation;
    };
    struct SectionsEntry {
        FileKey key;
        std::vector<CachedSections> entries;
    };

    // The levels when known for this state of the file; else `prefix` receives an unfinished
    // levels file of the same inode, if there is one.
    std::shared_ptr<const Levels> ready_levels(const std::string& name, FileKey key,
                                               std::uint64_t inode,
                                               std::optional<LevelsFile>& prefix);
    std::shared_ptr<LevelsComputation> join_or_start(const std::string& name,
                                                     const std::filesystem::path& file, FileKey key,
                                                     const Levels* prefix);
    std::shared_ptr<const Levels> collect(const std::string& name, FileKey key,
                                          const std::shared_ptr<LevelsComputation>& job);
    AnalysisOutcome outcome(const std::string& name, FileKey key,
                            std::shared_ptr<const Levels> levels, bool levels_cached,
                            const SectionParams& params);
    // The cached sections of this state of the file, from memory or read from disk (outside the
    // lock). Empty when there are none.
    std::vector<CachedSections> cached_sections(const std::string& name, FileKey key);
    void cache_failed(const std::exception& e);

    std::filesystem::path dir_;
    WorkPool& pool_;
    int parts_;
    std::mutex mutex_;
    std::map<std::string, Job> jobs_;
    std::list<std::tuple<std::string, FileKey, std::shared_ptr<const Levels>>>
        recent_; // most recent first
    std::map<std::string, SectionsEntry> sections_;
    std::set<std::string> on_disk_; // recordings with a sections file, read once at start-up
    std::atomic<bool> cache_warned_{false};
    std::atomic<std::uint64_t> cache_hits_{0};
    std::atomic<std::uint64_t> cache_misses_{0};
    bool stopping_ = false; // under mutex_
    LiveLevels live_;
};

} // namespace isr::web
