#include "common/file_util.hpp"

#include "common/strings.hpp"

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr {

namespace fs = std::filesystem;

void UniqueFd::reset(int fd) noexcept {
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = fd;
}

void write_all(int fd, std::string_view data, const std::string& what) {
    while (!data.empty()) {
        const auto n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw std::system_error(errno, std::generic_category(), "write " + what);
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

namespace {
void fsync_dir(const fs::path& dir) noexcept {
    const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}
} // namespace

void write_file_atomic(const fs::path& path, std::string_view data) {
    auto tmp = path;
    tmp += cat(".tmp.", ::getpid());
    {
        UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!fd)
            throw std::system_error(errno, std::generic_category(), "create " + tmp.string());
        try {
            write_all(fd.get(), data, tmp.string());
            if (::fsync(fd.get()) != 0) {
                throw std::system_error(errno, std::generic_category(), "fsync " + tmp.string());
            }
        } catch (...) {
            ::unlink(tmp.c_str());
            throw;
        }
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw std::system_error(err, std::generic_category(), "rename to " + path.string());
    }
    fsync_dir(path.parent_path());
}

std::vector<std::uint8_t> pread_bytes(int fd, std::uint64_t offset, std::size_t length) {
    std::vector<std::uint8_t> out(length);
    std::size_t done = 0;
    while (done < length) {
        const auto n =
            ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += static_cast<std::size_t>(n);
    }
    out.resize(done);
    return out;
}

UniqueFd open_regular_file(const fs::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (!fd)
        throw std::system_error(errno, std::generic_category(), "open " + path.string());
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        throw std::system_error(errno, std::generic_category(), "stat " + path.string());
    if (!S_ISREG(st.st_mode)) {
        throw std::system_error(EINVAL, std::generic_category(),
                                "open " + path.string() + ": not a regular file");
    }
    return fd;
}

std::string open_failure_reason(const std::system_error& error) {
    return error.code() == std::errc::invalid_argument ? "not a regular file"
                                                       : error.code().message();
}

std::string read_small_file(const fs::path& path, std::size_t limit, bool pipes) {
    UniqueFd fd;
    if (pipes) {
        fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd)
            throw std::system_error(errno, std::generic_category(), "open " + path.string());
    } else {
        fd = open_regular_file(path);
    }
    std::string out;
    char buf[16384];
    for (;;) {
        const auto n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw std::system_error(errno, std::generic_category(), "read " + path.string());
        }
        if (n == 0)
            break;
        if (out.size() + static_cast<std::size_t>(n) > limit) {
            throw std::system_error(EFBIG, std::generic_category(), "read " + path.string());
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

CreatedFile create_unique_file(const fs::path& dir, std::string_view stem, std::string_view ext) {
    const fs::path base = dir / std::string(stem);
    std::error_code ec;
    fs::create_directories(base.parent_path(), ec);
    if (ec)
        throw std::system_error(ec, "create directory " + base.parent_path().string());
    for (unsigned n = 0;; ++n) {
        fs::path candidate = base;
        candidate += n == 0 ? std::string(ext) : cat('_', n, ext);
        const int fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0)
            return {candidate, UniqueFd(fd)};
        if (errno != EEXIST || n >= 100000) {
            throw std::system_error(errno, std::generic_category(), "create " + candidate.string());
        }
    }
}

CreatedFile create_unique_file_at(const fs::path& dir, std::string_view relative) {
    // The rendered name is built to be safe; this check keeps a future caller from writing
    // outside `dir` with a name that is not.
    if (relative.empty() || relative.front() == '/')
        throw std::invalid_argument(cat("'", printable(relative), "' is not a relative path"));
    for (const auto& part : split(relative, '/')) {
        if (part.empty() || part == "." || part == "..") {
            throw std::invalid_argument(
                cat("'", printable(relative), "' has an empty, '.' or '..' part"));
        }
    }
    const auto name_start = relative.rfind('/') + 1; // 0 without a '/'
    auto dot = relative.rfind('.');
    if (dot == std::string_view::npos || dot <= name_start)
        dot = relative.size(); // no extension, or a name that is all extension
    return create_unique_file(dir, relative.substr(0, dot), relative.substr(dot));
}

std::string relative_to(const fs::path& path, const fs::path& root) {
    std::error_code ec;
    const auto abs_path = fs::weakly_canonical(fs::absolute(path, ec), ec);
    const auto abs_root = fs::weakly_canonical(fs::absolute(root, ec), ec);
    const auto rel = abs_path.lexically_relative(abs_root);
    if (rel.empty() || *rel.begin() == "..")
        return abs_path.generic_string();
    return rel.generic_string();
}

} // namespace isr
