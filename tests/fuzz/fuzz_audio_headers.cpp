// The WAV and FLAC header readers and patchers isr-web runs on every file in the recordings
// folder (whoever put it there): parse, count what is present, patch for live serving and cuts.
#include "common/flac_header.hpp"
#include "common/wav_header.hpp"

#include <cstdint>
#include <cstdlib>
#include <span>

using namespace isr;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    if (const auto wav = parse_wav_header(bytes)) {
        const auto frames = wav_frames_present(*wav, size);
        if (wav->data_offset <= size) {
            const auto header = patch_wav_header(bytes, *wav, size);
            if (header.size() != wav->data_offset)
                std::abort();
        }
        static_cast<void>(frames);
    }
    const auto meta = scan_flac_metadata(bytes, 1 << 20);
    if (meta.status == FlacParse::ok) {
        if (meta.size > size)
            std::abort();
        const auto patched = patch_flac_total_samples(bytes, meta.size, 12345);
        if (patched.size() != meta.size)
            std::abort();
        static_cast<void>(find_flac_live_end(bytes.subspan(meta.size), meta.size, meta.info));
    }
    if (size >= 34)
        static_cast<void>(parse_flac_streaminfo(bytes.first(34)));
    static_cast<void>(parse_flac_frame_header(bytes));
    return 0;
}
