#pragma once

#include "common/time_zone.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace isr {

// What one instant-replay save is named after.
struct ReplayNameValues {
    std::int64_t start_utc_seconds = 0; // the first sample saved
    std::string_view source;            // the source's section name
    std::string_view label;             // from the save request; empty: none
    double duration_seconds = 0;        // length of the saved audio
    std::uint64_t counter = 0;          // the save's number, as the caller counts saves
    std::string_view ext;               // the file's extension without its dot: "wav"
};

// A parsed template is a list of these (ReplayTemplate's internals, here so that the parser's
// helpers can be free functions).
enum class ReplayToken { date, time, iso, timestamp, source, label, duration, counter, ext };
struct ReplayTemplatePiece {
    enum class Kind { literal, separator, token } kind = Kind::literal;
    std::string text; // a literal's text, or a token's fallback
    ReplayToken token = ReplayToken::date;
    bool has_fallback = false;
    bool number = false; // a `d` conversion
    int width = 0;       // the zero-padded width of a `d` conversion; 0: none
};

// The `replay_template` of config.ini: a path relative to the source's output_directory with
// yt-dlp-style tokens, where '/' makes subfolders:
//   %(date)s 2026-04-08   %(time)s 143052   %(iso)s 2026-04-08T14:30:52+02:00 (the start, in
//   the source's zone)   %(timestamp)s 1775651452 (Unix seconds)   %(source)s   %(label)s
//   %(duration)d (whole seconds, rounded)   %(counter)d   %(ext)s
// Numbers take `d` with a zero-padded width (%(counter)03d) or `s`; `%(name|text)s` renders
// `text` when the value is empty (%(label|untitled)s); `%%` is a percent sign.
// Parsed once; immutable, so one template may render on any thread.
class ReplayTemplate {
public:
    static constexpr std::string_view kDefault =
        "replays/%(date)s/%(time)s_%(source)s_%(label|untitled)s.%(ext)s";
    // The longest substituted text values, in bytes (a source name has at most 64 anyway).
    static constexpr std::size_t kMaxLabelBytes = 80;
    static constexpr std::size_t kMaxSourceBytes = 64;
    static constexpr std::size_t kMaxExtBytes = 16;

    // The default template.
    ReplayTemplate();

    // Throws std::invalid_argument saying what is wrong with `text`: an unknown token (naming
    // the known ones), malformed syntax, an absolute path, a '.' or '..' name, no %(ext)s in
    // the file name, a name that could pass 240 bytes once filled in.
    static ReplayTemplate parse(std::string_view text);
    // parse()'s complaint, or nullopt when `text` is a valid template. Never throws.
    static std::optional<std::string> problem(std::string_view text);

    // "date, time, iso, …": the token names, for messages.
    static std::string known_tokens();

    // The relative path of a save: '/'-separated, no empty, '.' or '..' part, no part starting
    // with '.', no control characters, each part at most 240 bytes. Every substituted text
    // value is passed through sanitize_name_value() and cut to its kMax…Bytes; a value empty
    // after that counts as
    // missing and takes the token's fallback (or renders empty). date, time and iso clamp the
    // start to the years 1 to 9999. Pure; throws nothing but std::bad_alloc.
    std::string render(const ReplayNameValues& values, const TimeZone& zone) const;

    const std::string& text() const noexcept { return text_; }

private:
    ReplayTemplate(std::string text, std::vector<ReplayTemplatePiece> pieces)
        : text_(std::move(text)), pieces_(std::move(pieces)) {}

    std::string text_;
    std::vector<ReplayTemplatePiece> pieces_;
};

// A label, source name or extension made safe as part of one file name: spaces become '_';
// '/', '\', control characters (C0, DEL, C1) and bytes that are not UTF-8 become '_'; runs of
// '.' become one and dots at either end go, so no "..", no hidden name; leading and trailing
// whitespace is dropped; valid non-ASCII UTF-8 is kept; the result is cut to `max_bytes` on a
// character boundary. May return "" (the value then counts as missing). Pure.
std::string sanitize_name_value(std::string_view value,
                                std::size_t max_bytes = ReplayTemplate::kMaxLabelBytes);

} // namespace isr
