#include "common/audio_formats.hpp"
#include "recorder/stream/framing/adts_framer.hpp"
#include "recorder/stream/framing/flac_framer.hpp"
#include "recorder/stream/framing/framer.hpp"
#include "recorder/stream/framing/mpeg_framer.hpp"
#include "recorder/stream/framing/ogg_framer.hpp"

namespace isr::rec::framing {

std::unique_ptr<Framer> make_framer(std::string_view format) {
    const auto* f = format_named(format);
    if (!f)
        return nullptr;
    switch (f->framing) {
    case Framing::mpeg:
        return std::make_unique<MpegFramer>();
    case Framing::adts:
        return std::make_unique<AdtsFramer>();
    // Opus travels in Ogg: the same framer, reporting ".opus" even before the headers arrive.
    case Framing::ogg:
        return std::make_unique<OggFramer>(std::string(".") + std::string(f->extension));
    case Framing::flac:
        return std::make_unique<FlacFramer>();
    case Framing::none:
        break;
    }
    return nullptr;
}

} // namespace isr::rec::framing
