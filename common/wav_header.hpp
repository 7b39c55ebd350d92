#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace isr {

// The parts of a RIFF/WAVE or RF64 header that matter for serving and timing a file.
struct WavInfo {
    bool rf64 = false;
    int format_tag = 0; // 1 PCM, 3 float, 0xFFFE extensible
    int channels = 0;
    int sample_rate = 0;
    int bits_per_sample = 0;
    int block_align = 0;
    std::uint64_t data_offset = 0;   // first byte of sample data
    std::uint64_t declared_data = 0; // data size from the header (may be stale while recording)
    std::uint64_t ds64_offset = 0;   // RF64: where the ds64 chunk's body starts
};

// Parses the header from the file's first bytes (the data chunk's header must be inside `head`;
// 64 KiB is plenty). nullopt when it is not a WAV file we understand.
std::optional<WavInfo> parse_wav_header(std::span<const std::uint8_t> head);

// Frames in a file of `file_size` bytes: what is really there, not what the header claims
// (a file being recorded, or cut off by a crash).
std::uint64_t wav_frames_present(const WavInfo& info, std::uint64_t file_size) noexcept;

// The header bytes [0, data_offset) rewritten so the RIFF and data sizes describe exactly the
// complete frames of a `file_size`-byte file.
std::string patch_wav_header(std::span<const std::uint8_t> head, const WavInfo& info,
                             std::uint64_t file_size);

// The 44-byte header of a PCM WAV holding `frames` frames of `bits` (16, 24 or 32) per sample:
// a clip isr-web decodes, an instant-replay save. The data must stay below 4 GiB.
std::string make_wav_header(int sample_rate, int channels, int bits, std::int64_t frames);
inline std::string make_wav_header_16(int sample_rate, int channels, std::int64_t frames) {
    return make_wav_header(sample_rate, channels, 16, frames);
}

} // namespace isr
