#include "common/replay_template.hpp"

#include "common/strings.hpp"
#include "common/time_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace isr {

namespace {

using Piece = ReplayTemplatePiece;
using Kind = ReplayTemplatePiece::Kind;

struct TokenInfo {
    std::string_view name;
    ReplayToken token;
    bool numeric;          // may take `d`
    std::size_t max_bytes; // the longest value it renders, fallback aside
};

constexpr TokenInfo kTokens[] = {
    {"date", ReplayToken::date, false, 10},
    {"time", ReplayToken::time, false, 6},
    {"iso", ReplayToken::iso, false, 25},
    {"timestamp", ReplayToken::timestamp, true, 20},
    {"source", ReplayToken::source, false, ReplayTemplate::kMaxSourceBytes},
    {"label", ReplayToken::label, false, ReplayTemplate::kMaxLabelBytes},
    {"duration", ReplayToken::duration, true, 20},
    {"counter", ReplayToken::counter, true, 20},
    {"ext", ReplayToken::ext, false, ReplayTemplate::kMaxExtBytes},
};

const TokenInfo& info_of(ReplayToken token) {
    for (const auto& t : kTokens) {
        if (t.token == token)
            return t;
    }
    return kTokens[0];
}

// NAME_MAX is 255; the rest is room for the _1, _2, … that keep a save from overwriting another.
constexpr std::size_t kMaxNameBytes = 240;
constexpr std::size_t kMaxTemplateBytes = 1024;
constexpr int kMaxWidth = 20;

[[noreturn]] void fail(const std::string& why) {
    throw std::invalid_argument(why);
}

// What a '%' at text[i] starts: "%%", or "%(name[|fallback])" then a conversion. Appends the piece
// and returns the index of the conversion's last character.
std::size_t parse_token(std::string_view text, std::size_t i, std::vector<Piece>& pieces) {
    if (i + 1 < text.size() && text[i + 1] == '%') {
        pieces.push_back({Kind::literal, "%"});
        return i + 1;
    }
    if (i + 1 >= text.size() || text[i + 1] != '(') {
        fail(cat("has a '%' at column ", i + 1,
                 " that starts no token; tokens look like %(date)s, and %% is a percent sign "
                 "(strftime codes such as %Y belong to filename_pattern)"));
    }
    // A '(' or '%' before any ')' means this token was never closed: its ')' is another's.
    const auto close = text.find_first_of("()%", i + 2);
    if (close == std::string_view::npos || text[close] != ')')
        fail(cat("has a token at column ", i + 1, " without its closing ')'"));
    const auto inner = text.substr(i + 2, close - i - 2);
    const auto bar = inner.find('|');
    const auto name = inner.substr(0, bar);
    const auto known = std::find_if(std::begin(kTokens), std::end(kTokens),
                                    [&](const TokenInfo& t) { return t.name == name; });
    if (known == std::end(kTokens)) {
        fail(cat("unknown token %(", printable(name, 40),
                 "); known tokens: ", ReplayTemplate::known_tokens()));
    }
    Piece piece{Kind::token, {}, known->token};
    if (bar != std::string_view::npos) {
        piece.has_fallback = true;
        piece.text = std::string(inner.substr(bar + 1));
        if (piece.text.find('/') != std::string::npos)
            fail(cat("the fallback of %(", name, ") contains '/'; a fallback is one name"));
        if (!piece.text.empty() && piece.text.front() == '.')
            fail(cat("the fallback of %(", name, ") starts with '.'"));
    }
    // The conversion: `s`, or `d` with an optional zero-padded width ("03d").
    auto k = close + 1;
    const bool zero = k < text.size() && text[k] == '0';
    if (zero)
        ++k;
    int width = 0;
    const auto digits = k;
    while (k < text.size() && text[k] >= '0' && text[k] <= '9') {
        width = std::min(width * 10 + (text[k] - '0'), 1000);
        ++k;
    }
    const auto spec = cat("%(", name, ")", text.substr(close + 1, k + 1 - close - 1));
    if (k >= text.size())
        fail(cat("%(", name, ") needs a conversion after ')': s, or d for numbers (%(", name,
                 ")s)"));
    const char conversion = text[k];
    if (conversion != 's' && conversion != 'd') {
        fail(cat("%(", name, ") has the unknown conversion '", printable(text.substr(k, 1)),
                 "'; use s, or d for numbers"));
    }
    if (conversion == 'd' && !known->numeric)
        fail(cat("%(", name, ") is text, not a number; write %(", name, ")s"));
    if ((zero || k > digits) && conversion == 's') {
        fail(cat(spec, ": a width is for numbers only (%(counter)03d)"));
    }
    if (k > digits && !zero) {
        fail(cat(spec, ": a width needs a leading 0 (%(", name, ")0", width,
                 "d); padding with spaces would put spaces into file names"));
    }
    if (zero && (k == digits || width < 1 || width > kMaxWidth))
        fail(cat(spec, ": the width must be from 1 to ", kMaxWidth));
    piece.number = conversion == 'd';
    piece.width = width;
    pieces.push_back(std::move(piece));
    return k;
}

// The folder-and-file-name rules, checked per '/'-separated part of the parsed template.
void check_parts(const std::vector<Piece>& pieces) {
    std::size_t begin = 0;
    while (true) {
        auto end = begin;
        while (end < pieces.size() && pieces[end].kind != Kind::separator)
            ++end;
        const bool last = end == pieces.size();
        if (begin == end) {
            fail(last ? "must end with a file name, not '/'" : "has an empty folder name ('//')");
        }
        std::string shown;
        std::size_t longest = 0;
        bool has_ext = false;
        for (auto i = begin; i < end; ++i) {
            const auto& p = pieces[i];
            if (p.kind == Kind::literal) {
                shown += p.text;
                longest += p.text.size();
                continue;
            }
            const auto& info = info_of(p.token);
            shown += cat("%(", info.name, ")");
            longest += std::max({info.max_bytes, p.text.size(), static_cast<std::size_t>(p.width)});
            has_ext = has_ext || p.token == ReplayToken::ext;
        }
        if (pieces[begin].kind == Kind::literal && pieces[begin].text.front() == '.') {
            fail(cat("has the name '", printable(shown, 60),
                     "', which starts with '.'; '..' would leave output_directory and other "
                     "'.' names are hidden"));
        }
        if (longest > kMaxNameBytes) {
            fail(cat("has the name '", printable(shown, 60), "', which could reach ", longest,
                     " bytes once filled in; each folder or file name may have ", kMaxNameBytes));
        }
        if (last) {
            if (!has_ext) {
                fail("must have %(ext)s in its file name (after the last '/') so that each save "
                     "keeps its format's extension");
            }
            return;
        }
        begin = end + 1;
    }
}

std::string number(std::int64_t n, const Piece& p) {
    const bool negative = n < 0;
    // Magnitude via unsigned arithmetic: -INT64_MIN does not fit an int64.
    const auto magnitude = negative ? 0 - static_cast<std::uint64_t>(n) : std::uint64_t(n);
    auto digits = std::to_string(magnitude);
    const auto room = static_cast<std::size_t>(std::max(p.width - (negative ? 1 : 0), 0));
    if (p.number && digits.size() < room)
        digits.insert(0, room - digits.size(), '0');
    return negative ? "-" + digits : digits;
}

std::string two(int n) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d", n % 100);
    return buf;
}

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, less the largest zone offset (14 h): local
// times stay within the years ISO 8601 writes without a sign, far from where adding an offset
// to an int64 would overflow.
constexpr std::int64_t kMaxOffset = 14 * 3600;
constexpr std::int64_t kFirstSecond = -62135596800 + kMaxOffset;
constexpr std::int64_t kLastSecond = 253402300799 - kMaxOffset;

