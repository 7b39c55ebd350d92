#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace isr::rec::framing {

// Whether the bytes begin with `magic` (a codec's signature).
bool starts_with(std::span<const std::uint8_t> b, std::string_view magic) noexcept;

// What the first packet of an Ogg logical stream (on its BOS page) says about the codec.
struct OggCodec {
    std::string codec; // "vorbis", "opus", "flac"
    int granule_rate = 0;
    int sample_rate = 0;
    int channels = 0;
    double bitrate_kbps = 0;
    int pre_skip = 0; // Opus: samples the decoder drops at the start
    // Header packets, the first one included; -1: until the first audio packet (FLAC mapping
    // that does not give the count).
    int header_packets = 1;
};

// nullopt for a codec these parsers do not know.
std::optional<OggCodec> identify_ogg_codec(std::span<const std::uint8_t> first_packet);

// Whether a packet of an Ogg FLAC stream is an audio frame rather than a metadata block.
bool is_ogg_flac_audio_packet(std::span<const std::uint8_t> packet);

} // namespace isr::rec::framing
