#pragma once

#include "webserver/analysis/levels.hpp"
#include "webserver/analysis/loudness.hpp"
#include "webserver/archive/file_key.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace isr::web {

// Bumped whenever the levels or the section algorithm change: older cache files are ignored
// (and replaced when the recording is analysed again).
inline constexpr std::uint32_t kAnalyserVersion = 1;

// Per-window levels: a small binary file (header + one 16-bit centi-dB per window: 72 KB for an
// hour). Throws std::system_error when the file cannot be written.
void write_levels_file(const std::filesystem::path& path, const Levels& levels, FileKey key);
// nullopt when missing, damaged, from another analyser version or for another file state.
std::optional<Levels> read_levels_file(const std::filesystem::path& path, FileKey key);
// The same from the file's bytes. Pure; never throws.
std::optional<Levels> parse_levels(std::string_view data, FileKey key);

// Sections per parameter set, as JSON.
struct CachedSections {
    SectionParams params;
    std::vector<Section> sections;
};
std::vector<CachedSections> read_sections_file(const std::filesystem::path& path, FileKey key);
// The same from the file's text; entries that do not make sense are skipped. Pure.
std::vector<CachedSections> parse_sections(std::string_view text, FileKey key);
// Keeps the most recent `keep` parameter sets. Throws std::system_error.
void write_sections_file(const std::filesystem::path& path, FileKey key,
                         std::vector<CachedSections> entries, std::size_t keep = 16);

bool same_params(const SectionParams& a, const SectionParams& b) noexcept;

} // namespace isr::web
