#include "recorder/retention/recording_names.hpp"

#include "common/audio_formats.hpp"
#include "common/civil_time.hpp"
#include "common/strings.hpp"

#include <charconv>

namespace isr::rec {

namespace {

constexpr std::string_view kSourceToken = "{source}";

std::string escaped(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (std::string_view(R"(\^$.|?*+()[]{}-/)").find(c) != std::string_view::npos)
            out += '\\';
        out += c;
    }
    return out;
}

bool has_conversion(std::string_view component) {
    return component.find('%') != std::string_view::npos;
}

// The extensions isrd writes, as a regex alternative: "wav|flac|mp3|…".
std::string written_extensions() {
    std::vector<std::string> ext;
    for (const auto& f : audio_formats()) {
        if (f.framing != Framing::none || f.pcm_target)
            ext.emplace_back(escaped(f.extension));
    }
    return join(ext, "|");
}

int to_int(const std::string& digits) {
    int v = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), v);
    return v;
}

} // namespace

RecordingNames::RecordingNames(std::string_view pattern, std::string_view source,
                               std::shared_ptr<const TimeZone> zone)
    : zone_(std::move(zone)) {
    auto components = split(pattern, '/');
    std::size_t first = 0;
    while (first + 1 < components.size() && !has_conversion(components[first])) {
        std::string folder;
        std::string_view rest = components[first];
        for (auto pos = rest.find(kSourceToken); pos != std::string_view::npos;
             pos = rest.find(kSourceToken)) {
            folder += rest.substr(0, pos);
            folder += source;
            rest.remove_prefix(pos + kSourceToken.size());
        }
        folder += rest;
        fixed_.push_back(std::move(folder));
        ++first;
    }
    for (std::size_t c = first; c < components.size(); ++c) {
        const std::string_view text = components[c];
        std::string re;
        std::vector<Field> fields;
        const auto group = [&](std::string_view expr, std::initializer_list<Field> f) {
            re += expr;
            fields.insert(fields.end(), f);
        };
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text.compare(i, kSourceToken.size(), kSourceToken) == 0) {
                re += escaped(source);
                i += kSourceToken.size() - 1;
                continue;
            }
            if (text[i] != '%' || i + 1 >= text.size()) {
                re += escaped(text.substr(i, 1));
                continue;
            }
            // A conversion with flags, width or a modifier may be padded any way: matched
            // loosely, and not read for the time.
            std::size_t k = i + 1;
            while (k < text.size() &&
                   std::string_view("_-0^#").find(text[k]) != std::string_view::npos)
                ++k;
            while (k < text.size() && text[k] >= '0' && text[k] <= '9')
                ++k;
            if (k < text.size() && (text[k] == 'E' || text[k] == 'O'))
                ++k;
            if (k >= text.size())
                break;
            const bool plain = k == i + 1;
            const char letter = text[k];
            i = k;
            if (!plain) {
                re += "[^/]*?";
                continue;
            }
            switch (letter) {
            case '%':
                re += "%";
                break;
            case 'Y':
                group("(\\d{4})", {Field::year});
                break;
            case 'y':
                group("(\\d{2})", {Field::year2});
                break;
            case 'm':
                group("(\\d{2})", {Field::month});
                break;
            case 'd':
                group("(\\d{2})", {Field::day});
                break;
            case 'H':
                group("(\\d{2})", {Field::hour});
                break;
            case 'M':
                group("(\\d{2})", {Field::minute});
                break;
            case 'S':
                group("(\\d{2})", {Field::second});
                break;
            case 's':
                group("(\\d+)", {Field::epoch});
                break;
            case 'F':
                group("(\\d{4})-(\\d{2})-(\\d{2})", {Field::year, Field::month, Field::day});
                break;
            case 'T':
                group("(\\d{2}):(\\d{2}):(\\d{2})", {Field::hour, Field::minute, Field::second});
                break;
            case 'R':
                group("(\\d{2}):(\\d{2})", {Field::hour, Field::minute});
                break;
            default:
                re += "[^/]*?";
                break; // names of months, weekdays, locale forms
            }
        }
        if (c + 1 == components.size())
            re += "(?:_\\d+)?\\.(?:" + written_extensions() + ")";
        parts_.push_back({std::regex(re, std::regex::ECMAScript | std::regex::optimize), fields});
    }
}

bool RecordingNames::folder_matches(std::size_t level, std::string_view name) const {
    if (level + 1 >= parts_.size())
        return false;
    return std::regex_match(name.begin(), name.end(), parts_[level].re);
}

std::optional<RecordingNames::Match>
RecordingNames::match(const std::vector<std::string>& components) const {
    if (components.size() != parts_.size())
        return std::nullopt;
    int y = -1, mo = -1, d = -1, h = 0, mi = 0, s = 0;
    std::optional<std::int64_t> epoch;
    for (std::size_t c = 0; c < parts_.size(); ++c) {
        std::smatch m;
        if (!std::regex_match(components[c], m, parts_[c].re))
            return std::nullopt;
        for (std::size_t g = 0; g < parts_[c].fields.size(); ++g) {
            const auto text = m[static_cast<int>(g + 1)].str();
            const int v = to_int(text);
            switch (parts_[c].fields[g]) {
            case Field::year:
                y = v;
                break;
            case Field::year2:
                y = 2000 + v;
                break;
            case Field::month:
                mo = v;
                break;
            case Field::day:
                d = v;
                break;
            case Field::hour:
                h = v;
                break;
            case Field::minute:
                mi = v;
                break;
            case Field::second:
                s = v;
                break;
            case Field::epoch: {
                std::int64_t e = 0;
                if (std::from_chars(text.data(), text.data() + text.size(), e).ec == std::errc())
                    epoch = e;
                break;
            }
            }
        }
    }
    Match match;
    if (epoch) {
        match.start = *epoch;
    } else if (y >= 1970 && y <= 2999 && mo >= 1 && mo <= 12 && d >= 1 &&
               d <= civil::days_in_month(y, mo) && h <= 23 && mi <= 59 && s <= 60) {
        const std::int64_t local =
            civil::days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
        // Local to UTC: the offset in force an offset's width away; an hour off around a DST
        // change matters nothing to a limit counted in days.
        const auto offset = zone_->at(local - zone_->at(local).utc_offset).utc_offset;
        match.start = local - offset;
    }
    return match;
}

} // namespace isr::rec
