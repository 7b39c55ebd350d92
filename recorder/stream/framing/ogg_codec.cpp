#include "recorder/stream/framing/ogg_codec.hpp"

#include "common/flac_header.hpp"

#include <algorithm>
#include <string_view>

namespace isr::rec::framing {

bool starts_with(std::span<const std::uint8_t> b, std::string_view magic) noexcept {
    return b.size() >= magic.size() &&
           std::equal(magic.begin(), magic.end(), b.begin(),
                      [](char c, std::uint8_t u) { return static_cast<std::uint8_t>(c) == u; });
}

namespace {

std::uint32_t le(std::span<const std::uint8_t> b, std::size_t at, int bytes) {
    std::uint32_t v = 0;
    for (int i = bytes - 1; i >= 0; --i)
        v = (v << 8) | b[at + static_cast<std::size_t>(i)];
    return v;
}

} // namespace

std::optional<OggCodec> identify_ogg_codec(std::span<const std::uint8_t> p) {
    OggCodec c;
    using namespace std::string_view_literals;
    if (starts_with(p, "\x01vorbis"sv) && p.size() >= 30) {
        // Identification header: version, channels, rate, then max/nominal/min bitrate.
        c.codec = "vorbis";
        c.channels = p[11];
        c.sample_rate = static_cast<int>(le(p, 12, 4));
        const auto nominal = static_cast<std::int32_t>(le(p, 20, 4));
        c.bitrate_kbps = nominal > 0 ? nominal / 1000.0 : 0.0;
        c.granule_rate = c.sample_rate;
        c.header_packets = 3; // identification, comment, setup
        return c;
    }
    if (starts_with(p, "OpusHead"sv) && p.size() >= 19) {
        c.codec = "opus";
        c.channels = p[9];
        c.pre_skip = static_cast<int>(le(p, 10, 2));
        c.sample_rate = 48000; // Opus always decodes (and counts granules) at 48 kHz
        c.granule_rate = 48000;
        c.header_packets = 2; // OpusHead, OpusTags
        return c;
    }
    if (starts_with(p, "\x7F"
                       "FLAC"sv) &&
        p.size() >= 13 + 4 + 34) {
        // Mapping header: version (2 bytes), count of header packets after it, then "fLaC"
        // and the STREAMINFO block.
        const int more = (p[7] << 8) | p[8];
        const auto info = parse_flac_streaminfo(p.subspan(13 + 4, 34));
        if (!starts_with(p.subspan(9), "fLaC"sv) || !info)
            return std::nullopt;
        c.codec = "flac";
        c.sample_rate = info->sample_rate;
        c.channels = info->channels;
        c.granule_rate = info->sample_rate;
        c.header_packets = more == 0 ? -1 : 1 + more;
        return c;
    }
    return std::nullopt;
}

bool is_ogg_flac_audio_packet(std::span<const std::uint8_t> packet) {
    // Metadata blocks start with a type byte whose low 7 bits are never 127; frames with the
    // 0xFFF8 / 0xFFF9 sync.
    return packet.size() >= 2 && packet[0] == 0xFF && (packet[1] & 0xFE) == 0xF8;
}

} // namespace isr::rec::framing
