#include "common/audio_formats.hpp"

#include "common/strings.hpp"

#include <array>

namespace isr {

namespace {

using Words = std::span<const std::string_view>;

constexpr std::string_view kNone[] = {""};
constexpr std::string_view kOggExtensions[] = {"oga"};
constexpr std::string_view kMpegTypes[] = {"audio/mpeg",   "audio/mp3",   "audio/mpeg3",
                                           "audio/x-mpeg", "audio/x-mp3", "audio/mpa"};
constexpr std::string_view kAacTypes[] = {"audio/aac", "audio/aacp", "audio/x-aac",
                                          "audio/aac-adts"};
constexpr std::string_view kOggTypes[] = {"audio/ogg", "application/ogg", "audio/x-ogg",
                                          "audio/vorbis", "audio/x-vorbis+ogg"};
constexpr std::string_view kOpusTypes[] = {"audio/opus"};
constexpr std::string_view kFlacTypes[] = {"audio/flac", "audio/x-flac"};

constexpr Words none() {
    return Words(kNone, 0);
}

const std::array<AudioFormatInfo, 7> kFormats{{
    {AudioFormat::wav, "wav", "wav", none(), "audio/wav", none(), "", "", Framing::none, true,
     true},
    {AudioFormat::mp3, "mp3", "mp3", none(), "audio/mpeg", kMpegTypes, "mp3", "mp3", Framing::mpeg,
     false, true},
    {AudioFormat::aac, "aac", "aac", none(), "audio/aac", kAacTypes, "adts", "aac", Framing::adts,
     false, false},
    {AudioFormat::ogg, "ogg", "ogg", kOggExtensions, "audio/ogg", kOggTypes, "ogg", "",
     Framing::ogg, false, true},
    {AudioFormat::opus, "opus", "opus", none(), "audio/ogg", kOpusTypes, "ogg", "", Framing::ogg,
     false, true},
    {AudioFormat::flac, "flac", "flac", none(), "audio/flac", kFlacTypes, "flac", "", Framing::flac,
     true, true},
    {AudioFormat::m4a, "m4a", "m4a", none(), "audio/mp4", none(), "ipod", "", Framing::none, false,
     false},
}};

} // namespace

std::span<const AudioFormatInfo> audio_formats() noexcept {
    return kFormats;
}

const AudioFormatInfo& format_info(AudioFormat format) noexcept {
    for (const auto& f : kFormats) {
        if (f.format == format)
            return f;
    }
    return kFormats.front(); // unreachable: every enumerator has a row
}

const AudioFormatInfo* format_named(std::string_view name) noexcept {
    for (const auto& f : kFormats) {
        if (f.name == name)
            return &f;
    }
    return nullptr;
}

const AudioFormatInfo* format_of_file(std::string_view filename) noexcept {
    const auto dot = filename.rfind('.');
    if (dot == std::string_view::npos || filename.find('/', dot) != std::string_view::npos)
        return nullptr;
    const auto ext = filename.substr(dot + 1);
    for (const auto& f : kFormats) {
        if (iequals(ext, f.extension))
            return &f;
        for (const auto other : f.other_extensions) {
            if (iequals(ext, other))
                return &f;
        }
    }
    return nullptr;
}

const AudioFormatInfo* format_of_content_type(std::string_view content_type) noexcept {
    const auto semicolon = content_type.find(';');
    const auto type = trim(content_type.substr(0, semicolon));
    const AudioFormatInfo* found = nullptr;
    for (const auto& f : kFormats) {
        for (const auto t : f.stream_types) {
            if (iequals(type, t))
                found = &f;
        }
    }
    // "audio/ogg; codecs=opus": the container's type, the codec in a parameter (RFC 7845).
    if (found && found->format == AudioFormat::ogg && semicolon != std::string_view::npos) {
        for (const auto& param : split(content_type.substr(semicolon + 1), ';')) {
            const auto eq = param.find('=');
            if (eq == std::string::npos ||
                !iequals(trim(std::string_view(param).substr(0, eq)), "codecs"))
                continue;
            auto value = trim(std::string_view(param).substr(eq + 1));
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
                value = value.substr(1, value.size() - 2);
            for (const auto& codec : split(value, ',')) {
                if (iequals(trim(codec), "opus"))
                    return &format_info(AudioFormat::opus);
            }
        }
    }
    return found;
}

} // namespace isr
