#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

// How much audio a Vorbis packet holds (Vorbis I specification, §4.3.8): a quarter of its
// window plus a quarter of the previous packet's, each window short or long by the packet's
// mode. The window sizes are in the identification header, the modes at the end of the setup
// header.
namespace isr::rec::framing {

struct VorbisBlocks {
    std::array<int, 2> blocksize{}; // short and long window, in samples
    std::vector<bool> long_mode;    // per mode: whether its packets use the long window
    int mode_bits = 0;              // width of the mode number in an audio packet
};

// From the identification and setup header packets. The modes close the setup header, after
// codebooks, floors, residues and mappings whose sizes only a full decoder can work out; like
// FFmpeg's Vorbis parser (and liboggz), this reads them backward from the framing bit, as long
// as they look like modes, and takes the longest run that the 6-bit mode count before it
// confirms. nullopt when the headers are not Vorbis's or no such run is found. Pure.
std::optional<VorbisBlocks> parse_vorbis_blocks(std::span<const std::uint8_t> identification,
                                                std::span<const std::uint8_t> setup);

// Samples that the audio packet `packet` completes after the packet `previous` (its first bytes;
// empty when unknown). The first audio packet after the headers completes none. A long-window
// packet says which window the one before it had, so only a short-window packet needs
// `previous`. nullopt for a header or empty packet, a mode out of range, or a short-window
// packet whose predecessor is unknown. Pure.
std::optional<int> vorbis_packet_samples(const VorbisBlocks& blocks,
                                         std::span<const std::uint8_t> packet,
                                         std::span<const std::uint8_t> previous);

} // namespace isr::rec::framing
