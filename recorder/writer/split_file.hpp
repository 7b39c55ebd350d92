#pragma once

#include <cstdint>
#include <filesystem>
#include <system_error>

namespace isr::rec {

// One recording as a Splitter sees it: a PcmFileWriter or a ByteFileWriter. Writing audio in is
// the format's business (samples, or frames and pages); the rest of a file's life — flushing,
// closing, noticing that it was deleted, saying how much of it is safe — is the same for every
// format, and the splitter does it.
class SplitFile {
public:
    virtual ~SplitFile() = default;

    virtual const std::filesystem::path& path() const noexcept = 0;
    // Writes what is buffered (and, for PCM, updates the header). Throws std::system_error.
    virtual void flush() = 0;
    // flush(), then forces the file to the disk. Throws std::system_error.
    virtual void sync() = 0;
    // Finalises the file. Returns the error of a last write that failed: the file then keeps
    // what reached the disk before it, seconds_on_disk() says how much.
    virtual std::error_code close() noexcept = 0;
    // Seconds of audio known to be on disk as of the last successful flush; after close(), the
    // audio the file keeps.
    virtual double seconds_on_disk() const noexcept = 0;
    // The file has no name any more (deleted, or its folder removed).
    virtual bool deleted() const noexcept = 0;
    // The file's size, what is still buffered included.
    virtual std::uint64_t bytes() const noexcept = 0;
};

} // namespace isr::rec
