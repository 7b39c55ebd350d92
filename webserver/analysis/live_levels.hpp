#pragma once

#include "common/levels/levels.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace isr::web {

// The levels of files isrd is recording now, kept per file between requests so each request
// decodes only what was appended since the last one. A request starts from the most that is
// known: these windows, or isrd's unfinished levels file when it reaches further; it then
// decodes from the first frame after the last whole window to the end of what is safe to read
// (open_live_decoder). A decoder without exact seeks (AAC) decodes the whole file instead, at
// most every kWholeDecodeInterval (between them the last answer stands). Memory: four bytes a
// window per live file (1.2 MB for 8 hours); retain() drops files no longer recorded.
// Thread-safe: requests for the same file take turns (the second finds the first's windows and
// decodes only what came after); different files run in parallel.
class LiveLevels {
public:
    static constexpr std::chrono::seconds kWholeDecodeInterval{15};

    // The levels of `file` as it is now (the last window may be partial). `levels_file`: isrd's
    // levels file for it; used when it is unfinished, belongs to `inode` and fits. Blocks while
    // decoding: called from a work-pool thread. Throws std::runtime_error naming the file.
    std::shared_ptr<const Levels> levels(const std::string& name, const std::filesystem::path& file,
                                         std::uint64_t inode,
                                         const std::filesystem::path& levels_file);

    // Forgets every file not in `live` (isrd moved on: the file is analysed as a whole now).
    void retain(const std::set<std::string>& live);

    // Frames decoded since construction, for tests and /metrics.
    std::uint64_t frames_decoded() const noexcept { return frames_decoded_.load(); }
    std::size_t files() const;

private:
    struct Entry {
        std::mutex decoding; // one decode per file at a time
        std::uint64_t inode = 0;
        int rate = 0;
        int channels = 0;
        std::vector<float> db; // whole windows from the file's start
        std::shared_ptr<const Levels> last;
        std::chrono::steady_clock::time_point decoded_at{};
    };
    void extend(Entry& e, const std::filesystem::path& file, std::uint64_t inode,
                const std::filesystem::path& levels_file);

    mutable std::mutex mutex_; // guards entries_ only
    std::map<std::string, std::shared_ptr<Entry>> entries_;
    std::atomic<std::uint64_t> frames_decoded_{0};
};

} // namespace isr::web
