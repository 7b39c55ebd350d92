#pragma once

#include "common/file_util.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace isr::web {

class ChunkChannel;

// A part of a recording cut without re-encoding, planned before anything is sent so the
// response can state its exact length (and HEAD can answer without producing it).
struct CutPlan {
    std::filesystem::path file;
    double start = 0;
    double end = 0;
    std::uint64_t size = 0; // bytes of the cut, exactly

    // WAV: a new header, then bytes [data_offset, data_offset + data_length) of the recording,
    // sent straight from the file (sample-exact, no copy).
    bool wav = false;
    std::string wav_header;
    std::uint64_t data_offset = 0;
    std::uint64_t data_length = 0;

    // Other formats: packets copied through libavformat's muxer (MP3 and AAC frames, Ogg
    // pages, FLAC frames), within one frame or page of the request; produce_cut() muxes them
    // again, identically, while they are sent.
    std::int64_t samples = 0; // FLAC: what STREAMINFO must say
};

// Plans [start, end) of a recording (end clamped to its length). Throws std::out_of_range when
// start is at or past the end, std::runtime_error when the file cannot be read or cut (the
// message names the file, never its folder, and gives libav's reason).
CutPlan plan_cut(const std::filesystem::path& file, double start, double end);

// Produces a stream-copy cut (not WAV) into `channel`, in 64 KiB chunks; stops early when the
// client goes away. Memory stays at a few chunks whatever the cut's length, and nothing is
// written to disk. Runs on a worker thread; never throws.
void produce_cut(const CutPlan& plan, const std::shared_ptr<ChunkChannel>& channel) noexcept;

} // namespace isr::web
