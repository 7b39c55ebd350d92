#include "recorder/stream/framing/adts_framer.hpp"

namespace isr::rec::framing {

namespace {

constexpr int kRates[13] = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                            22050, 16000, 12000, 11025, 8000,  7350};

} // namespace

std::optional<FrameHeader> parse_adts_header(std::span<const std::uint8_t> b) {
    if (b.size() < 7 || b[0] != 0xFF || (b[1] & 0xF0) != 0xF0)
        return std::nullopt;
    const int id = (b[1] >> 3) & 1; // 0: MPEG-4, 1: MPEG-2
    const int layer = (b[1] >> 1) & 3;
    const bool protection_absent = b[1] & 1;
    const int profile = b[2] >> 6;
    const int rate_index = (b[2] >> 2) & 0xF;
    const int channel_config = ((b[2] & 1) << 2) | (b[3] >> 6);
    const std::size_t length =
        (std::size_t{b[3] & 3u} << 11) | (std::size_t{b[4]} << 3) | (std::size_t{b[5]} >> 5);
    const int blocks = (b[6] & 3) + 1;
    if (layer != 0 || rate_index >= 13 || length < (protection_absent ? 7u : 9u))
        return std::nullopt;

    FrameHeader h;
    h.length = length;
    h.samples = 1024 * blocks;
    h.sample_rate = kRates[rate_index];
    // Configuration 0 defers to an in-band program config element: channels unknown here.
    h.channels = channel_config == 7 ? 8 : channel_config;
    h.family =
        static_cast<std::uint32_t>((id << 9) | (profile << 7) | (rate_index << 3) | channel_config);
    h.codec = "aac";
    return h;
}

} // namespace isr::rec::framing
