#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace isr {

// Owns a POSIX file descriptor.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other)
            reset(std::exchange(other.fd_, -1));
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset(int fd = -1) noexcept;

private:
    int fd_ = -1;
};

// Writes all of `data` to `fd`, retrying short writes and EINTR. Throws std::system_error
// whose message names `what` (usually the file's path).
void write_all(int fd, std::string_view data, const std::string& what);

// Replaces `path` atomically: writes a temporary file in the same directory, fsyncs it, renames
// it over `path` and fsyncs the directory, so readers see the old or the new content, never a
// mix, even after a power cut. Throws std::system_error naming the path.
void write_file_atomic(const std::filesystem::path& path, std::string_view data);

// Up to `length` bytes of `fd` from `offset`; fewer at the end of the file or on a read error
// (callers parse what they get and treat a short header as unreadable).
std::vector<std::uint8_t> pread_bytes(int fd, std::uint64_t offset, std::size_t length);

// Opens a regular file for reading without ever blocking: a FIFO or a device named like the file
// is refused (ENXIO-like EINVAL system_error) instead of waiting in open(2) for a writer.
// Throws std::system_error naming the path.
UniqueFd open_regular_file(const std::filesystem::path& path);
// Why open_regular_file failed, without the path (for messages that must not show folders).
std::string open_failure_reason(const std::system_error& error);

// Reads a whole (small) regular file, at most `limit` bytes (EFBIG beyond). With `pipes`, a FIFO
// is read too, waiting for its writer (a config given as `<(command)`). Throws
// std::system_error naming the path.
std::string read_small_file(const std::filesystem::path& path, std::size_t limit = 32 * 1024 * 1024,
                            bool pipes = false);

struct CreatedFile {
    std::filesystem::path path;
    UniqueFd fd;
};

// Creates `<dir>/<stem><suffix><ext>` exclusively (O_EXCL), creating missing directories.
// An existing file is never overwritten: the suffix goes "", "_1", "_2", … until a free name
// is found. `ext` includes its dot. Throws std::system_error naming the path.
CreatedFile create_unique_file(const std::filesystem::path& dir, std::string_view stem,
                               std::string_view ext);

// The same for a '/'-separated path relative to `dir` (ReplayTemplate::render()): the suffix
// goes before the file name's extension, from its last '.' ("a/b.wav", "a/b_1.wav", …; no
// extension: at the end). Throws std::invalid_argument, creating nothing, when `relative` is
// absolute or has an empty, '.' or '..' part; std::system_error naming the path.
CreatedFile create_unique_file_at(const std::filesystem::path& dir, std::string_view relative);

// `path` relative to `root` with '/' separators, or the absolute path if it is not under root.
std::string relative_to(const std::filesystem::path& path, const std::filesystem::path& root);

} // namespace isr
