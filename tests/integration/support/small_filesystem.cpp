#include "tests/integration/support/small_filesystem.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

namespace isr::test {

SmallFilesystem::SmallFilesystem(std::filesystem::path where, const std::string& size)
    : path_(std::move(where)) {
    std::filesystem::create_directories(path_);
    const auto options = "size=" + size;
    mounted_ = ::mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) == 0;
    if (!mounted_) {
        WARN("cannot mount a " << size << " tmpfs on " << path_ << " (" << std::strerror(errno)
                               << "; not root?): the disk-full test is skipped");
    }
}

std::filesystem::path SmallFilesystem::fill(const std::string& name) const {
    const auto file = path_ / name;
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    const std::string chunk(4096, 'x');
    for (std::size_t n = chunk.size(); n > 0; n /= 2) {
        while (::write(fd, chunk.data(), n) == static_cast<ssize_t>(n)) {
        }
    }
    ::close(fd);
    return file;
}

SmallFilesystem::~SmallFilesystem() {
    if (mounted_)
        ::umount2(path_.c_str(), MNT_DETACH);
}

bool SmallFilesystem::make_read_only() const {
    return mounted_ &&
           ::mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, nullptr) == 0;
}

} // namespace isr::test
