#pragma once

#include "common/file_key.hpp"
#include "common/time_zone.hpp"
#include "webserver/archive/media_probe.hpp"
#include "webserver/archive/recordings_root.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace isr::web {

// One recording as /api/files lists it.
struct ArchiveEntry {
    std::string name; // relative, '/' separated
    std::uint64_t size = 0;
    double mtime = 0;          // seconds since the epoch
    std::int64_t mtime_ns = 0; // the same, exactly (part of cache keys)
    double start = 0;          // from the name when it parses, else mtime − duration
    std::string date;          // start, ISO 8601 in the server's zone
    bool start_from_name = false;
    std::string format; // extension: wav, flac, mp3, aac, ogg, opus…
    MediaFacts media;
    FileKey key() const noexcept { return {size, mtime_ns}; }
};

// Entries are immutable once made, and shared between the cache and the listings using them.
using EntryPtr = std::shared_ptr<const ArchiveEntry>;

// The recordings under the root, with their media facts cached by (path, size, mtime): listing
// 10,000 files reads 10,000 inodes but no headers once warm. Thread-safe.
class ArchiveIndex {
public:
    ArchiveIndex(std::shared_ptr<const RecordingsRoot> root, std::shared_ptr<const TimeZone> zone);

    // Walks the root (skipping hidden files, the analysis cache, status.json and temporary
    // files). `recording` names files being written: probed quickly, never cached. Newest first.
    std::vector<EntryPtr> scan(const std::set<std::string>& recording) const;

    // Facts for one file (cached the same way). Null if it is not a recording.
    EntryPtr entry(const std::string& relative, bool recording) const;

    void forget(const std::string& relative) const;

private:
    struct Cached {
        std::uint64_t size;
        std::int64_t mtime_ns;
        std::uint64_t scan; // the last scan that saw it
        EntryPtr entry;
    };
    EntryPtr entry_at(const std::string& relative, const std::filesystem::path& absolute,
                      bool recording, std::uint64_t scan) const;
    EntryPtr describe(const std::string& relative, const std::filesystem::path& absolute,
                      std::uint64_t size, std::int64_t mtime_ns, bool recording) const;

    std::shared_ptr<const RecordingsRoot> root_;
    std::shared_ptr<const TimeZone> zone_;
    // A cache, so const methods may fill it: callers see the same answers either way.
    mutable std::mutex mutex_;
    mutable std::unordered_map<std::string, Cached> cache_;
    mutable std::uint64_t scans_ = 0;
};

} // namespace isr::web
