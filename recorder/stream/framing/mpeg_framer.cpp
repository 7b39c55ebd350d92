#include "recorder/stream/framing/mpeg_framer.hpp"

namespace isr::rec::framing {

namespace {

// kbps by [MPEG-2/2.5][layer I, II, III][index]; index 0 (free format) and 15 are invalid.
constexpr int kBitrates[2][3][15] = {
    {{0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
     {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
     {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320}},
    {{0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
     {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
     {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160}},
};
constexpr int kMpeg1Rates[3] = {44100, 48000, 32000};

} // namespace

std::optional<FrameHeader> parse_mpeg_header(std::span<const std::uint8_t> b) {
    if (b.size() < 4 || b[0] != 0xFF || (b[1] & 0xE0) != 0xE0)
        return std::nullopt;
    const int version = (b[1] >> 3) & 3;    // 0: 2.5, 1: reserved, 2: MPEG-2, 3: MPEG-1
    const int layer_bits = (b[1] >> 1) & 3; // 0 reserved, 1: III, 2: II, 3: I
    const int bitrate_index = b[2] >> 4;
    const int rate_index = (b[2] >> 2) & 3;
    const int padding = (b[2] >> 1) & 1;
    const int channel_mode = b[3] >> 6;
    const int emphasis = b[3] & 3;
    if (version == 1 || layer_bits == 0 || bitrate_index == 0 || bitrate_index == 15 ||
        rate_index == 3 || emphasis == 2)
        return std::nullopt;

    const int layer = 4 - layer_bits;
    const bool lsf = version != 3; // "low sampling frequency": MPEG-2 and 2.5
    const int shift = version == 3 ? 0 : version == 2 ? 1 : 2;
    FrameHeader h;
    h.bitrate_kbps = kBitrates[lsf ? 1 : 0][layer - 1][bitrate_index];
    h.sample_rate = kMpeg1Rates[rate_index] >> shift;
    h.channels = channel_mode == 3 ? 1 : 2;
    h.samples = layer == 1 ? 384 : (layer == 3 && lsf) ? 576 : 1152;
    const long bits_per_second = h.bitrate_kbps * 1000L;
    if (layer == 1) {
        h.length = static_cast<std::size_t>((12 * bits_per_second / h.sample_rate + padding) * 4);
    } else {
        h.length =
            static_cast<std::size_t>((h.samples / 8) * bits_per_second / h.sample_rate + padding);
    }
    // Joint and plain stereo may alternate within a stream; mono versus stereo may not.
    h.family = static_cast<std::uint32_t>((version << 5) | (layer_bits << 3) | (rate_index << 1) |
                                          (channel_mode == 3 ? 1 : 0));
    h.codec = layer == 3 ? "mp3" : layer == 2 ? "mp2" : "mp1";
    return h;
}

bool is_mpeg_tag_frame(std::span<const std::uint8_t> f) {
    if (f.size() < 4 || ((f[1] >> 1) & 3) != 1)
        return false; // layer III only
    auto tag_at = [&](std::size_t at, const char* tag) {
        if (f.size() < at + 4)
            return false;
        for (std::size_t i = 0; i < 4; ++i)
            if (f[at + i] != static_cast<std::uint8_t>(tag[i]))
                return false;
        return true;
    };
    // The Xing tag follows the side information, whose size depends on version and channels.
    const bool mpeg1 = ((f[1] >> 3) & 3) == 3;
    const bool mono = (f[3] >> 6) == 3;
    const std::size_t crc = (f[1] & 1) ? 0 : 2;
    const std::size_t side = mpeg1 ? (mono ? 17 : 32) : (mono ? 9 : 17);
    const std::size_t at = 4 + crc + side;
    return tag_at(at, "Xing") || tag_at(at, "Info") || tag_at(4 + 32, "VBRI");
}

bool MpegFramer::has_audio(std::span<const std::uint8_t> frame) const {
    return !is_mpeg_tag_frame(frame);
}

} // namespace isr::rec::framing
