#pragma once

#include "webserver/media/audio_decoder.hpp"

#include <filesystem>
#include <memory>

namespace isr::web {

// A decoder for a file isrd is writing now. WAV and FLAC are read through their live view (see
// archive/live_extent.hpp): exactly the complete frames present at open, with a known length
// and exact seeks, whatever the stale header says. Other formats (MP3, Ogg, AAC streams saved
// as they come) open as usual and end wherever the file ends now. Throws std::runtime_error
// naming the file.
std::unique_ptr<AudioDecoder> open_live_decoder(const std::filesystem::path& path);

} // namespace isr::web
