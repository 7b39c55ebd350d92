#pragma once

#include "common/file_util.hpp"
#include "recorder/retention/recording_names.hpp"
#include "recorder/retention/retention_plan.hpp"

#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace isr::rec {

// One source's recordings, as retention sees them.
struct ScanSource {
    std::string name;
    std::filesystem::path root; // the source's output_directory
    RecordingNames names;
};

// A recording found by scan_recordings: the candidate the planner judges, and where it is.
struct ScannedFile {
    RetentionCandidate candidate;
    std::size_t source = 0; // index into the sources given to scan_recordings
    std::string in_source;  // relative to the source's root, '/' separated
    dev_t dev = 0;          // identity at scan time: a file swapped in since is not deleted
    ino_t ino = 0;
};

struct ScanResult {
    std::vector<ScannedFile> files;
    std::vector<std::string> problems; // folders that could not be read, for the log
    std::set<std::pair<dev_t, ino_t>> claimed;
};

// Lists every source's recordings under `recordings_root` (general output_directory, which
// names are made relative to and `protect` globs are matched against). Never follows a symbolic
// link below a source's root: links are skipped, folders are opened with O_NOFOLLOW relative to
// their parent's descriptor. Hidden names are skipped. A file with a "<name>.keep" entry next to
// it, or matching a `protect` glob, is kept. `guarded_dev`: the filesystem the disk guard
// watches. Runs on the retention thread; never throws for I/O (problems are listed).
ScanResult scan_recordings(const std::vector<ScanSource>& sources,
                           const std::filesystem::path& recordings_root,
                           const std::vector<std::string>& protect, dev_t guarded_dev);

// Deletes a scanned file through descriptors opened from the source's root with O_NOFOLLOW,
// only if the entry is still the regular file the scan saw, then removes the folders after
// the fixed ones that this leaves empty. Returns 0 or an errno value (ELOOP, ENOTDIR: a folder
// on the way became a link; ESTALE: the entry is another file now).
int delete_recording(const ScanSource& source, const ScannedFile& file);

} // namespace isr::rec
