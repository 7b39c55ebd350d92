#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

// FLAC stream and frame headers (RFC 9639): parsed by the stream framer (native FLAC and FLAC in
// Ogg), the archive listing and the live-file patcher.
namespace isr {

enum class FlacParse { invalid, incomplete, ok };

struct FlacStreamInfo {
    int min_block_size = 0;
    int max_block_size = 0;
    std::uint32_t min_frame_size = 0;
    std::uint32_t max_frame_size = 0;
    int sample_rate = 0;
    int channels = 0;
    int bits_per_sample = 0;
    std::uint64_t total_samples = 0;
};

// The 34-byte body of a STREAMINFO metadata block.
std::optional<FlacStreamInfo> parse_flac_streaminfo(std::span<const std::uint8_t> body);

// "fLaC", then one STREAMINFO block with the last-block flag set and an all-zero MD5.
std::vector<std::uint8_t> make_flac_stream_header(const FlacStreamInfo& info);

// "fLaC" and the metadata blocks after it, at bytes[0]; STREAMINFO must come first.
struct FlacMetadata {
    FlacParse status = FlacParse::invalid;
    std::size_t size = 0; // ok: "fLaC" and all blocks
    FlacStreamInfo info;
};
// Gives up (invalid) past max_size bytes, so that a bogus length cannot make callers buffer.
FlacMetadata scan_flac_metadata(std::span<const std::uint8_t> bytes, std::size_t max_size);

struct FlacFrameHeader {
    bool variable_block_size = false;
    int block_size = 0;
    int sample_rate = 0; // 0: given by STREAMINFO
    int channels = 0;
    int bits_per_sample = 0;  // 0: given by STREAMINFO
    std::uint64_t number = 0; // frame number (fixed block size) or first sample (variable)
    std::size_t size = 0;     // header bytes, CRC-8 included
};
struct FlacFrameScan {
    FlacParse status = FlacParse::invalid;
    FlacFrameHeader header;
};
// The frame header at bytes[0], with its reserved bits and CRC-8 checked.
FlacFrameScan parse_flac_frame_header(std::span<const std::uint8_t> bytes);

// The sample number of a frame's first sample (frame number × block size for fixed-size
// streams; `fixed_block_size` is STREAMINFO's block size).
std::uint64_t flac_first_sample(const FlacFrameHeader& header,
                                std::uint32_t fixed_block_size) noexcept;

// Where the complete frames of a growing file end, found from its tail: the last frame header
// that its predecessor's header confirms (the predecessor's first sample plus its block size
// is this frame's first sample), which rules out a false sync inside compressed data.
// `tail` holds the file's bytes from `tail_offset` on.
struct FlacLiveEnd {
    std::uint64_t offset = 0;        // start of the last (possibly incomplete) frame
    std::uint64_t total_samples = 0; // samples in the frames before it
};
std::optional<FlacLiveEnd> find_flac_live_end(std::span<const std::uint8_t> tail,
                                              std::uint64_t tail_offset,
                                              const FlacStreamInfo& info);

// Where a FLAC file cut off mid-frame (a write that failed on a full disk, a crash) must end to
// decode cleanly: just after its last complete frame. `tail` holds the file's bytes from
// `tail_offset` to its end; `audio_start` is where its first frame begins (the size of "fLaC"
// and the metadata). A frame counts as complete when its CRC-16 matches over bytes that end at
// the end of the file, or just before a frame header the end of the file cut short. nullopt
// when the tail holds no frame its predecessor confirms and does not reach back to
// `audio_start` (a tail too short to tell). Pure.
struct FlacCompleteEnd {
    std::uint64_t offset = 0;        // the end of the last complete frame: the file's new size
    std::uint64_t total_samples = 0; // samples in the frames before it
};
std::optional<FlacCompleteEnd> find_flac_complete_end(std::span<const std::uint8_t> tail,
                                                      std::uint64_t tail_offset,
                                                      std::uint64_t audio_start,
                                                      const FlacStreamInfo& info);

// A copy of the file's first `header_size` bytes ("fLaC" + metadata) with STREAMINFO's total
// samples set. STREAMINFO must be the first block (as the format requires).
std::string patch_flac_total_samples(std::span<const std::uint8_t> head, std::size_t header_size,
                                     std::uint64_t total_samples);

} // namespace isr
