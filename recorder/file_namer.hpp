#pragma once

#include "common/config.hpp"
#include "common/file_util.hpp"
#include "common/filename_pattern.hpp"
#include "common/split_schedule.hpp"

#include <filesystem>
#include <string>

namespace isr::rec {

// Where a source's files go and when they split: output_directory + filename_pattern in the
// source's time zone, on its split schedule.
class FileNamer {
public:
    // Throws std::runtime_error when the time zone cannot be loaded.
    FileNamer(const SourceConfig& cfg, std::filesystem::path status_root);

    // Creates the file for audio starting at `utc_seconds`; never overwrites. Throws
    // std::system_error naming the path.
    CreatedFile create(double utc_seconds, std::string_view extension) const;

    // The first split boundary after `utc_seconds`, in UTC seconds.
    double next_boundary(double utc_seconds) const;

    // `path` relative to the recordings root (status.json's folder), '/' separated.
    std::string relative(const std::filesystem::path& path) const;

    // ISO 8601 in the source's zone.
    std::string timestamp(double utc_seconds) const;

    const SplitSchedule& schedule() const noexcept { return schedule_; }
    // The recordings root (status.json's folder): isr-web's --dir, home of the analyses folder.
    const std::filesystem::path& status_root() const noexcept { return status_root_; }

private:
    std::string source_;
    std::filesystem::path directory_;
    std::filesystem::path status_root_;
    FilenamePattern pattern_;
    SplitSchedule schedule_;
};

} // namespace isr::rec
