#pragma once

#include "common/audio_formats.hpp"
#include "common/flac_header.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace isr::web {

// isrd writes WAV and FLAC files in place, so the header of a file being recorded (or of one cut
// off by a crash) lags behind its data. The listing, live playback and cutting all need the
// same two readings to know how much complete audio is there now.

// The first bytes of a WAV or FLAC file: every header isrd writes fits.
std::vector<std::uint8_t> read_pcm_head(int fd, std::uint64_t size);

// For a FLAC file whose STREAMINFO has no sample count yet: where its last complete frame ends,
// found in the file's last 256 KiB (several frames at any block size isrd uses).
std::optional<FlacLiveEnd> read_flac_live_end(int fd, std::uint64_t size,
                                              const FlacStreamInfo& info);

// What a reader gets of a WAV or FLAC file that is still being written: the complete frames
// present now, behind a header that says so (WAV sizes, FLAC total samples). Live playback
// serves it; live analysis and clips decode it.
struct LiveView {
    std::uint64_t size = 0;
    std::string overlay; // replaces the file's first overlay.size() bytes; empty: use as it is
};
// Reads the head (and a FLAC file's tail) through `fd`. Throws std::system_error on read errors.
LiveView live_view(int fd, std::uint64_t size, AudioFormat format);

} // namespace isr::web
