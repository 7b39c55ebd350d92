#include "webserver/media/audio_decoder.hpp"

#include "common/audio_formats.hpp"
#include "common/strings.hpp"

#include "webserver/media/libav_decoder.hpp"
#include "webserver/media/sndfile_decoder.hpp"

#include <stdexcept>

namespace isr::web {

namespace {

std::unique_ptr<AudioDecoder> checked(std::unique_ptr<AudioDecoder> decoder,
                                      const std::filesystem::path& path) {
    if (decoder->sample_rate() <= 0 || decoder->sample_rate() > kMaxSampleRate ||
        decoder->channels() <= 0 || decoder->channels() > kMaxChannels) {
        throw std::runtime_error(cat(path.filename().string(), " claims ", decoder->sample_rate(),
                                     " Hz and ", decoder->channels(),
                                     " channels; isr decodes up to ", kMaxSampleRate, " Hz and ",
                                     kMaxChannels, " channels"));
    }
    return decoder;
}

} // namespace

std::unique_ptr<AudioDecoder> open_decoder(const std::filesystem::path& path) {
    const auto* format = format_of_file(path.filename().string());
    if (!format || format->sndfile_decodes) {
        try {
            auto decoder = std::make_unique<SndfileDecoder>(path);
            // A FLAC file cut off by a crash has no length in its header: libsndfile can neither
            // seek in it nor tell where it ends, libavformat's FLAC demuxer can.
            if (decoder->known_length())
                return checked(std::move(decoder), path);
        } catch (const std::exception&) {
            // Not something libsndfile reads: try libavcodec.
        }
    }
    return checked(std::make_unique<LibavDecoder>(path), path);
}

} // namespace isr::web
