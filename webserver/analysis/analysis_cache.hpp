#pragma once

#include "common/file_key.hpp"
#include "common/levels/levels_file.hpp"
#include "common/levels/loudness.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace isr::web {

// The levels (common/levels/levels_file.hpp) are isrd's and isr-web's; the sections made of them
// for each parameter set are isr-web's, in "<recording>.analysis.json", under the same version.
inline constexpr std::uint32_t kAnalyserVersion = kLevelsVersion;

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
