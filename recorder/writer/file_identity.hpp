#pragma once

#include "common/file_util.hpp"

#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::rec {

// Which file a descriptor is, so that a recording is removed only while its name still leads
// to it: the folder may have been removed and recreated meanwhile, and the name taken by a new
// file.
struct FileIdentity {
    dev_t device = 0;
    ino_t inode = 0;
    bool known = false;

    static FileIdentity of(int fd) noexcept {
        struct stat st {};
        if (::fstat(fd, &st) != 0)
            return {};
        return {st.st_dev, st.st_ino, true};
    }
    static FileIdentity at(const std::filesystem::path& path) noexcept {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0)
            return {};
        return {st.st_dev, st.st_ino, true};
    }
    // Whether `path` still names this file.
    bool named_by(const std::filesystem::path& path) const noexcept {
        struct stat st {};
        return known && ::stat(path.c_str(), &st) == 0 && st.st_dev == device && st.st_ino == inode;
    }
    // Removes `path` if it still names this file.
    void remove(const std::filesystem::path& path) const noexcept {
        if (named_by(path))
            ::unlink(path.c_str());
    }
};

// A folder's identity with the folder held open (O_PATH), so that its inode cannot be freed while
// it is watched. Without the hold, `rm -rf rec && mkdir rec` on ext4 gives the new folder the old
// one's inode number at once, and a plain FileIdentity would see the same folder.
class PinnedFolder {
public:
    PinnedFolder() = default;
    static PinnedFolder at(const std::filesystem::path& path) noexcept {
        PinnedFolder pinned;
        pinned.fd_ = UniqueFd(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        // Out of descriptors: the identity unpinned, as good as it was before the hold.
        pinned.identity_ = pinned.fd_ ? FileIdentity::of(pinned.fd_.get()) : FileIdentity::at(path);
        return pinned;
    }
    // Whether `path` still names the folder held.
    bool named_by(const std::filesystem::path& path) const noexcept {
        return identity_.named_by(path);
    }

private:
    UniqueFd fd_;
    FileIdentity identity_;
};

// Whether the file open on `fd` has no name left: deleted, or its folder removed.
inline bool file_deleted(int fd) noexcept {
    struct stat st {};
    return ::fstat(fd, &st) == 0 && st.st_nlink == 0;
}

} // namespace isr::rec
