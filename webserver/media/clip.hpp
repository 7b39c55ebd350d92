#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace isr::web {

class ChunkChannel;

// A range of a recording decoded to a standalone 16-bit WAV, produced while it is sent.
struct ClipPlan {
    std::filesystem::path file;
    int sample_rate = 0;
    int channels = 0;
    std::int64_t first_frame = 0;
    std::int64_t frames = 0; // exactly what the WAV holds (padded with silence if short)
    bool live = false;       // being recorded: decoded through its live view
    std::uint64_t bytes() const noexcept {
        return 44 + static_cast<std::uint64_t>(frames) * static_cast<std::uint64_t>(channels) * 2;
    }
};

// Opens the file to size the clip: [start, end) clamped to the recording (to what is written
// so far when `live`). Throws std::runtime_error for unreadable files; std::out_of_range when
// start is past the end.
ClipPlan plan_clip(const std::filesystem::path& file, double start, double end, bool live = false);

// Decodes the clip into `channel`: a WAV header, then the samples in half-second chunks. Seeks
// straight to the start (no decoding from the beginning of the file). Stops early when the
// client goes away. Runs on a worker thread; never throws.
void produce_clip(const ClipPlan& plan, const std::shared_ptr<ChunkChannel>& channel) noexcept;

} // namespace isr::web
