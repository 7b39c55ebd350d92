#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace isr::rec {

// The format a stream's Content-Type names, when isrd can record it ("audio/mpeg" -> "mp3",
// "audio/ogg; codecs=opus" -> "opus"; the table in common/audio_formats), or nullopt for a
// missing or generic type (application/octet-stream, text/html, …) that has to be sniffed.
std::optional<std::string> format_for_content_type(std::string_view content_type);

// True for types that are certainly not audio (text/html, application/json…): combined with a
// failed sniff, the server sent an error page with a 200 status.
bool is_text_content_type(std::string_view content_type);

} // namespace isr::rec
