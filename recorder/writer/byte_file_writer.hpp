#pragma once

#include "common/file_util.hpp"

#include <cstdint>
#include <filesystem>
#include <span>

namespace isr::rec {

// Writes a stream's bytes (frames and pages exactly as received, plus any injected headers) to
// one file. A file that received no audio is deleted on close.
class ByteFileWriter {
public:
    explicit ByteFileWriter(CreatedFile file) : path_(std::move(file.path)), fd_(std::move(file.fd)) {}
    ~ByteFileWriter() { close(); }
    ByteFileWriter(const ByteFileWriter&) = delete;
    ByteFileWriter& operator=(const ByteFileWriter&) = delete;

    // Throws std::system_error (ENOSPC, EIO…) naming the file. `audio` false for headers.
    void write(std::span<const std::uint8_t> bytes, bool audio);
    // fdatasync. Throws std::system_error.
    void sync();
    void close() noexcept;

    const std::filesystem::path& path() const noexcept { return path_; }
    std::uint64_t bytes() const noexcept { return bytes_; }
    std::uint64_t audio_bytes() const noexcept { return audio_bytes_; }

private:
    std::filesystem::path path_;
    UniqueFd fd_;
    std::uint64_t bytes_ = 0;
    std::uint64_t audio_bytes_ = 0;
};

} // namespace isr::rec
