#pragma once

#include "common/file_util.hpp"
#include "recorder/writer/file_identity.hpp"
#include "recorder/writer/split_file.hpp"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <system_error>

namespace isr::rec {

// Writes a stream's bytes (frames and pages exactly as received, plus any injected headers) to
// one file. Units are collected in memory and written in one system call per flush() (the
// session flushes every second) or per 64 KiB: one write per MP3 frame cost more CPU than
// everything else a stream source does. The file on disk always ends between whole units; a
// failed write is rolled back to the last flushed size. A file that received no audio is
// deleted on close.
class ByteFileWriter final : public SplitFile {
public:
    explicit ByteFileWriter(CreatedFile file)
        : path_(std::move(file.path)), fd_(std::move(file.fd)),
          identity_(FileIdentity::of(fd_.get())) {}
    ~ByteFileWriter() override { (void)close(); }
    ByteFileWriter(const ByteFileWriter&) = delete;
    ByteFileWriter& operator=(const ByteFileWriter&) = delete;

    // Adds a whole unit holding `audio_seconds` of audio. Throws std::system_error (ENOSPC,
    // EIO…) naming the file when a flush it triggers fails. `audio` false for headers.
    void write(std::span<const std::uint8_t> bytes, bool audio, double audio_seconds = 0);
    // Writes what was collected. Throws std::system_error; the file then keeps what it had.
    void flush() override;
    // flush() and fdatasync. Throws std::system_error.
    void sync() override;
    // Flushes and closes. Returns the flush's error, if any: the file then keeps its last good
    // size, and audio_seconds_flushed() says what it holds.
    std::error_code close() noexcept override;

    const std::filesystem::path& path() const noexcept override { return path_; }
    // The file has no name any more (deleted, or its folder removed): what it holds is lost.
    bool deleted() const noexcept override { return fd_ && file_deleted(fd_.get()); }
    std::uint64_t bytes() const noexcept override { return flushed_ + pending_.size(); }
    std::uint64_t audio_bytes() const noexcept { return audio_bytes_; }
    // Audio on disk as of the last successful flush; after close(), what the file keeps.
    std::uint64_t audio_bytes_flushed() const noexcept { return audio_flushed_; }
    double audio_seconds_flushed() const noexcept { return seconds_flushed_; }
    double seconds_on_disk() const noexcept override { return seconds_flushed_; }

    static constexpr std::size_t kFlushBytes = 64 * 1024;

private:
    std::filesystem::path path_;
    UniqueFd fd_;
    FileIdentity identity_;
    std::string pending_;
    std::uint64_t flushed_ = 0;
    std::uint64_t audio_bytes_ = 0;
    std::uint64_t audio_flushed_ = 0;
    double seconds_ = 0;
    double seconds_flushed_ = 0;
};

} // namespace isr::rec
