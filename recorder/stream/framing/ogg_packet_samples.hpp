#pragma once

#include "recorder/stream/framing/vorbis_blocks.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

// How much audio each packet of an Ogg logical stream holds, for cutting a page between
// packets: Opus from its TOC byte (RFC 6716, §3.1), FLAC from its frame header, Vorbis from
// its mode's window and the previous packet's.
namespace isr::rec::framing {

// The first bytes of a packet, kept after its page is gone: enough for any packet's length (a
// FLAC frame header has at most 16 bytes).
struct PacketHead {
    static constexpr std::size_t kBytes = 16;
    std::array<std::uint8_t, kBytes> bytes{};
    std::size_t size = 0;

    static PacketHead of(std::span<const std::uint8_t> packet) noexcept;
    std::span<const std::uint8_t> view() const noexcept { return {bytes.data(), size}; }
};

class OggPacketSamples {
public:
    // For the stream `codec` ("opus", "vorbis", "flac") with these header packets (Vorbis needs
    // its identification and setup headers). nullopt for another codec, or Vorbis headers
    // whose modes are not found. Pure.
    static std::optional<OggPacketSamples>
    from_headers(std::string_view codec, std::span<const std::vector<std::uint8_t>> headers);

    // Samples, at the granule rate, that the audio packet starting with `packet` completes
    // after the packet starting with `previous` (empty when unknown; only a short-window Vorbis
    // packet needs it). An empty FLAC packet holds nothing (FFmpeg ends streams with one); an
    // empty Opus or Vorbis packet is unknown (decoders may conceal a lost packet), as is one
    // that does not say (damaged, a header). Pure.
    std::optional<int> samples(std::span<const std::uint8_t> packet,
                               std::span<const std::uint8_t> previous) const;

private:
    enum class Kind { opus, vorbis, flac };
    explicit OggPacketSamples(Kind kind) : kind_(kind) {}

    Kind kind_;
    VorbisBlocks vorbis_;
};

// Samples at 48 kHz in an Opus packet, from its TOC byte and, for code 3, its frame count
// byte; nullopt for an empty packet or one that claims more than 120 ms (RFC 6716, §3.4).
std::optional<int> opus_packet_samples(std::span<const std::uint8_t> packet);

} // namespace isr::rec::framing
