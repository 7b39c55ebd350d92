#pragma once

#include "common/file_util.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <sys/stat.h>

namespace isr::web {

// A recording named by a client, resolved inside the root.
struct Recording {
    std::filesystem::path absolute;
    std::string relative; // '/' separated, as clients name it
};

// A recording opened for reading.
struct OpenRecording {
    UniqueFd fd;
    struct stat st {};
};

// The recordings directory as a security boundary. Every name from a URL goes through
// resolve(): "..", absolute paths, NUL, backslashes, leftover percent escapes (double encoding),
// hidden files, the analysis cache, non-audio files and symlinks leading outside the root all
// come back as nullopt, which handlers answer with a plain 404 that reveals no server path.
class RecordingsRoot {
public:
    // `root` must exist. `hidden_subdir` (the analysis cache when it lives inside the root) is
    // never served. Throws std::filesystem::filesystem_error.
    RecordingsRoot(const std::filesystem::path& root, const std::filesystem::path& hidden_subdir);

    std::optional<Recording> resolve(std::string_view name) const;
    // The same check, and the file opened: with openat2(RESOLVE_BENEATH) the kernel resolves
    // and opens in one step (the hot path of /stream); names it refuses (an absolute symlink
    // back into the root) and older kernels take the resolve() route.
    std::optional<OpenRecording> open(std::string_view name) const;
    // The name is well-formed (says nothing about existence).
    static bool safe_name(std::string_view name) noexcept;

    const std::filesystem::path& path() const noexcept { return root_; }
    // True for paths (relative, '/' separated) under the hidden cache folder.
    bool hidden(std::string_view relative) const noexcept;

private:
    std::filesystem::path root_; // canonical
    std::string hidden_prefix_;  // "analyses/" or empty
    UniqueFd root_fd_;
};

} // namespace isr::web
