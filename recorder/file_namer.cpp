#include "recorder/file_namer.hpp"

#include "common/time_format.hpp"

#include <cmath>

namespace isr::rec {

FileNamer::FileNamer(const SourceConfig& cfg, std::filesystem::path status_root)
    : source_(cfg.name), directory_(cfg.output_directory), status_root_(std::move(status_root)),
      pattern_(cfg.filename_pattern), schedule_(cfg.split, TimeZone::locate(cfg.timezone)) {}

CreatedFile FileNamer::create(double utc_seconds, std::string_view extension) const {
    const auto t = static_cast<std::int64_t>(std::floor(utc_seconds));
    return create_unique_file(directory_, pattern_.expand(source_, t, schedule_.zone()), extension);
}

double FileNamer::next_boundary(double utc_seconds) const {
    return static_cast<double>(
        schedule_.next_boundary(static_cast<std::int64_t>(std::floor(utc_seconds))));
}

std::string FileNamer::relative(const std::filesystem::path& path) const {
    return relative_to(path, status_root_);
}

std::string FileNamer::timestamp(double utc_seconds) const {
    return iso8601(static_cast<std::int64_t>(std::floor(utc_seconds)), schedule_.zone());
}

} // namespace isr::rec