std::string value_of(const Piece& p, const ReplayNameValues& v, const TimeZone& zone) {
    const auto start = std::clamp(v.start_utc_seconds, kFirstSecond, kLastSecond);
    switch (p.token) {
    case ReplayToken::date:
    case ReplayToken::time: {
        std::string abbrev;
        const auto tm = to_local_tm(start, zone, abbrev);
        if (p.token == ReplayToken::time)
            return two(tm.tm_hour) + two(tm.tm_min) + two(tm.tm_sec);
        char buf[32];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                      tm.tm_mday);
        return buf;
    }
    case ReplayToken::iso:
        return iso8601(start, zone);
    case ReplayToken::timestamp:
        return number(v.start_utc_seconds, p);
    case ReplayToken::source:
        return sanitize_name_value(v.source, ReplayTemplate::kMaxSourceBytes);
    case ReplayToken::label:
        return sanitize_name_value(v.label, ReplayTemplate::kMaxLabelBytes);
    case ReplayToken::duration: {
        // NaN and negatives are 0; the cap keeps llround defined.
        const auto d = v.duration_seconds > 0 ? std::min(v.duration_seconds, 1e15) : 0.0;
        return number(std::llround(d), p);
    }
    case ReplayToken::counter: {
        auto digits = std::to_string(v.counter);
        if (p.number && digits.size() < static_cast<std::size_t>(p.width))
            digits.insert(0, static_cast<std::size_t>(p.width) - digits.size(), '0');
        return digits;
    }
    case ReplayToken::ext:
        return sanitize_name_value(v.ext, ReplayTemplate::kMaxExtBytes);
    }
    return {};
}

} // namespace

