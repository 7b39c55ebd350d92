// Instant-replay names: a replay_template from config.ini and a label from whoever can reach the
// control socket, rendered together. Input: the template, a NUL byte, the label, a NUL byte, the
// extension (missing parts are empty); the last 8 bytes also give the start time. Whatever
// parses must render a safe relative path; the on_save splitter runs on the same bytes.
#include "common/command_line.hpp"
#include "common/replay_template.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>

using namespace isr;

namespace {

std::string_view next_part(std::string_view& rest) {
    const auto nul = rest.find('\0');
    const auto part = rest.substr(0, nul);
    rest = nul == std::string_view::npos ? std::string_view{} : rest.substr(nul + 1);
    return part;
}

// What render() promises: relative, '/'-separated, no empty, hidden, '.' or '..' part, no
// control characters, every part within NAME_MAX.
void check_safe(std::string_view path) {
    if (path.empty() || path.front() == '/')
        std::abort();
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos)
            end = path.size();
        const auto part = path.substr(start, end - start);
        if (part.empty() || part.front() == '.' || part.size() > 240)
            std::abort();
        start = end + 1;
    }
    for (const char c : path) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == '\\')
            std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    static_cast<void>(command_line_problem(all));
    std::int64_t start = 1775651452;
    if (size >= 8)
        std::memcpy(&start, data + size - 8, 8);
    auto rest = all;
    const auto text = next_part(rest);
    const auto label = next_part(rest);
    const auto ext = next_part(rest);
    try {
        const auto t = ReplayTemplate::parse(text);
        static const auto zone = TimeZone::from_posix("CET", "CET-1CEST,M3.5.0,M10.5.0/3");
        ReplayNameValues v;
        v.start_utc_seconds = start;
        v.source = "mic";
        v.label = label;
        v.duration_seconds = static_cast<double>(size) / 3;
        v.counter = size;
        v.ext = ext;
        check_safe(t.render(v, *zone));
    } catch (const std::invalid_argument&) {
        // A refused template is the expected outcome for most inputs.
    }
    return 0;
}
