// The compressed-stream framers (MPEG audio, ADTS, Ogg, native FLAC), format sniffing and
// codec-change detection, fed any bytes in any chunking: the first two input bytes pick the
// framer and the chunk size. Some units are split between packets (Ogg) at points that depend
// on their place in the stream, and the parts written in their place.
#include "recorder/stream/framing/framer.hpp"
#include "recorder/stream/framing/ogg_page.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

using namespace isr::rec::framing;

namespace {

bool is_page(const Unit& unit) {
    return check_ogg_page(unit.bytes).size == unit.bytes.size();
}

// split()'s promises: two whole pages whose durations add up to the unit's.
void check_parts(const Unit& unit, const std::pair<Unit, Unit>& parts) {
    const auto& [first, second] = parts;
    const double sum = first.duration + second.duration;
    if (!is_page(first) || !is_page(second) || !(first.duration >= 0) || !(second.duration >= 0) ||
        std::abs(sum - unit.duration) > 1e-9 * std::max(1.0, sum) || !second.cut_ok ||
        first.bytes.size() + second.bytes.size() != unit.bytes.size() + kOggHeaderBytes)
        std::abort();
}

} // namespace

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
    const bool ogg = format == std::string_view("ogg") || format == std::string_view("opus");
    std::size_t units = 0;
    const auto take = [&](Unit unit) {
        const auto n = units++;
        // Before its start, inside, or past its end.
        const double seconds = unit.duration * static_cast<double>(n % 13) / 10 - 0.1;
        if (auto parts = framer->split(unit, seconds)) {
            if (!ogg)
                std::abort(); // MPEG, ADTS and FLAC frames are indivisible
            check_parts(unit, *parts);
            if (auto again = framer->split(parts->second, seconds / 2))
                check_parts(parts->second, *again);
            // The first part ends a file, the second starts the next one.
            framer->adapt(parts->first);
            static_cast<void>(framer->begin_file(parts->second));
            framer->adapt(parts->second);
            if (!is_page(parts->first) || !is_page(parts->second))
                std::abort();
            return;
        }
        if (n % 7 == 0)
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