ReplayTemplate::ReplayTemplate() : ReplayTemplate(parse(kDefault)) {}

ReplayTemplate ReplayTemplate::parse(std::string_view text) {
    if (trim(text).empty())
        fail("is empty");
    if (text.size() > kMaxTemplateBytes)
        fail(cat("is longer than ", kMaxTemplateBytes, " bytes"));
    if (text.front() == '/') {
        fail("must be relative to the source's output_directory (no leading '/'), where isr-web "
             "lists the saves with the recordings");
    }
    for (std::size_t i = 0; i < text.size();) {
        if (const auto len = utf8_sequence_length(text, i)) {
            i += len;
            continue;
        }
        const auto c = static_cast<unsigned char>(text[i++]);
        if (c == '\\')
            fail("must use '/' between folders, not '\\'");
        if (c < 0x20 || c == 0x7F)
            fail("contains a control character");
        if (c > 0x7F)
            fail("is not valid UTF-8 text");
    }
    std::vector<Piece> pieces;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            i = parse_token(text, i, pieces);
        } else if (c == '/') {
            pieces.push_back({Kind::separator, {}});
        } else if (!pieces.empty() && pieces.back().kind == Kind::literal) {
            pieces.back().text += c;
        } else {
            pieces.push_back({Kind::literal, std::string(1, c)});
        }
    }
    check_parts(pieces);
    return ReplayTemplate(std::string(text), std::move(pieces));
}

std::optional<std::string> ReplayTemplate::problem(std::string_view text) {
    try {
        parse(text);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return std::nullopt;
}

std::string ReplayTemplate::known_tokens() {
    std::string out;
    for (const auto& t : kTokens)
        out += cat(out.empty() ? "" : ", ", t.name);
    return out;
}

std::string ReplayTemplate::render(const ReplayNameValues& values, const TimeZone& zone) const {
    std::string out;
    std::size_t part_start = 0;
    // A part whose leading tokens rendered empty may be empty or start with a '.' from the
    // template ("%(label)s.%(ext)s" without a label); a '_' keeps it a plain, visible name.
    const auto finish_part = [&] {
        if (out.size() == part_start || out[part_start] == '.')
            out.insert(part_start, "_");
    };
    for (const auto& p : pieces_) {
        switch (p.kind) {
        case Kind::literal:
            out += p.text;
            break;
        case Kind::separator:
            finish_part();
            out += '/';
            part_start = out.size();
            break;
        case Kind::token: {
            auto value = value_of(p, values, zone);
            out += value.empty() && p.has_fallback ? p.text : value;
            break;
        }
        }
    }
    finish_part();
    return out;
}

std::string sanitize_name_value(std::string_view value, std::size_t max_bytes) {
    value = trim(value);
    std::string out;
    for (std::size_t i = 0; i < value.size();) {
        if (const auto len = utf8_sequence_length(value, i)) {
            out.append(value.substr(i, len));
            i += len;
            continue;
        }
        const auto c = static_cast<unsigned char>(value[i++]);
        const bool unsafe = c < 0x20 || c >= 0x7F || c == '/' || c == '\\' || c == ' ';
        if (!(c == '.' && !out.empty() && out.back() == '.'))
            out += unsafe ? '_' : static_cast<char>(c);
    }
    const auto strip_dots = [&out] {
        const auto first = out.find_first_not_of('.');
        if (first == std::string::npos) {
            out.clear();
            return;
        }
        out.erase(0, first);
        out.erase(out.find_last_not_of('.') + 1);
    };
    strip_dots();
    if (out.size() > max_bytes) {
        auto cut = max_bytes;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
            --cut; // not inside a character
        out.resize(cut);
        strip_dots();
    }
    return out;
}

} // namespace isr
