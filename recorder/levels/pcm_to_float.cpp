#include "recorder/levels/pcm_to_float.hpp"

namespace isr::rec {

void pcm_to_float(std::span<const std::int32_t> in, int bit_depth, std::span<float> out) noexcept {
    // Both conversions are exact in float: at most 24 significant bits, scaled by a power of 2.
    const int shift = 32 - bit_depth;
    const float scale = 1.0f / static_cast<float>(1 << (bit_depth - 1));
    for (std::size_t i = 0; i < in.size(); ++i)
        out[i] = static_cast<float>(in[i] >> shift) * scale;
}

} // namespace isr::rec
