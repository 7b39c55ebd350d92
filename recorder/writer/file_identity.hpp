#pragma once

#include <filesystem>

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

// Whether the file open on `fd` has no name left: deleted, or its folder removed.
inline bool file_deleted(int fd) noexcept {
    struct stat st {};
    return ::fstat(fd, &st) == 0 && st.st_nlink == 0;
}

} // namespace isr::rec
