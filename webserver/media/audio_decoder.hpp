#pragma once

#include "common/levels/levels.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

namespace isr::web {

// Decoded audio from a recording, in interleaved frames. One per thread.
class AudioDecoder {
public:
    virtual ~AudioDecoder() = default;

    virtual int sample_rate() const noexcept = 0;
    virtual int channels() const noexcept = 0;
    // Total frames when the container tells (nullopt otherwise).
    virtual std::optional<std::int64_t> frames() const noexcept = 0;
    // Seeks land on the exact frame (so a file can be decoded in parallel parts).
    virtual bool exact_seek() const noexcept = 0;

    // Positions the next read at `frame` (or as close as the format allows). Throws.
    virtual void seek(std::int64_t frame) = 0;
    // Up to `frames` frames of floats in [-1, 1); 0 at the end. Throws on decode errors.
    virtual std::size_t read(float* out, std::size_t frames) = 0;
    // The same as 16-bit integers (exact for 16-bit sources).
    virtual std::size_t read_s16(std::int16_t* out, std::size_t frames) = 0;
};

// libsndfile for WAV, FLAC, MP3, Ogg Vorbis and Opus; libavcodec for AAC and anything
// libsndfile cannot read. Opens only regular files, without blocking. Throws
// std::runtime_error naming the file, also when its rate or channel count is out of range.
std::unique_ptr<AudioDecoder> open_decoder(const std::filesystem::path& path);

} // namespace isr::web
