#include "recorder/writer/byte_file_writer.hpp"

#include <cerrno>
#include <string_view>
#include <system_error>

#include <unistd.h>

namespace isr::rec {

void ByteFileWriter::write(std::span<const std::uint8_t> bytes, bool audio, double audio_seconds) {
    if (!fd_)
        throw std::system_error(EBADF, std::generic_category(), "write " + path_.string());
    pending_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (audio)
        audio_bytes_ += bytes.size();
    seconds_ += audio_seconds;
    if (pending_.size() >= kFlushBytes)
        flush();
}

void ByteFileWriter::flush() {
    std::size_t done = 0;
    while (done < pending_.size()) {
        const auto n = ::write(fd_.get(), pending_.data() + done, pending_.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            // Keep the file at a unit boundary: roll back to what the last flush left.
            const int err = errno;
            if (::ftruncate(fd_.get(), static_cast<off_t>(flushed_)) == 0)
                ::lseek(fd_.get(), static_cast<off_t>(flushed_), SEEK_SET);
            pending_.clear();
            audio_bytes_ = audio_flushed_;
            seconds_ = seconds_flushed_;
            throw std::system_error(err, std::generic_category(), "write " + path_.string());
        }
        done += static_cast<std::size_t>(n);
    }
    flushed_ += pending_.size();
    audio_flushed_ = audio_bytes_;
    seconds_flushed_ = seconds_;
    pending_.clear();
}

void ByteFileWriter::sync() {
    if (!fd_)
        return;
    flush();
    if (::fdatasync(fd_.get()) != 0) {
        throw std::system_error(errno, std::generic_category(), "fdatasync " + path_.string());
    }
}

std::error_code ByteFileWriter::close() noexcept {
    if (!fd_)
        return {};
    std::error_code error;
    try {
        flush();
    } catch (const std::system_error& e) {
        error = e.code(); // the file keeps its last good size; the caller counts the rest as lost
    } catch (const std::exception&) {
        error = std::make_error_code(std::errc::io_error);
    }
    fd_.reset();
    if (audio_flushed_ == 0)
        identity_.remove(path_); // headers alone are not a recording
    return error;
}

} // namespace isr::rec
