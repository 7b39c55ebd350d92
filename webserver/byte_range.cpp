#include "webserver/byte_range.hpp"

#include "common/strings.hpp"

#include <charconv>

namespace isr::web {

namespace {
std::optional<std::uint64_t> number(std::string_view s) {
    s = trim(s);
    if (s.empty())
        return std::nullopt;
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size())
        return std::nullopt;
    return v;
}
} // namespace

std::variant<NoRange, ByteRange, UnsatisfiableRange> parse_range(std::string_view header,
                                                                 std::uint64_t size) {
    header = trim(header);
    if (header.empty())
        return NoRange{};
    const auto eq = header.find('=');
    if (eq == std::string_view::npos)
        return UnsatisfiableRange{};
    // A unit we do not know is ignored: the whole representation is sent (RFC 9110 14.2).
    if (!iequals(trim(header.substr(0, eq)), "bytes"))
        return NoRange{};
    const auto spec = trim(header.substr(eq + 1));
    if (spec.find(',') != std::string_view::npos)
        return NoRange{}; // several ranges: send it all
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos)
        return UnsatisfiableRange{};
    const auto first_text = trim(spec.substr(0, dash));
    const auto last_text = trim(spec.substr(dash + 1));
    if (first_text.empty()) { // suffix: the last N bytes
        const auto suffix = number(last_text);
        if (!suffix || *suffix == 0 || size == 0)
            return UnsatisfiableRange{};
        const auto n = std::min(*suffix, size);
        return ByteRange{size - n, size - 1};
    }
    const auto first = number(first_text);
    if (!first)
        return UnsatisfiableRange{};
    std::uint64_t last = size == 0 ? 0 : size - 1;
    if (!last_text.empty()) {
        const auto l = number(last_text);
        if (!l || *l < *first)
            return UnsatisfiableRange{};
        last = std::min(*l, last);
    }
    if (*first >= size)
        return UnsatisfiableRange{};
    return ByteRange{*first, last};
}

} // namespace isr::web
