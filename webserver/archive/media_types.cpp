#include "webserver/archive/media_types.hpp"

#include "common/strings.hpp"

namespace isr::web {

std::optional<MediaType> media_type_for(std::string_view filename) {
    static constexpr MediaType kTypes[] = {
        {"wav", "audio/wav"}, {"flac", "audio/flac"}, {"mp3", "audio/mpeg"}, {"aac", "audio/aac"},
        {"ogg", "audio/ogg"}, {"oga", "audio/ogg"},   {"opus", "audio/ogg"}, {"m4a", "audio/mp4"},
    };
    const auto dot = filename.rfind('.');
    if (dot == std::string_view::npos || filename.find('/', dot) != std::string_view::npos) return std::nullopt;
    const auto ext = to_lower(filename.substr(dot + 1));
    for (const auto& t : kTypes) {
        if (ext == t.extension) return t;
    }
    return std::nullopt;
}

} // namespace isr::web
