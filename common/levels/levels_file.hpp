#pragma once

#include "common/file_key.hpp"
#include "common/file_util.hpp"
#include "common/levels/levels.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

// The levels file, "<analyses>/<recording>.levels": isrd appends to it while it records and
// completes it when the file closes; isr-web reads it, completes one left behind, or writes one
// after decoding. Layout (host byte order): an 80-byte header with its own CRC-32, then one
// 16-bit centi-dB per window (72 KB for an hour).
namespace isr {

// Version of the levels and of the analysis made of them: bumped on any change of either, so
// older files are ignored (and made again).
inline constexpr std::uint32_t kLevelsVersion = 2;

// What a levels file says about the recording it belongs to.
struct LevelsStamp {
    bool complete = false;   // covers the whole recording; else its first `frames` frames
    bool recorded = false;   // written by isrd while recording (else decoded afterwards)
    FileKey key;             // the recording's size and mtime, when complete
    std::uint64_t inode = 0; // the recording's inode (0: unknown)
    std::int64_t frames = 0; // frames the windows cover
};

struct LevelsFile {
    Levels levels;
    LevelsStamp stamp;

    // The complete analysis of the recording as it is now.
    bool complete_for(FileKey key) const noexcept { return stamp.complete && stamp.key == key; }
    // The start of this recording's analysis (recorded or decoded so far, not complete): the
    // same file (inode) and no longer than it could be.
    bool prefix_of(std::uint64_t inode) const noexcept {
        return !stamp.complete && stamp.inode != 0 && stamp.inode == inode;
    }
};

// The file's bytes. Levels are stored as centi-dB, clamped to ±300 dB.
std::string encode_levels(const Levels& levels, const LevelsStamp& stamp);
// Writes atomically (readers see the old file or the new one). Throws std::system_error.
void write_levels_file(const std::filesystem::path& path, const Levels& levels,
                       const LevelsStamp& stamp);
// nullopt when damaged or from another version. An unfinished file's windows are what its body
// holds (whole windows), its duration and frames those of the windows. Pure; never throws.
std::optional<LevelsFile> parse_levels(std::string_view data) noexcept;
// nullopt when missing or unreadable too. Never throws.
std::optional<LevelsFile> read_levels_file(const std::filesystem::path& path) noexcept;

// Writes a levels file as the recording grows: a header saying "unfinished", then windows
// appended as they come (readers see whole windows), then complete() rewrites the header with
// the recording's key. Every error throws std::system_error naming the file; the caller then
// drops the appender (what is on disk stays a valid, unfinished levels file, or none).
class LevelsAppender {
public:
    // Replaces `path` (creating its folder) with an empty, unfinished levels file.
    LevelsAppender(std::filesystem::path path, int rate, int channels, std::uint64_t inode);
    LevelsAppender(const LevelsAppender&) = delete;
    LevelsAppender& operator=(const LevelsAppender&) = delete;

    void append(std::span<const float> db);
    // The recording is closed: its last partial window (if any), its key and total frames.
    void complete(std::optional<float> last_window, FileKey key, std::int64_t frames);

    const std::filesystem::path& path() const noexcept { return path_; }
    std::size_t windows() const noexcept { return count_; }

private:
    std::filesystem::path path_;
    UniqueFd fd_;
    int rate_;
    int channels_;
    std::uint64_t inode_;
    std::size_t count_ = 0;
    std::uint32_t body_crc_ = 0;
};

} // namespace isr
