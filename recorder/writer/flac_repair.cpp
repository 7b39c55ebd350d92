#include "recorder/writer/flac_repair.hpp"

#include "common/file_util.hpp"

#include <algorithm>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::rec {

namespace {

// libsndfile writes "fLaC", STREAMINFO and a short VORBIS_COMMENT; never more than this.
constexpr std::size_t kMaxFlacHeader = 64 * 1024;
constexpr std::size_t kMd5Bytes = 16;

std::uint64_t file_size(int fd) {
    struct stat st {};
    return ::fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

} // namespace

std::optional<FlacCompleteEnd> find_flac_end(int fd, FlacEnd which) {
    const auto head = pread_bytes(fd, 0, kMaxFlacHeader);
    const auto m = scan_flac_metadata(head, kMaxFlacHeader);
    if (m.status != FlacParse::ok)
        return std::nullopt;
    const auto size = file_size(fd);
    if (size < m.size)
        return std::nullopt;
    // Frames are a few KiB (32 channels of 24-bit audio make them 400 KiB): the tail grows
    // until it holds the two frames the search needs.
    for (std::uint64_t window = 256 * 1024;; window *= 4) {
        const auto offset = size > m.size + window ? size - window : m.size;
        const auto tail = pread_bytes(fd, offset, static_cast<std::size_t>(size - offset));
        if (tail.size() != size - offset)
            return std::nullopt;
        if (which == FlacEnd::complete) {
            if (auto end = find_flac_complete_end(tail, offset, m.size, m.info))
                return end;
        } else if (const auto live = find_flac_live_end(tail, offset, m.info)) {
            return FlacCompleteEnd{live->offset, live->total_samples};
        }
        if (offset == m.size || window >= 16 * 1024 * 1024) {
            // Not one frame its predecessor confirms: at most one frame, or none yet.
            if (which == FlacEnd::live)
                return FlacCompleteEnd{m.size, 0};
            return std::nullopt;
        }
    }
}

std::array<std::uint8_t, 5> flac_total_samples_bytes(std::uint64_t total,
                                                     std::uint8_t high_nibble) {
    return {static_cast<std::uint8_t>((high_nibble & 0xF0) | ((total >> 32) & 0x0F)),
            static_cast<std::uint8_t>(total >> 24), static_cast<std::uint8_t>(total >> 16),
            static_cast<std::uint8_t>(total >> 8), static_cast<std::uint8_t>(total)};
}

std::optional<std::uint64_t>
cut_flac_to_complete_frames(const std::filesystem::path& path) noexcept {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (!fd)
        return std::nullopt;
    const auto head = pread_bytes(fd.get(), 0, kMaxFlacHeader);
    if (scan_flac_metadata(head, kMaxFlacHeader).status != FlacParse::ok)
        return 0;
    const auto end = find_flac_end(fd.get(), FlacEnd::complete);
    if (!end)
        return std::nullopt;
    if (end->offset < file_size(fd.get()) &&
        ::ftruncate(fd.get(), static_cast<off_t>(end->offset)) != 0) {
        return std::nullopt;
    }
    std::array<std::uint8_t, 5 + kMd5Bytes> fields{};
    const auto total = flac_total_samples_bytes(end->total_samples, head[kFlacTotalSamplesAt]);
    std::copy(total.begin(), total.end(), fields.begin()); // the MD5 after them stays zero
    static_assert(kFlacMd5At == kFlacTotalSamplesAt + 5);
    if (::pwrite(fd.get(), fields.data(), fields.size(), kFlacTotalSamplesAt) !=
        static_cast<ssize_t>(fields.size())) {
        return std::nullopt;
    }
    ::fdatasync(fd.get());
    return end->total_samples;
}

} // namespace isr::rec
