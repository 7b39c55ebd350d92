#pragma once

#include "common/file_util.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace isr::web {

class ChunkChannel;

// `prefix`, then bytes [offset, offset + length) of an open file: a recording or a range of it
// (no prefix), a live WAV or FLAC behind its patched header, a WAV cut behind its new header.
struct FileBody {
    std::string prefix;
    UniqueFd fd;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    std::uint64_t size() const noexcept { return prefix.size() + length; }
};

// A body produced while it is sent (a decoded clip, a stream-copied cut): `length` bytes that
// `produce` pushes into the channel. The session runs it on the media pool, and only when it
// sends the body, so a HEAD request or a client gone before the head is written costs no
// decoding; the producer stops when push() returns false (client gone). It must not throw.
struct StreamedBody {
    std::uint64_t length = 0;
    std::function<void(const std::shared_ptr<ChunkChannel>&)> produce;
};

// What a handler returns; the session turns it into HTTP. No Beast types here.
struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::variant<std::string, FileBody, StreamedBody> body;

    Response& header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
    std::uint64_t content_length() const noexcept {
        return std::visit(
            [](const auto& b) -> std::uint64_t {
                using B = std::decay_t<decltype(b)>;
                if constexpr (std::is_same_v<B, std::string>)
                    return b.size();
                else if constexpr (std::is_same_v<B, FileBody>)
                    return b.size();
                else
                    return b.length;
            },
            body);
    }
};

Response json_response(std::string json, int status = 200);
Response json_error(int status, std::string_view message);

// Content-Disposition for a file name that may hold anything a file system allows ('"', '\\',
// non-ASCII): an ASCII fallback in `filename` and the exact name in `filename*` (RFC 6266).
std::string content_disposition(bool attachment, std::string_view filename);

} // namespace isr::web
