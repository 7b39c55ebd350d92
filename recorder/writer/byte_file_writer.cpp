#include "recorder/writer/byte_file_writer.hpp"

#include <cerrno>
#include <string_view>
#include <system_error>

#include <unistd.h>

namespace isr::rec {

void ByteFileWriter::write(std::span<const std::uint8_t> bytes, bool audio) {
    if (!fd_) throw std::system_error(EBADF, std::generic_category(), "write " + path_.string());
    std::size_t done = 0;
    while (done < bytes.size()) {
        const auto n = ::write(fd_.get(), bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            // Keep the file at a frame boundary: drop the partial unit we could not finish.
            const int err = errno;
            if (::ftruncate(fd_.get(), static_cast<off_t>(bytes_)) == 0) ::lseek(fd_.get(), static_cast<off_t>(bytes_), SEEK_SET);
            throw std::system_error(err, std::generic_category(), "write " + path_.string());
        }
        done += static_cast<std::size_t>(n);
    }
    bytes_ += bytes.size();
    if (audio) audio_bytes_ += bytes.size();
}

void ByteFileWriter::sync() {
    if (fd_ && ::fdatasync(fd_.get()) != 0) {
        throw std::system_error(errno, std::generic_category(), "fdatasync " + path_.string());
    }
}

void ByteFileWriter::close() noexcept {
    if (!fd_) return;
    fd_.reset();
    if (audio_bytes_ == 0) ::unlink(path_.c_str()); // headers alone are not a recording
}

} // namespace isr::rec
