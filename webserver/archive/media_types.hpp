#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace isr::web {

// The audio formats isr records and serves, by file extension.
struct MediaType {
    std::string_view extension;    // "mp3", without the dot
    std::string_view content_type; // "audio/mpeg"
};

// nullopt for files that are not recordings (status.json, logs, caches…).
std::optional<MediaType> media_type_for(std::string_view filename);

} // namespace isr::web
