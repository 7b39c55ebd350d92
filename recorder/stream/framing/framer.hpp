#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Just enough parsing of compressed audio streams to cut them between frames (MPEG audio,
// ADTS) or pages (Ogg, or packets inside a page), or between FLAC frames, and to know how much
// audio each holds.
namespace isr::rec::framing {

// One piece of the stream, in arrival order: files begin and end between units, or inside one
// that Framer::split() cuts between packets.
struct Unit {
    // A complete frame or page (an MPEG frame with an ID3 tag that directly follows it). Bytes
    // between units that are not part of one (damage, foreign data, a truncated frame) are
    // left out and counted in junk_bytes(): they would only make a decoder stumble.
    std::vector<std::uint8_t> bytes;
    // Seconds of audio this unit completes (0 for header pages and metadata).
    double duration = 0;
    // Part of the stream's headers (Ogg header pages, native FLAC "fLaC" + metadata blocks).
    // Headers arrive at the start of a stream and, for chained Ogg streams, again mid-stream.
    bool is_header = false;
    // The first header of a new stream (an Ogg BOS page, a FLAC stream header after frames):
    // `codec` says which ("vorbis", "opus", "flac", or empty when unknown).
    bool starts_stream = false;
    std::string codec;
    // Which stream of the connection the unit belongs to (Ogg: a number per logical stream),
    // for begin_file(): the framer may have read the next stream's headers already when a file
    // starts with this unit. 0: the latest.
    std::uint32_t stream = 0;
    // The first unit after junk (the framing was lost and is found again here).
    bool after_junk = false;
    // Seconds of audio the junk before this unit stood for: set by the session (from the
    // arrival times and the stream's byte rate), so that the audio clock skips them.
    double gap_before = 0;
    // A new file may start with this unit (false, e.g., for an Ogg page that continues a packet
    // from the previous page, or for a header).
    bool cut_ok = true;
};

// Stream parameters, known after the first frames.
struct StreamInfo {
    std::string codec; // "mp3", "aac", "vorbis", "opus", "flac"
    int sample_rate = 0;
    int channels = 0;
    double bitrate_kbps = 0; // nominal, from headers when they give one (0 otherwise)
};

// Splits a byte stream into units. Bounded memory: buffers at most one unit plus the bytes
// pushed since. Single-threaded.
class Framer {
public:
    virtual ~Framer() = default;

    // Appends received bytes (ICY metadata already removed).
    virtual void push(std::span<const std::uint8_t> bytes) = 0;

    // The next complete unit, or nullopt when more bytes are needed. A unit is complete once
    // the parser has seen the start of the following one (or knows the unit's length and
    // verified its checksum).
    virtual std::optional<Unit> next() = 0;

    // At the end of the stream: the last unit, when it is complete (its length is in its
    // header, or its checksum verifies); an incomplete last frame is dropped and counted in
    // skipped_bytes(), so no file ends mid-frame. Call until it returns nullopt.
    virtual std::optional<Unit> flush() = 0;

    // Called when a new file starts (including the first) with `first`, its first unit: returns
    // the bytes that must open the file before it — the Ogg header pages of its stream, or
    // "fLaC" + metadata blocks for native FLAC (synthesised from the first frame header if the
    // stream had none); empty for MP3 and AAC — and resets per-file state (Ogg granule base and
    // page sequence numbers).
    virtual std::vector<std::uint8_t> begin_file(const Unit& first) = 0;

    // Rewrites a unit for the file it is about to be written to. Ogg: rebases the granule
    // position so each file starts at 0 and reports its own duration, renumbers the page
    // sequence after the injected headers, and recomputes the page CRC. Identity otherwise.
    virtual void adapt(Unit& unit) = 0;

    // Splits an audio unit (as next() or flush() returned it, before adapt()) between two
    // packets so that the first part holds the whole packets whose audio ends nearest to
    // `seconds` into the unit: for a file that must end inside a unit (an Ogg page may hold
    // several seconds). Both parts are units of their own: the first keeps the unit's flags
    // (cut_ok, starts_stream, after_junk, gap_before), the second may start a file (cut_ok);
    // their durations add up to the unit's. Each goes through adapt() like any unit, in order,
    // the second after begin_file(second) when it starts a file. The cut is always strictly
    // inside the unit: when `seconds` is nearer its start or end (or outside it), the nearest
    // cut inside is returned, and a caller that may also cut before or after the unit compares
    // first.duration with `seconds`. nullopt when the unit cannot be split: a header, a unit
    // with no packet boundary inside, packet durations unknown, or frames that are indivisible
    // (MPEG, ADTS, native FLAC). Does not change the framer; throws only std::bad_alloc.
    virtual std::optional<std::pair<Unit, Unit>> split(const Unit& unit, double seconds) const {
        (void)unit;
        (void)seconds;
        return std::nullopt;
    }

    // Bytes dropped because they came before the first frame (joining a stream mid-frame), were
    // an incomplete frame at its end, or junk (below).
    virtual std::uint64_t skipped_bytes() const noexcept = 0;
    // Bytes dropped after the first frame because they were not part of a whole unit: damage,
    // foreign data, truncated frames, pages whose checksum fails. The framing resynchronises on
    // the next valid units; resyncs() counts how often it had to.
    virtual std::uint64_t junk_bytes() const noexcept = 0;
    virtual std::uint64_t resyncs() const noexcept = 0;
    // Bytes received after the last unit that are no unit yet, while it is searching for one
    // after junk (0 while in sync): how long the stream has been unreadable.
    virtual std::size_t unframed_bytes() const noexcept = 0;
    // Those bytes.
    virtual std::span<const std::uint8_t> unframed() const noexcept = 0;
    // Ends the framing: removes and returns the bytes after the last complete unit (which a
    // following flush() still returns), for another framer when the stream changed format.
    virtual std::vector<std::uint8_t> take_unframed() = 0;
    // True once at least one valid frame/page was found.
    virtual bool synced() const noexcept = 0;
    virtual StreamInfo info() const = 0;
    // File extension for this stream, with the dot: ".mp3", ".aac", ".ogg", ".opus", ".flac".
    virtual std::string extension() const = 0;
};

// "mp3", "aac", "ogg" (also for Opus, Vorbis and FLAC in Ogg), "opus", "flac" (native).
// Returns nullptr for an unknown name.
std::unique_ptr<Framer> make_framer(std::string_view format);

// Guesses the format from the first bytes of a body: "mp3" (ID3 tag or MPEG frame sync with a
// consistent following frame), "aac" (ADTS), "ogg"/"opus" (OggS page with a Vorbis/FLAC or
// OpusHead first packet), "flac" ("fLaC"). nullopt when unsure (e.g. an HTML page). Pure.
std::optional<std::string> sniff_format(std::span<const std::uint8_t> head);

// What replaced a stream that lost its framing mid-way (MP3 turned into AAC, say): a format of
// another family than `current` ("opus" and "ogg" are one family) that frames `bytes` (junk
// first allowed) as at least three units of audio in a row — or, for Ogg, a new stream's
// first pages. nullopt when nothing does (plain damage). Pure.
std::optional<std::string> identify_new_format(std::span<const std::uint8_t> bytes,
                                               std::string_view current);

} // namespace isr::rec::framing
