#pragma once

#include <cstdint>
#include <span>

namespace isr::rec {

// Interleaved 32-bit samples (full scale ±2^31, as PcmSource delivers and PcmFileWriter takes)
// as float, exactly as libsndfile reads them back from a `bit_depth`-bit WAV or FLAC file:
// libsndfile stores the top bits (an arithmetic shift, no rounding) and reads them back scaled
// by 2^-(bit_depth-1). Record-time levels made of these are the levels of the file.
// `out.size()` must be at least `in.size()`.
void pcm_to_float(std::span<const std::int32_t> in, int bit_depth, std::span<float> out) noexcept;

} // namespace isr::rec
