#include "recorder/stream/framing/ogg_packet_samples.hpp"

#include "common/flac_header.hpp"

#include <algorithm>

namespace isr::rec::framing {

namespace {

constexpr int kOpusMaxSamples = 5760; // 120 ms at 48 kHz

} // namespace

PacketHead PacketHead::of(std::span<const std::uint8_t> packet) noexcept {
    PacketHead head;
    head.size = std::min(packet.size(), kBytes);
    std::copy_n(packet.begin(), head.size, head.bytes.begin());
    return head;
}

std::optional<int> opus_packet_samples(std::span<const std::uint8_t> packet) {
    if (packet.empty())
        return std::nullopt;
    const int config = packet[0] >> 3;
    int frame = 0; // samples per frame
    if (config < 12) {
        static constexpr int kSilk[] = {480, 960, 1920, 2880}; // 10, 20, 40, 60 ms
        frame = kSilk[config & 3];
    } else if (config < 16) {
        frame = (config & 1) ? 960 : 480; // hybrid: 10, 20 ms
    } else {
        static constexpr int kCelt[] = {120, 240, 480, 960}; // 2.5, 5, 10, 20 ms
        frame = kCelt[config & 3];
    }
    int frames = 0;
    switch (packet[0] & 3) {
    case 0:
        frames = 1;
        break;
    case 1:
    case 2:
        frames = 2;
        break;
    default:
        if (packet.size() < 2)
            return std::nullopt;
        frames = packet[1] & 0x3F;
        break;
    }
    const int samples = frame * frames;
    if (frames == 0 || samples > kOpusMaxSamples)
        return std::nullopt;
    return samples;
}

std::optional<OggPacketSamples>
OggPacketSamples::from_headers(std::string_view codec,
                               std::span<const std::vector<std::uint8_t>> headers) {
    if (codec == "opus")
        return OggPacketSamples(Kind::opus);
    if (codec == "flac")
        return OggPacketSamples(Kind::flac);
    if (codec != "vorbis" || headers.size() < 3)
        return std::nullopt;
    // Identification, comment, setup.
    auto blocks = parse_vorbis_blocks(headers[0], headers[2]);
    if (!blocks)
        return std::nullopt;
    OggPacketSamples samples(Kind::vorbis);
    samples.vorbis_ = std::move(*blocks);
    return samples;
}

std::optional<int> OggPacketSamples::samples(std::span<const std::uint8_t> packet,
                                             std::span<const std::uint8_t> previous) const {
    switch (kind_) {
    case Kind::opus:
        return opus_packet_samples(packet);
    case Kind::vorbis:
        return vorbis_packet_samples(vorbis_, packet, previous);
    case Kind::flac: {
        // One frame per packet; its header gives the block size, and its CRC-8 vouches for it.
        // FFmpeg ends a stream with an empty packet.
        if (packet.empty())
            return 0;
        const auto frame = parse_flac_frame_header(packet);
        if (frame.status != FlacParse::ok)
            return std::nullopt;
        return frame.header.block_size;
    }
    }
    return std::nullopt;
}

} // namespace isr::rec::framing
