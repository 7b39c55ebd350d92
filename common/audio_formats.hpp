#pragma once

#include <optional>
#include <span>
#include <string_view>

// Every audio format isr knows, in one table: what isrd can record into it, how a stream server
// names it, what a file of it is called, how isr-web serves, decodes and cuts it. Adding a format
// is one row here (plus a framer in recorder/stream/framing when streams carry it).
namespace isr {

enum class AudioFormat { wav, flac, mp3, aac, ogg, opus, m4a };

// How isrd cuts a stream of this format into whole units (recorder/stream/framing).
enum class Framing { none, mpeg, adts, ogg, flac };

struct AudioFormatInfo {
    AudioFormat format;
    std::string_view name;      // the word in config.ini (`format =`) and status.json
    std::string_view extension; // of the files isrd writes, without the dot
    // More extensions isr-web recognises as this format (files other programs wrote).
    std::span<const std::string_view> other_extensions;
    std::string_view serve_type; // the Content-Type isr-web serves files of it with
    // Media types (lower case, no parameters) by which a stream server announces it.
    std::span<const std::string_view> stream_types;
    std::string_view muxer; // libavformat's muxer for a stream-copy cut ("" for WAV: cut directly)
    // For an elementary stream without a file header (MP3, ADTS), the demuxer to use when
    // libavformat's content probe fails: it needs about three frames to recognise one, and a
    // split just after isrd started or just before it stopped can leave a shorter file.
    std::string_view raw_demuxer;
    Framing framing;      // none: isrd does not record it from streams
    bool pcm_target;      // isrd writes PCM sources (sound cards, the generator) into it
    bool sndfile_decodes; // libsndfile decodes it (and seeks exactly); libavcodec otherwise
};

// The table, in a stable order.
std::span<const AudioFormatInfo> audio_formats() noexcept;
const AudioFormatInfo& format_info(AudioFormat format) noexcept;

// By config/status name ("mp3"), exactly; nullopt for an unknown name.
const AudioFormatInfo* format_named(std::string_view name) noexcept;
// By a file name's extension, in any case ("x.MP3", "a/b.oga"); nullopt when it has none isr
// knows (status.json, notes, caches).
const AudioFormatInfo* format_of_file(std::string_view filename) noexcept;
// By a stream's Content-Type, parameters included: "audio/ogg; codecs=opus" is Opus. nullptr for
// a missing or generic type (application/octet-stream, text/html…) that must be sniffed.
const AudioFormatInfo* format_of_content_type(std::string_view content_type) noexcept;

} // namespace isr
