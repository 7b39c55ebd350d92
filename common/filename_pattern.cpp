#include "common/filename_pattern.hpp"

#include "common/strings.hpp"
#include "common/time_format.hpp"

namespace isr {

namespace {
constexpr std::string_view kSourceToken = "{source}";
}

std::optional<std::string> FilenamePattern::problem(std::string_view pattern) {
    if (trim(pattern).empty())
        return "is empty";
    if (pattern.front() == '/')
        return "must be relative to output_directory (no leading '/')";
    if (pattern.back() == '/')
        return "must end with a file name, not '/'";
    if (pattern.find('\\') != std::string_view::npos)
        return "must use '/' between folders";
    for (const char c : pattern) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            return "contains a control character";
    }
    for (const auto& part : split(pattern, '/')) {
        if (part.empty())
            return "has an empty folder name ('//')";
        if (part == "." || part == "..")
            return "must not contain '.' or '..' folders";
    }
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] != '%')
            continue;
        // A conversion: '%', glibc's flags and width, an E or O modifier, the conversion letter.
        std::size_t k = i + 1;
        while (k < pattern.size() &&
               std::string_view("_-0^#").find(pattern[k]) != std::string_view::npos)
            ++k;
        while (k < pattern.size() && pattern[k] >= '0' && pattern[k] <= '9')
            ++k;
        if (k < pattern.size() && (pattern[k] == 'E' || pattern[k] == 'O'))
            ++k;
        if (k >= pattern.size())
            return "ends with a lone '%'";
        if (pattern[k] == 'n' || pattern[k] == 't') {
            return cat("uses %", pattern[k], ", which puts a ",
                       pattern[k] == 'n' ? "newline" : "tab", " into file names");
        }
        i = k;
    }
    // What the pattern really produces, at a time with every field's width: no control
    // characters (a locale's %c or %p), no empty or dot folders.
    std::string sample;
    try {
        sample =
            FilenamePattern(std::string(pattern)).expand("source", 1798761599, *TimeZone::utc());
    } catch (const std::exception&) {
        return "produces an empty name";
    }
    for (const char c : sample) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            return "produces names with control characters";
    }
    for (const auto& part : split(sample, '/')) {
        if (part.empty() || part == "." || part == "..") {
            return cat("produces the path '", printable(sample, 120),
                       "', with an empty, '.' or '..' folder");
        }
    }
    return std::nullopt;
}

std::string FilenamePattern::expand(std::string_view source, std::int64_t utc_seconds,
                                    const TimeZone& zone) const {
    std::string with_source;
    std::string_view rest = pattern_;
    for (auto pos = rest.find(kSourceToken); pos != std::string_view::npos;
         pos = rest.find(kSourceToken)) {
        with_source += rest.substr(0, pos);
        with_source += source;
        rest.remove_prefix(pos + kSourceToken.size());
    }
    with_source += rest;
    auto name = format_time(with_source, utc_seconds, zone);
    // problem() refuses patterns that produce control characters; a locale may still differ
    // from the check's, and a file name must never hold a line break.
    for (auto& c : name) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            c = '_';
    }
    return name;
}

} // namespace isr
