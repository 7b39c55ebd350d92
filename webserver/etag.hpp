#pragma once

#include <string_view>

namespace isr::web {

// If-None-Match (RFC 9110 section 13.1.2): true when the field is "*" or lists `etag` in any
// position, compared weakly (W/"x" matches "x"). False for an empty field.
bool none_match_hits(std::string_view if_none_match, std::string_view etag) noexcept;

} // namespace isr::web
