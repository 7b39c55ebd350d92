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
    std::filesystem::path absolute; // the real path: no symbolic link left in it
    std::string relative;           // the real path from the root, '/' separated
    std::string requested;          // the name the client gave
    // The name goes through a symbolic link (it differs from the real name).
    bool via_link() const noexcept { return relative != requested; }
};

// A recording opened for reading.
struct OpenRecording {
    Recording recording;
    UniqueFd fd;
    struct stat st {};
};

// The recordings directory as a security boundary: every name from a URL goes through here,
// and one policy applies to all endpoints.
//
// A name is first checked as written: relative, no "..", no NUL or control characters, no
// hidden component (".x"), not in the analysis cache, an audio extension. Then
// it is resolved to its real path (symbolic links followed), and the same rules apply again to
// what it resolves to, which must also be inside the root and a regular file. A link inside the
// root to a recording inside the root is an alias of it; a link to anything else (status.json,
// a hidden file, the cache, a FIFO, a file outside) is as if it did not exist. Handlers apply
// their own rules (is it being recorded?) to the real name; DELETE removes a link, never its
// target (see unlink()). Refusals come back as nullopt, which handlers answer with a plain 404
// that reveals no server path.
class RecordingsRoot {
public:
    // `root` must exist. `hidden_subdir` (the analysis cache when it lives inside the root) is
    // never served. Throws std::filesystem::filesystem_error.
    RecordingsRoot(const std::filesystem::path& root, const std::filesystem::path& hidden_subdir);

    // The name resolved and checked. Never opens the file (a FIFO named like audio is refused
    // by its type, not waited on).
    std::optional<Recording> resolve(std::string_view name) const;
    // The same, and the file opened without blocking, its type checked on the open descriptor.
    // Names without symbolic links resolve and open in one openat2(RESOLVE_BENEATH |
    // RESOLVE_NO_SYMLINKS) call, the hot path of /stream.
    std::optional<OpenRecording> open(std::string_view name) const;

    // Removes the directory entry `recording.requested` names (the link itself when it is one;
    // the link's target stays). Refused (EXDEV) when a folder on the way is a symbolic link:
    // removing through it would remove the target's entry. Returns 0 or an errno value.
    int unlink(const Recording& recording) const;

    // Creates (keep) or removes the empty marker "<name>.keep" next to the recording in its real
    // folder, which isrd's retention never deletes a recording with. The folder is opened
    // beneath the root without following links; the marker is created with O_EXCL|O_NOFOLLOW
    // (one already there is fine). Returns 0 or an errno value.
    int set_keep_marker(const Recording& recording, bool keep) const;
    // Whether "<relative>.keep" exists (not following a link in its place).
    bool has_keep_marker(std::string_view relative) const;

    // The name is well-formed (says nothing about existence). The listing shows only names
    // that pass, so every listed name resolves.
    static bool safe_name(std::string_view name) noexcept;

    const std::filesystem::path& path() const noexcept { return root_; }
    // True for paths (relative, '/' separated) under the hidden cache folder.
    bool hidden(std::string_view relative) const noexcept;

private:
    bool acceptable(std::string_view relative) const noexcept;

    std::filesystem::path root_; // canonical
    std::string hidden_prefix_;  // "analyses/" or empty
    UniqueFd root_fd_;
};

} // namespace isr::web
