// What a streaming server controls before the audio: its response head (ICY status lines, bare
// LF, interim 1xx heads), URLs (the configured one and every Location it redirects to) and ICY
// metadata interleaved with the body.
#include "recorder/stream/icy_metadata.hpp"
#include "recorder/stream/response_head.hpp"
#include "recorder/stream/url.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

using namespace isr::rec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2)
        return 0;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // The response head, as it arrives: whole, and cut at every length a read could end at.
    for (const auto cut : {size, size / 2, size / 3}) {
        const auto head = parse_response_head(text.substr(0, cut));
        if (head.status == ResponseHead::Status::complete && (head.size > cut || head.head.empty()))
            __builtin_trap();
    }
    // URLs: the input as a URL, and its second half as a Location against its first.
    if (const auto url = Url::parse(text)) {
        static_cast<void>(url->host_header());
        static_cast<void>(url->to_string());
    }
    const auto half = text.size() / 2;
    if (const auto base = Url::parse(text.substr(0, half))) {
        if (const auto next = base->resolve(text.substr(half))) {
            static_cast<void>(next->to_string());
            static_cast<void>(same_origin(*base, *next));
        }
    }
    // ICY metadata at a metaint of 1 to 256 bytes, fed in pieces of the same size.
    const std::size_t metaint = 1 + data[0];
    IcyMetadataStripper stripper(metaint,
                                 [](const std::string& title) { static_cast<void>(title.size()); });
    std::vector<std::uint8_t> audio;
    const std::span<const std::uint8_t> body(data + 1, size - 1);
    for (std::size_t at = 0; at < body.size(); at += metaint + 3) {
        stripper.process(body.subspan(at, std::min(metaint + 3, body.size() - at)), audio);
    }
    if (audio.size() > body.size())
        __builtin_trap();
    static_cast<void>(IcyMetadataStripper::stream_title(text));
    static_cast<void>(to_utf8(text));
    return 0;
}
