#include "webserver/archive/live_extent.hpp"

#include "common/file_util.hpp"
#include "common/wav_header.hpp"

#include <algorithm>

namespace isr::web {

namespace {
constexpr std::uint64_t kHeadBytes = 65536;
constexpr std::uint64_t kTailBytes = 262144;
} // namespace

std::vector<std::uint8_t> read_pcm_head(int fd, std::uint64_t size) {
    return pread_bytes(fd, 0, static_cast<std::size_t>(std::min(size, kHeadBytes)));
}

std::optional<FlacLiveEnd> read_flac_live_end(int fd, std::uint64_t size,
                                              const FlacStreamInfo& info) {
    const auto tail_offset = size > kTailBytes ? size - kTailBytes : 0;
    const auto tail = pread_bytes(fd, tail_offset, static_cast<std::size_t>(size - tail_offset));
    return find_flac_live_end(tail, tail_offset, info);
}

LiveView live_view(int fd, std::uint64_t size, AudioFormat format) {
    LiveView view{size, {}};
    const auto head = read_pcm_head(fd, size);
    if (format == AudioFormat::wav) {
        if (const auto info = parse_wav_header(head)) {
            view.overlay = patch_wav_header(head, *info, size);
            view.size = info->data_offset + wav_frames_present(*info, size) *
                                                static_cast<std::uint64_t>(info->block_align);
        }
    } else if (format == AudioFormat::flac) {
        if (const auto meta = scan_flac_metadata(head, head.size()); meta.status == FlacParse::ok) {
            if (const auto end = read_flac_live_end(fd, size, meta.info);
                end && end->offset >= meta.size) {
                view.overlay = patch_flac_total_samples(head, meta.size, end->total_samples);
                view.size = end->offset;
            }
        }
    }
    return view;
}

} // namespace isr::web
