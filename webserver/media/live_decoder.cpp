#include "webserver/media/live_decoder.hpp"

#include "common/audio_formats.hpp"
#include "common/file_util.hpp"
#include "common/strings.hpp"
#include "webserver/archive/live_extent.hpp"
#include "webserver/media/sndfile_decoder.hpp"

#include <stdexcept>

#include <sys/stat.h>

namespace isr::web {

std::unique_ptr<AudioDecoder> open_live_decoder(const std::filesystem::path& path) {
    const auto* type = format_of_file(path.filename().string());
    if (!type || (type->format != AudioFormat::wav && type->format != AudioFormat::flac))
        return open_decoder(path);
    UniqueFd fd;
    struct stat st {};
    try {
        fd = open_regular_file(path);
        if (::fstat(fd.get(), &st) != 0)
            throw std::system_error(errno, std::generic_category(), "fstat");
        auto view = live_view(fd.get(), static_cast<std::uint64_t>(st.st_size), type->format);
        if (view.overlay.empty())
            return open_decoder(path); // no header isr understands yet: let the decoders try
        auto decoder = std::make_unique<SndfileDecoder>(path, std::move(fd),
                                                        std::move(view.overlay), view.size);
        if (decoder->sample_rate() <= 0 || decoder->sample_rate() > kMaxSampleRate ||
            decoder->channels() <= 0 || decoder->channels() > kMaxChannels) {
            throw std::runtime_error(cat(path.filename().string(), " claims ",
                                         decoder->sample_rate(), " Hz and ", decoder->channels(),
                                         " channels: out of range"));
        }
        return decoder;
    } catch (const std::system_error& e) {
        throw std::runtime_error(
            cat("cannot read ", path.filename().string(), ": ", open_failure_reason(e)));
    }
}

} // namespace isr::web
