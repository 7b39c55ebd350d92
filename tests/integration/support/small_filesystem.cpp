#include "tests/integration/support/small_filesystem.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>

#include <sys/mount.h>

namespace isr::test {

SmallFilesystem::SmallFilesystem(std::filesystem::path where, const std::string& size) : path_(std::move(where)) {
    std::filesystem::create_directories(path_);
    const auto options = "size=" + size;
    mounted_ = ::mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) == 0;
    if (!mounted_) {
        WARN("cannot mount a " << size << " tmpfs on " << path_ << " (" << std::strerror(errno)
                               << "; not root?): the disk-full test is skipped");
    }
}

SmallFilesystem::~SmallFilesystem() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
}

} // namespace isr::test
