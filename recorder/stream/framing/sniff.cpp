#include "recorder/stream/framing/framer.hpp"
#include "recorder/stream/framing/id3.hpp"
#include "recorder/stream/framing/ogg_codec.hpp"
#include "recorder/stream/framing/ogg_page.hpp"

namespace isr::rec::framing {

namespace {

std::optional<std::string> sniff_ogg(std::span<const std::uint8_t> head) {
    if (check_ogg_page(head).status != PageStatus::valid)
        return std::nullopt;
    const auto page = read_ogg_page(head);
    const auto packets = page.packet_starts();
    if (!page.bos() || packets.empty())
        return std::nullopt;
    const auto codec = identify_ogg_codec(packets.front());
    if (!codec)
        return std::nullopt;
    return codec->codec == "opus" ? "opus" : "ogg";
}

// Whether the framer finds a first frame, which takes two consistent frames (or a verified
// checksum): a stray 0xFF 0xFx in text does not pass.
bool frames_found(std::string_view format, std::span<const std::uint8_t> head) {
    auto framer = make_framer(format);
    framer->push(head);
    (void)framer->next();
    return framer->synced();
}

// Whether `format`'s framer finds a stream in `bytes` (junk before it allowed): three units of
// audio in a row for MPEG and ADTS, whose two-header checks a short run of junk passes by
// chance; one frame confirmed by its CRC-16 and the next frame's header for FLAC (frames are
// large); a new stream's first page, with a codec it names, for Ogg.
std::optional<std::string> stream_in(std::string_view format, std::span<const std::uint8_t> bytes) {
    auto framer = make_framer(format);
    framer->push(bytes);
    int in_a_row = 0;
    while (auto unit = framer->next()) {
        if (format == "ogg")
            return unit->starts_stream && !unit->codec.empty()
                       ? std::optional<std::string>(unit->codec == "opus" ? "opus" : "ogg")
                       : std::nullopt;
        if (framer->resyncs() > 0)
            return std::nullopt; // not a stream: it fell apart again
        if (unit->duration > 0 && ++in_a_row >= (format == "flac" ? 1 : 3))
            return std::string(format);
    }
    return std::nullopt;
}

} // namespace

std::optional<std::string> identify_new_format(std::span<const std::uint8_t> bytes,
                                               std::string_view current) {
    const auto family = [](std::string_view f) {
        return f == "opus" ? std::string_view("ogg") : f;
    };
    for (const char* format : {"mp3", "aac", "ogg", "flac"}) {
        if (family(format) == family(current))
            continue;
        if (auto found = stream_in(format, bytes))
            return found;
    }
    return std::nullopt;
}

std::optional<std::string> sniff_format(std::span<const std::uint8_t> head) {
    if (starts_with(head, "fLaC"))
        return "flac";
    if (starts_with(head, "OggS"))
        return sniff_ogg(head);
    // MPEG and ADTS sync words exclude each other (ADTS has layer bits 00, reserved in MPEG),
    // but an ADTS header can match a FLAC frame sync: FLAC frames are checked last, by CRC.
    // Both MPEG and ADTS framers skip a leading ID3 tag, so AAC after a tag is recognised too.
    for (const char* format : {"mp3", "aac", "flac"})
        if (frames_found(format, head))
            return format;
    // A tag longer than the head: MP3 is what usually follows one.
    if (id3v2_size(head) > 0)
        return "mp3";
    return std::nullopt;
}

} // namespace isr::rec::framing
