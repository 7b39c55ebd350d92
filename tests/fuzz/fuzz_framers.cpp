// The compressed-stream framers (MPEG audio, ADTS, Ogg, native FLAC), format sniffing and
// codec-change detection, fed any bytes in any chunking: the first two input bytes pick the
// framer and the chunk size.
#include "recorder/stream/framing/framer.hpp"

#include <cstdint>
#include <cstdlib>
#include <span>

using namespace isr::rec::framing;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2)
        return 0;
    static constexpr const char* kFormats[] = {"mp3", "aac", "ogg", "opus", "flac"};
    const auto format = kFormats[data[0] % 5];
    const std::size_t chunk = 1 + data[1] % 97 * 31;
    const std::span<const std::uint8_t> body(data + 2, size - 2);
    static_cast<void>(sniff_format(body));
    static_cast<void>(identify_new_format(body, format));
    auto framer = make_framer(format);
    if (!framer)
        std::abort();
    std::size_t units = 0;
    const auto take = [&](Unit unit) {
        if (units++ % 7 == 0)
            static_cast<void>(framer->begin_file(unit));
        framer->adapt(unit);
        if (!(unit.duration >= 0) || unit.duration > 3600)
            std::abort();
    };
    for (std::size_t at = 0; at < body.size(); at += chunk) {
        framer->push(body.subspan(at, std::min(chunk, body.size() - at)));
        while (auto unit = framer->next())
            take(std::move(*unit));
        if (framer->unframed_bytes() != framer->unframed().size())
            std::abort();
    }
    while (auto unit = framer->flush())
        take(std::move(*unit));
    static_cast<void>(framer->take_unframed());
    static_cast<void>(framer->info());
    static_cast<void>(framer->extension());
    return 0;
}
