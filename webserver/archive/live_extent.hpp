#pragma once

#include "common/flac_header.hpp"

#include <cstdint>
#include <optional>
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

} // namespace isr::web
