#include "webserver/archive/live_extent.hpp"

#include "common/file_util.hpp"

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

} // namespace isr::web
