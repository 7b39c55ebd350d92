#pragma once

#include "common/file_util.hpp"
#include "common/unique_handle.hpp"
#include "webserver/media/audio_decoder.hpp"

#include <sndfile.h>

namespace isr::web {

using SndFileReader = UniqueHandle<SNDFILE, &sf_close>;

class SndfileDecoder : public AudioDecoder {
public:
    // nullopt-like: throws std::runtime_error when libsndfile cannot read the file.
    explicit SndfileDecoder(const std::filesystem::path& path);
    // Reads `fd` as if its first bytes were `overlay` and it ended at `size`: a file being
    // recorded, seen through its live view (complete frames only, a header that says so).
    SndfileDecoder(const std::filesystem::path& path, UniqueFd fd, std::string overlay,
                   std::uint64_t size);
    ~SndfileDecoder() override;

    int sample_rate() const noexcept override { return info_.samplerate; }
    int channels() const noexcept override { return info_.channels; }
    std::optional<std::int64_t> frames() const noexcept override {
        if (!known_length())
            return std::nullopt;
        return info_.frames;
    }
    bool exact_seek() const noexcept override { return info_.seekable != 0 && known_length(); }
    // libsndfile reports SF_COUNT_MAX for a stream of unknown length (a FLAC file whose
    // STREAMINFO never got its sample count: one cut off by a crash), and cannot seek in it.
    bool known_length() const noexcept { return info_.frames > 0 && info_.frames != SF_COUNT_MAX; }
    void seek(std::int64_t frame) override;
    std::size_t read(float* out, std::size_t frames) override;
    std::size_t read_s16(std::int16_t* out, std::size_t frames) override;

    // A file seen through an overlay; libsndfile reads it through these.
    struct Overlaid {
        UniqueFd fd;
        std::string overlay;
        std::int64_t size = 0;
        std::int64_t position = 0;
    };

private:
    std::filesystem::path path_;
    SF_INFO info_{};
    std::unique_ptr<Overlaid> overlaid_; // outlives file_, which reads through it
    SndFileReader file_;
};

} // namespace isr::web
