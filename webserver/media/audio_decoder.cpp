#include "webserver/media/audio_decoder.hpp"

#include "webserver/media/libav_decoder.hpp"
#include "webserver/media/sndfile_decoder.hpp"

namespace isr::web {

std::unique_ptr<AudioDecoder> open_decoder(const std::filesystem::path& path) {
    const auto ext = path.extension().string();
    if (ext != ".aac" && ext != ".m4a") {
        try {
            auto decoder = std::make_unique<SndfileDecoder>(path);
            // A FLAC file cut off by a crash has no length in its header: libsndfile can neither
            // seek in it nor tell where it ends, libavformat's FLAC demuxer can.
            if (decoder->known_length()) return decoder;
        } catch (const std::exception&) {
            // Not something libsndfile reads: try libavcodec.
        }
    }
    return std::make_unique<LibavDecoder>(path);
}

} // namespace isr::web
