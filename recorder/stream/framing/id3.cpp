#include "recorder/stream/framing/id3.hpp"

namespace isr::rec::framing {

std::size_t id3v2_size(std::span<const std::uint8_t> b) noexcept {
    if (b.size() < 10 || b[0] != 'I' || b[1] != 'D' || b[2] != '3')
        return 0;
    // Version bytes are never 0xFF and the size is four 7-bit "syncsafe" bytes: checking both
    // keeps audio bytes that happen to spell "ID3" from being taken for a tag.
    if (b[3] == 0xFF || b[4] == 0xFF)
        return 0;
    if ((b[6] | b[7] | b[8] | b[9]) & 0x80)
        return 0;
    const std::size_t body = (std::size_t{b[6]} << 21) | (std::size_t{b[7]} << 14) |
                             (std::size_t{b[8]} << 7) | std::size_t{b[9]};
    const std::size_t footer = (b[5] & 0x10) ? 10 : 0;
    return 10 + body + footer;
}

} // namespace isr::rec::framing
