#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace isr::web {

// What a listing shows about one audio file.
struct MediaFacts {
    std::optional<double> duration; // seconds
    std::optional<int> sample_rate;
    std::optional<int> channels;
    std::optional<double> bitrate_kbps;
    std::string codec;                  // "pcm_s16le", "flac", "mp3", "aac", "vorbis", "opus"
    std::optional<std::string> problem; // why the file could not be read, if it could not
};

// Reads a file's duration and format. WAV and FLAC from their headers (a file being recorded or
// cut off by a crash: from the frames really present); MP3, AAC, Ogg and Opus through
// libavformat, counting every packet (exact even for VBR) unless `quick` (a growing file: the
// container's estimate). Never throws.
MediaFacts probe_media(const std::filesystem::path& path, std::uint64_t size, bool quick);

} // namespace isr::web
