#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace isr {

// The analysis cache mirrors the recordings: for "radio1/2026/11/21/radio1_140000.mp3" it keeps
// "<analyses>/radio1/2026/11/21/radio1_140000.mp3.levels" (per-window levels, decoded once)
// and "….mp3.analysis.json" (sections per parameter set).
// isr-web's default cache folder inside the recordings folder (its --analyses-dir); isrd's
// retention removes a deleted recording's entries there. Kept in common/ for that reason.
inline constexpr std::string_view kDefaultAnalysesFolder = "analyses";
inline constexpr std::string_view kLevelsSuffix = ".levels";
inline constexpr std::string_view kSectionsSuffix = ".analysis.json";
// A ☆ Keep set through isr-web when it cannot write the recordings folder (a read-only mount,
// as in the compose file and the systemd units): "<analyses>/<recording>.keep". isrd's retention
// honours it like a "<recording>.keep" next to the recording.
inline constexpr std::string_view kKeepSuffix = ".keep";

std::filesystem::path levels_path(const std::filesystem::path& analyses,
                                  std::string_view recording);
std::filesystem::path sections_path(const std::filesystem::path& analyses,
                                    std::string_view recording);
std::filesystem::path keep_mark_path(const std::filesystem::path& analyses,
                                     std::string_view recording);
// Whether the recording has a keep mark in the cache folder (a regular file, not a link).
bool has_keep_mark(const std::filesystem::path& analyses, std::string_view recording) noexcept;

// The recording a cache file belongs to ("a/b.mp3" for "<analyses>/a/b.mp3.levels"), or nullopt
// for files that are not cache files.
std::optional<std::string> recording_of_cache_file(const std::filesystem::path& analyses,
                                                   const std::filesystem::path& cache_file);

// Removes a recording's cache files (its keep mark too) and the folders that leaves empty. Never
// throws.
void remove_cache_files(const std::filesystem::path& analyses, std::string_view recording) noexcept;

} // namespace isr
