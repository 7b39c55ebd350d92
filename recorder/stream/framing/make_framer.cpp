#include "recorder/stream/framing/adts_framer.hpp"
#include "recorder/stream/framing/flac_framer.hpp"
#include "recorder/stream/framing/framer.hpp"
#include "recorder/stream/framing/mpeg_framer.hpp"
#include "recorder/stream/framing/ogg_framer.hpp"

namespace isr::rec::framing {

std::unique_ptr<Framer> make_framer(std::string_view format) {
    if (format == "mp3")
        return std::make_unique<MpegFramer>();
    if (format == "aac")
        return std::make_unique<AdtsFramer>();
    if (format == "ogg")
        return std::make_unique<OggFramer>(".ogg");
    // Opus travels in Ogg: the same framer, reporting ".opus" even before the headers arrive.
    if (format == "opus")
        return std::make_unique<OggFramer>(".opus");
    if (format == "flac")
        return std::make_unique<FlacFramer>();
    return nullptr;
}

} // namespace isr::rec::framing
