#include "webserver/archive/media_types.hpp"

#include "common/strings.hpp"

namespace isr::web {

std::optional<MediaType> media_type_for(std::string_view filename) {
    static constexpr MediaType kTypes[] = {
        {"wav", "audio/wav", "wav", ""},      {"flac", "audio/flac", "flac", ""},
        {"mp3", "audio/mpeg", "mp3", "mp3"},  {"aac", "audio/aac", "adts", "aac"},
        {"ogg", "audio/ogg", "ogg", ""},      {"oga", "audio/ogg", "ogg", ""},
        {"opus", "audio/ogg", "ogg", ""},     {"m4a", "audio/mp4", "ipod", ""},
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
