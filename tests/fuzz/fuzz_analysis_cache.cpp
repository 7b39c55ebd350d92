// The analysis cache files isr-web reads back: whoever can write the cache folder controls them.
#include "common/crc.hpp"
#include "webserver/analysis/analysis_cache.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace isr;
using namespace isr::web;

namespace {

// A crafted levels file gets its checksums right: patch them in (header CRC over bytes 0..75 at
// 76; a complete file's body CRC at 72), so the fuzzer reaches what follows the checks.
std::string with_checksums(std::string data) {
    if (data.size() < 80)
        return data;
    auto* bytes = reinterpret_cast<std::uint8_t*>(data.data());
    const auto body = isr::crc32({bytes + 80, data.size() - 80});
    std::memcpy(bytes + 72, &body, 4);
    const auto head = isr::crc32({bytes, 76});
    std::memcpy(bytes + 76, &head, 4);
    return data;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto patched = with_checksums(std::string(text));
    for (const std::string_view input : {text, std::string_view(patched)}) {
        if (const auto file = isr::parse_levels(input)) {
            const auto& levels = file->levels;
            if (!(levels.window_seconds > 0) || levels.sample_rate <= 0 ||
                levels.db.size() > static_cast<std::size_t>(isr::kMaxWindows))
                std::abort();
            // What a request does with cached levels: floor, sections, display.
            const auto floor = noise_floor(levels.db, levels.window_seconds);
            static_cast<void>(
                find_sections(levels.db, floor, levels.window_seconds, SectionParams{}));
            static_cast<void>(display(levels.db, floor));
        }
    }
    // A sections file claims whatever key it likes; its own "size" and "mtime_ns" are tried too
    // by the parser's callers, so here both a fixed key and none.
    for (const FileKey key : {FileKey{0, 0}, FileKey{1, 1}}) {
        for (const auto& entry : parse_sections(text, key))
            static_cast<void>(entry.sections.size());
    }
    return 0;
}
