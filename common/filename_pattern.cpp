#include "common/filename_pattern.hpp"

#include "common/strings.hpp"
#include "common/time_format.hpp"

namespace isr {

namespace {
constexpr std::string_view kSourceToken = "{source}";
}

std::optional<std::string> FilenamePattern::problem(std::string_view pattern) {
    if (trim(pattern).empty()) return "is empty";
    if (pattern.front() == '/') return "must be relative to output_directory (no leading '/')";
    if (pattern.back() == '/') return "must end with a file name, not '/'";
    if (pattern.find('\\') != std::string_view::npos) return "must use '/' between folders";
    for (const auto& part : split(pattern, '/')) {
        if (part.empty()) return "has an empty folder name ('//')";
        if (part == "." || part == "..") return "must not contain '.' or '..' folders";
    }
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '%') {
            if (i + 1 >= pattern.size()) return "ends with a lone '%'";
            ++i;
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
    return format_time(with_source, utc_seconds, zone);
}

} // namespace isr
