#pragma once

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace isr {

// Concatenates anything streamable; GCC 12 has no <format>.
template <class... Parts> std::string cat(const Parts&... parts) {
    std::ostringstream out;
    (out << ... << parts);
    return out.str();
}

std::string_view trim(std::string_view s) noexcept;
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b) noexcept;
bool icontains(std::string_view haystack, std::string_view needle) noexcept;
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);

// Returns the URL with any password in its userinfo replaced by "***", for logs.
std::string mask_url_password(std::string_view url);

// Outside text (a config line, a server's answer, a stream's first bytes) made safe to quote in
// a log line or message: printable ASCII and valid UTF-8 stay, a backslash is doubled, TAB, CR
// and LF become \t \r \n, any other byte \xNN. Longer input is cut at `max_bytes` with "…".
std::string printable(std::string_view text, std::size_t max_bytes = 200);

// The length of the well-formed multi-byte UTF-8 sequence at s[i] that is not a C1 control
// character, or 0 (an ASCII byte, a stray or truncated sequence, an overlong form, a surrogate).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept;

// Renders a number with a fixed count of decimals, without locale surprises.
std::string fixed(double value, int decimals);

// Human-readable byte count ("1.5 MiB").
std::string human_bytes(unsigned long long bytes);

} // namespace isr
