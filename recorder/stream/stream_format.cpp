#include "recorder/stream/stream_format.hpp"

#include "common/audio_formats.hpp"
#include "common/strings.hpp"

namespace isr::rec {

namespace {
std::string media_type(std::string_view content_type) {
    return to_lower(trim(content_type.substr(0, content_type.find(';'))));
}
} // namespace

std::optional<std::string> format_for_content_type(std::string_view content_type) {
    const auto* f = format_of_content_type(content_type);
    if (!f || f->framing == Framing::none)
        return std::nullopt;
    return std::string(f->name);
}

bool is_text_content_type(std::string_view content_type) {
    const auto type = media_type(content_type);
    return type.rfind("text/", 0) == 0 || type == "application/json" || type == "application/xml" ||
           type == "application/xhtml+xml";
}

} // namespace isr::rec
