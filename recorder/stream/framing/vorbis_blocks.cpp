#include "recorder/stream/framing/vorbis_blocks.hpp"

#include <algorithm>
#include <string_view>

namespace isr::rec::framing {

namespace {

constexpr std::size_t kIdentificationBytes = 30;
constexpr std::string_view kMagic = "vorbis";
// A mode is 41 bits: the block flag, window type (16 bits, 0), transform type (16 bits, 0)
// and mapping number (8 bits, below 64). FFmpeg stops searching once fewer bits than one more
// mode and the packet's 7-byte type and magic remain.
constexpr std::size_t kModeBits = 41;
constexpr std::size_t kMinBitsForMode = kModeBits + 7 * 8;
constexpr std::size_t kMaxModes = 64;

bool has_magic(std::span<const std::uint8_t> packet, std::uint8_t type) {
    return packet.size() > kMagic.size() && packet[0] == type &&
           std::equal(kMagic.begin(), kMagic.end(), packet.begin() + 1,
                      [](char c, std::uint8_t u) { return static_cast<std::uint8_t>(c) == u; });
}

// Reads a packet backward from a bit position. Vorbis packs fields from their lowest bit up,
// so going backward a field's highest bit comes first.
class BackwardBits {
public:
    BackwardBits(std::span<const std::uint8_t> bytes, std::size_t end) : bytes_(bytes), pos_(end) {}
    std::size_t left() const noexcept { return pos_; }
    // The `n` bits before the position (left() >= n).
    std::uint32_t read(int n) noexcept {
        std::uint32_t value = 0;
        for (int i = 0; i < n; ++i) {
            --pos_;
            value = (value << 1) | ((bytes_[pos_ / 8] >> (pos_ % 8)) & 1u);
        }
        return value;
    }

private:
    std::span<const std::uint8_t> bytes_;
    std::size_t pos_;
};

int ilog(std::size_t value) {
    int bits = 0;
    for (; value > 0; value >>= 1)
        ++bits;
    return bits;
}

std::optional<std::vector<bool>> parse_mode_flags(std::span<const std::uint8_t> setup) {
    if (!has_magic(setup, 5))
        return std::nullopt;
    // The framing bit is the last bit set; only padding follows it.
    std::size_t end = setup.size() * 8;
    while (end > kMinBitsForMode && !((setup[(end - 1) / 8] >> ((end - 1) % 8)) & 1u))
        --end;
    if (end <= kMinBitsForMode)
        return std::nullopt;
    BackwardBits bits(setup, end - 1);
    std::vector<bool> flags_backward; // the last mode first
    std::size_t count = 0;
    while (bits.left() >= kMinBitsForMode && flags_backward.size() < kMaxModes) {
        const auto mapping = bits.read(8);
        const auto transform = bits.read(16);
        const auto window = bits.read(16);
        if (mapping >= 64 || transform != 0 || window != 0)
            break;
        flags_backward.push_back(bits.read(1) != 0);
        // The mode count (minus one) stands right before the first mode. Mappings before the
        // modes may look like more modes and a count: as FFmpeg does, the longest run that a
        // count confirms wins (real encoders write two modes).
        BackwardBits peek = bits;
        if (peek.read(6) + 1 == flags_backward.size())
            count = flags_backward.size();
    }
    if (count == 0)
        return std::nullopt;
    return std::vector<bool>(flags_backward.rend() - static_cast<std::ptrdiff_t>(count),
                             flags_backward.rend());
}

} // namespace

std::optional<VorbisBlocks> parse_vorbis_blocks(std::span<const std::uint8_t> identification,
                                                std::span<const std::uint8_t> setup) {
    const auto& id = identification;
    if (!has_magic(id, 1) || id.size() < kIdentificationBytes || !(id[29] & 1u))
        return std::nullopt;
    // Window sizes are powers of two from 64 to 8192, the short one not above the long one.
    const int short_exp = id[28] & 0x0F;
    const int long_exp = id[28] >> 4;
    if (short_exp < 6 || long_exp > 13 || short_exp > long_exp)
        return std::nullopt;
    auto flags = parse_mode_flags(setup);
    if (!flags)
        return std::nullopt;
    VorbisBlocks blocks;
    blocks.blocksize = {1 << short_exp, 1 << long_exp};
    blocks.mode_bits = ilog(flags->size() - 1);
    blocks.long_mode = std::move(*flags);
    return blocks;
}

namespace {

// Whether an audio packet's mode uses the long window; nullopt for a header packet or an
// unknown mode.
std::optional<bool> long_window(const VorbisBlocks& blocks, std::uint8_t first) {
    if (first & 1u)
        return std::nullopt;
    const auto mode = static_cast<std::size_t>((first >> 1) & ((1u << blocks.mode_bits) - 1));
    if (mode >= blocks.long_mode.size())
        return std::nullopt;
    return blocks.long_mode[mode];
}

} // namespace

std::optional<int> vorbis_packet_samples(const VorbisBlocks& blocks,
                                         std::span<const std::uint8_t> packet,
                                         std::span<const std::uint8_t> previous) {
    if (packet.empty())
        return std::nullopt;
    const auto current = long_window(blocks, packet[0]);
    if (!current)
        return std::nullopt;
    std::optional<bool> before;
    if (!previous.empty()) {
        if (previous[0] & 1u)
            return 0; // the first audio packet: it only primes the overlap
        before = long_window(blocks, previous[0]);
    } else if (*current) {
        // Packet type (1 bit) and mode number (at most 6) leave the previous-window flag of a
        // long-window packet in its first byte.
        before = ((packet[0] >> (1 + blocks.mode_bits)) & 1u) != 0;
    }
    if (!before)
        return std::nullopt;
    return blocks.blocksize[*before ? 1 : 0] / 4 + blocks.blocksize[*current ? 1 : 0] / 4;
}

} // namespace isr::rec::framing
