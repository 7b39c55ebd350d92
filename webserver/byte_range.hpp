#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

namespace isr::web {

struct ByteRange {
    std::uint64_t first = 0;
    std::uint64_t last = 0; // inclusive
    std::uint64_t length() const noexcept { return last - first + 1; }
};

struct NoRange {}; // absent, or one we ignore (several ranges, another unit): send it all
struct UnsatisfiableRange {}; // malformed, or starts past the end: 416

// Parses a Range header value for a resource of `size` bytes (RFC 9110 section 14): one range
// of "bytes=first-last", "bytes=first-" or "bytes=-suffix"; `last` is clamped to the end.
std::variant<NoRange, ByteRange, UnsatisfiableRange> parse_range(std::string_view header,
                                                                 std::uint64_t size);

} // namespace isr::web
