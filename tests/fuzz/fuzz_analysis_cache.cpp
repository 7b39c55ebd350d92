// The analysis cache files isr-web reads back: whoever can write the cache folder controls them.
#include "webserver/analysis/analysis_cache.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

using namespace isr::web;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // A crafted levels file claims whatever key it likes: take it from the input itself (the
    // header's file_size and mtime_ns), so the fuzzer gets past the key check.
    FileKey claimed;
    if (size >= 32) {
        std::memcpy(&claimed.size, data + 16, 8);
        std::memcpy(&claimed.mtime_ns, data + 24, 8);
    }
    for (const FileKey key : {FileKey{0, 0}, claimed}) {
        if (const auto levels = parse_levels(text, key)) {
            if (!(levels->window_seconds > 0) || levels->sample_rate <= 0)
                std::abort();
            // What a request does with cached levels: floor, sections, display.
            const auto floor = noise_floor(levels->db, levels->window_seconds);
            static_cast<void>(
                find_sections(levels->db, floor, levels->window_seconds, SectionParams{}));
            static_cast<void>(display(levels->db, floor));
        }
        for (const auto& entry : parse_sections(text, key))
            static_cast<void>(entry.sections.size());
    }
    return 0;
}
