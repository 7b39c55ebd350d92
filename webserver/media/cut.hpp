#pragma once

#include "common/file_util.hpp"

#include <cstdint>
#include <filesystem>

namespace isr::web {

// A stream-copied part of a recording, in an unlinked temporary file ready to be sent.
struct CutFile {
    UniqueFd fd;
    std::uint64_t size = 0;
};

// Copies [start, end) of a recording without re-encoding: WAV sample-exactly, other formats
// packet by packet through libavformat (MP3 and AAC frames, Ogg pages, FLAC frames), so the cut
// is within one frame or page of the request and decodes cleanly. Throws std::runtime_error.
CutFile cut_recording(const std::filesystem::path& file, double start, double end,
                      const std::filesystem::path& temp_dir);

} // namespace isr::web
