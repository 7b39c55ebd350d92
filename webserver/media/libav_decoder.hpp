#pragma once

#include "webserver/media/audio_decoder.hpp"
#include "webserver/media/av_input.hpp"

#include <vector>

namespace isr::web {

// Decodes through libavformat/libavcodec (AAC in ADTS, and anything libsndfile cannot read).
// Seeks go to the packet before the target and decode forward, so they are close but not
// guaranteed to the frame for every codec: exact_seek() is false.
class LibavDecoder : public AudioDecoder {
public:
    explicit LibavDecoder(const std::filesystem::path& path); // throws std::runtime_error

    int sample_rate() const noexcept override { return rate_; }
    int channels() const noexcept override { return channels_; }
    std::optional<std::int64_t> frames() const noexcept override { return total_; }
    bool exact_seek() const noexcept override { return false; }
    void seek(std::int64_t frame) override;
    std::size_t read(float* out, std::size_t frames) override;
    std::size_t read_s16(std::int16_t* out, std::size_t frames) override;

private:
    bool decode_more(); // fills pending_; false at the end
    void append_frame(const AVFrame* frame);

    std::filesystem::path path_;
    FormatInput input_;
    CodecContext codec_;
    Packet packet_;
    Frame frame_;
    int stream_ = -1;
    int rate_ = 0;
    int channels_ = 0;
    std::optional<std::int64_t> total_;
    std::vector<float> pending_; // decoded, not yet read (interleaved)
    std::size_t pending_at_ = 0;
    std::int64_t skip_ = 0; // frames still to drop after a seek (-1: not known yet)
    std::int64_t skip_target_ = 0;
    bool draining_ = false;
    bool ended_ = false;
};

} // namespace isr::web
