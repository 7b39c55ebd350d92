#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace isr::rec {

// The response head at the start of what a stream server sent, made acceptable to Beast's
// strict HTTP/1.1 parser. Stream servers are lax: SHOUTcast answers "ICY 200 OK", some send
// bare LF line ends, proxies may send "100 Continue" first.
struct ResponseHead {
    enum class Status { incomplete, complete, invalid };
    Status status = Status::incomplete;
    // complete: bytes of the input up to the end of the final head (interim heads included);
    // the body starts there.
    std::size_t size = 0;
    // complete: the final head with CRLF line ends and an "HTTP/1.x NNN reason" status line,
    // ending with an empty line.
    std::string head;
    int status_code = 0; // complete: of the final head
    int interim = 0;     // 1xx interim responses skipped before it
    std::string problem; // invalid: what is wrong, for a message
};

inline constexpr std::size_t kMaxResponseHeadBytes = 16384;
inline constexpr int kMaxInterimResponses = 8;

// Finds the final response head at the start of `received` (everything received so far on a
// connection). Pure: no I/O, no allocation beyond the result; safe on any bytes.
// - "ICY 200 OK" (SHOUTcast v1) becomes "HTTP/1.0 200 OK";
// - bare LF line ends become CRLF;
// - 1xx interim responses (100 Continue, 102, 103) are skipped; 101 is final (isrd never asks
//   to switch protocols);
// - invalid as soon as the first bytes cannot start a status line, when the status line is
//   malformed, when a head holds a NUL byte or grows past `max_head_bytes`, or after more than
//   kMaxInterimResponses interim heads. Otherwise incomplete until the final head has ended.
ResponseHead parse_response_head(std::string_view received,
                                 std::size_t max_head_bytes = kMaxResponseHeadBytes);

} // namespace isr::rec
