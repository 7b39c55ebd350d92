#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace isr::rec {

// A deletion done by retention, as reported to whoever records it (the continuity ledger).
struct RetentionDeletion {
    std::string path;   // relative to output_directory, '/' separated
    std::string source; // the source whose recording it was
    std::string reason; // "older than 30 days", …
    std::uint64_t bytes = 0;
};

// A finished-or-not recording retention may consider (retention_scan builds them).
struct RetentionCandidate {
    std::string name;        // relative to output_directory, '/' separated (status.json's names)
    std::size_t source = 0;  // index into RetentionInput::sources
    std::uint64_t bytes = 0; // its size
    std::uint64_t allocated = 0; // what deleting it gives back to the filesystem
    std::int64_t start = 0;      // UTC seconds: the start time in its name, else its mtime
    std::int64_t mtime = 0;      // UTC seconds
    bool kept = false;           // matches `protect`, or has a .keep marker
    bool on_guarded_disk = true; // on the filesystem the disk guard watches
};

struct RetentionLimits {
    std::string source;
    double max_age_days = 0;     // 0: none
    std::uint64_t max_bytes = 0; // 0: none
};

struct DiskSpace {
    std::uint64_t total = 0;     // f_blocks × f_frsize
    std::uint64_t available = 0; // f_bavail × f_frsize (what an unprivileged writer gets)
};

struct DiskGuard {
    double min_free_percent = 0;      // 0: off
    std::uint64_t min_free_bytes = 0; // 0: off
    bool enabled() const noexcept { return min_free_percent > 0 || min_free_bytes > 0; }
};

struct RetentionInput {
    std::vector<RetentionCandidate> files;
    std::vector<RetentionLimits> sources;
    std::set<std::string> active;  // files being written (by name): never deleted
    std::optional<DiskSpace> disk; // nullopt: unknown, the guard does nothing
    DiskGuard guard;
    std::int64_t now = 0; // UTC seconds
    // A file modified less than this before now (or after it) counts as being written: the
    // file a split has just created is on disk a moment before status names it.
    std::int64_t idle_seconds = 0;
};

struct PlannedDeletion {
    std::size_t file; // index into RetentionInput::files
    std::string reason;
};

struct RetentionPlan {
    // In the order to delete them; each file at most once.
    std::vector<PlannedDeletion> deletions;
    // Per source whose retention_max_gb cannot be met: why (kept files, the file being written).
    std::vector<std::pair<std::string, std::string>> unmet;
    // The disk stays below the guard once the deletions are done, and why.
    std::optional<std::string> disk_low;
};

// What retention deletes, and why, from a listing taken at `now`; no I/O, so every rule is
// tested without a filesystem. In this order:
//  1. age: a file whose start is more than max_age_days before now;
//  2. size: per source, oldest first, until its files (the one being written and kept ones
//     included: they take the space) total at most max_bytes;
//  3. free space: across sources, oldest first, files on the guarded filesystem until the free
//     space (as it will be after 1 and 2) reaches min_free_percent of the total and
//     min_free_bytes.
// Kept and active files (and those modified within idle_seconds) are never deleted. "Oldest" is by
// start, then by name. Pure.
RetentionPlan plan_retention(const RetentionInput& input);

// The free space the guard asks for on a filesystem of `total` bytes.
std::uint64_t required_free_bytes(const DiskGuard& guard, std::uint64_t total) noexcept;

} // namespace isr::rec
