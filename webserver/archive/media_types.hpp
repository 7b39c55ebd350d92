#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace isr::web {

// The audio formats isr records and serves, by file extension.
struct MediaType {
    std::string_view extension;    // "mp3", without the dot
    std::string_view content_type; // "audio/mpeg"
    std::string_view muxer;        // libavformat's muxer for a cut ("mp3", "adts", "ogg")
    // For an elementary stream without a file header (MP3, ADTS), the demuxer to use when
    // libavformat's content probe fails: it needs about three frames to recognise one, and a
    // split just after isrd started or just before it stopped can leave a shorter file.
    std::string_view raw_demuxer;
};

// nullopt for files that are not recordings (status.json, logs, caches…).
std::optional<MediaType> media_type_for(std::string_view filename);

} // namespace isr::web
