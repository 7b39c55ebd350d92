#include "recorder/stream/stream_format.hpp"

#include "common/strings.hpp"

namespace isr::rec {

namespace {
std::string media_type(std::string_view content_type) {
    return to_lower(trim(content_type.substr(0, content_type.find(';'))));
}
} // namespace

std::optional<std::string> format_for_content_type(std::string_view content_type) {
    const auto type = media_type(content_type);
    struct Row {
        std::string_view type;
        std::string_view format;
    };
    static constexpr Row kRows[] = {
        {"audio/mpeg", "mp3"},      {"audio/mp3", "mp3"},          {"audio/mpeg3", "mp3"},
        {"audio/x-mpeg", "mp3"},    {"audio/x-mp3", "mp3"},        {"audio/mpa", "mp3"},
        {"audio/aac", "aac"},       {"audio/aacp", "aac"},         {"audio/x-aac", "aac"},
        {"audio/aac-adts", "aac"},  {"audio/ogg", "ogg"},          {"application/ogg", "ogg"},
        {"audio/x-ogg", "ogg"},     {"audio/vorbis", "ogg"},       {"audio/x-vorbis+ogg", "ogg"},
        {"audio/opus", "opus"},     {"audio/ogg;codecs=opus", "opus"},
        {"audio/flac", "flac"},     {"audio/x-flac", "flac"},
    };
    for (const auto& row : kRows) {
        if (type == row.type) return std::string(row.format);
    }
    return std::nullopt;
}

bool is_text_content_type(std::string_view content_type) {
    const auto type = media_type(content_type);
    return type.rfind("text/", 0) == 0 || type == "application/json" || type == "application/xml" ||
           type == "application/xhtml+xml";
}

} // namespace isr::rec
