#pragma once

#include "common/file_util.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace isr::web {

class ChunkChannel;

// Bytes [offset, offset + length) of an open file. `overlay` replaces the file's bytes from
// `overlay_at` on (a live WAV or FLAC file served with a patched header).
struct FileBody {
    UniqueFd fd;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    std::string overlay;
    std::uint64_t overlay_at = 0;
};

// A body produced while it is sent (a decoded clip): `length` bytes arrive through `channel`.
struct StreamedBody {
    std::shared_ptr<ChunkChannel> channel;
    std::uint64_t length = 0;
};

// What a handler returns; the session turns it into HTTP. No Beast types here.
struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;                    // used when neither file nor streamed is set
    std::optional<FileBody> file;
    std::optional<StreamedBody> streamed;

    Response& header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
    std::uint64_t content_length() const noexcept {
        return file ? file->length : streamed ? streamed->length : body.size();
    }
};

Response json_response(std::string json, int status = 200);
Response json_error(int status, std::string_view message);

} // namespace isr::web
