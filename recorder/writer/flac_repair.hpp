#pragma once

#include "common/flac_header.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>

// Working on a FLAC file on disk by its frames: how much of it is complete, and cutting it back
// to that. For the writer: a live file's sample count, and a file a failed write cut off.
namespace isr::rec {

// STREAMINFO's total samples: the low 36 bits of its body bytes 13-17 (the body starts at byte 8,
// after "fLaC" and the block header); the first of the five bytes shares its high nibble with
// the bits per sample. The MD5 follows.
inline constexpr std::size_t kFlacTotalSamplesAt = 8 + 13;
inline constexpr std::size_t kFlacMd5At = 8 + 18;

enum class FlacEnd {
    live,     // the start of the last frame, which may be incomplete (a file being written)
    complete, // the end of the last complete frame (a file cut off mid-frame)
};

// Where the frames of the FLAC file open on `fd` (readable) end, found from its tail; nullopt
// when the file has no whole metadata yet or its tail shows no frames. Reads the file; does not
// change it.
std::optional<FlacCompleteEnd> find_flac_end(int fd, FlacEnd which);

// The five STREAMINFO bytes at kFlacTotalSamplesAt for `total` samples, `high_nibble` kept.
std::array<std::uint8_t, 5> flac_total_samples_bytes(std::uint64_t total, std::uint8_t high_nibble);

// Cuts the FLAC file at `path` back to its last complete frame and sets STREAMINFO's sample
// count to what remains, with an unset MD5 (an encoder's sum covers samples that never reached
// the disk; a decoder would report the mismatch). Returns the samples the file keeps (0: not
// even its metadata is whole), or nullopt when it could not tell or change the file.
std::optional<std::uint64_t>
cut_flac_to_complete_frames(const std::filesystem::path& path) noexcept;

} // namespace isr::rec
