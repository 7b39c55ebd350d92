#include "common/strings.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace isr {

namespace {
char lower(char c) noexcept {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}
} // namespace

std::string_view trim(std::string_view s) noexcept {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return lower(x) == lower(y); });
}

bool icontains(std::string_view haystack, std::string_view needle) noexcept {
    if (needle.empty())
        return true;
    const auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                                [](char x, char y) { return lower(x) == lower(y); });
    return it != haystack.end();
}

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const auto pos = s.find(sep, start);
        parts.emplace_back(s.substr(start, pos - start));
        if (pos == std::string_view::npos)
            break;
        start = pos + 1;
    }
    return parts;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i)
            out += sep;
        out += parts[i];
    }
    return out;
}

std::string mask_url_password(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos)
        return std::string(url);
    const auto authority_start = scheme_end + 3;
    const auto authority_end = url.find_first_of("/?#", authority_start);
    const auto authority = url.substr(authority_start, authority_end == std::string_view::npos
                                                           ? std::string_view::npos
                                                           : authority_end - authority_start);
    auto at = authority.rfind('@');
    if (at == std::string_view::npos) {
        // A password with an unencoded '/', '?' or '#' ends the authority early
        // ("http://user:pa/ss@host/"): the authority is then "user:pa", which is not a host and
        // port, and the credentials run to the last '@'.
        const auto colon = authority.find(':');
        if (colon == std::string_view::npos)
            return std::string(url);
        const auto port = authority.substr(colon + 1);
        const bool is_port =
            !port.empty() && port.find_first_not_of("0123456789") == std::string_view::npos;
        const auto last_at = url.rfind('@');
        if (is_port || last_at == std::string_view::npos || last_at < authority_start) {
            return std::string(url);
        }
        at = last_at - authority_start;
    }
    const auto colon = url.substr(authority_start, at).find(':');
    if (colon == std::string_view::npos)
        return std::string(url);
    std::string out(url.substr(0, authority_start + colon + 1));
    out += "***";
    out += url.substr(authority_start + at);
    return out;
}

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                            : c >= 0xE0 && c <= 0xEF ? 3
                            : c >= 0xF0 && c <= 0xF4 ? 4
                                                     : 0;
    if (len == 0 || i + len > s.size())
        return 0;
    for (std::size_t k = 1; k < len; ++k) {
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
            return 0;
    }
    // C1 controls (U+0080-U+009F) steer terminals as much as ASCII ones do; overlong forms,
    // surrogates and code points past U+10FFFF are not UTF-8.
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xC2 && c1 < 0xA0) || (c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) ||
        (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) {
        return 0;
    }
    return len;
}

std::string printable(std::string_view text, std::size_t max_bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    const auto n = std::min(text.size(), max_bytes);
    const auto head = text.substr(0, n);
    for (std::size_t i = 0; i < n;) {
        if (const auto len = utf8_sequence_length(head, i)) {
            out.append(head.substr(i, len));
            i += len;
            continue;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\\')
            out += "\\\\";
        else if (c == '\t')
            out += "\\t";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\n')
            out += "\\n";
        else if (c >= 0x20 && c < 0x7F)
            out += static_cast<char>(c);
        else {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
        ++i;
    }
    if (text.size() > n)
        out += "\u2026"; // …
    return out;
}

std::string fixed(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

std::string human_bytes(unsigned long long bytes) {
    static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
        value /= 1024.0;
        ++unit;
    }
    return unit == 0 ? cat(bytes, " B") : cat(fixed(value, 1), ' ', kUnits[unit]);
}

} // namespace isr
