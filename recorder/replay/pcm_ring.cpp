#include "recorder/replay/pcm_ring.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace isr::rec {

namespace {

// Two seconds beyond the promise: one for the read being written, one for a reader to copy in.
constexpr int kSlackSeconds = 2;
constexpr int kCopyAttempts = 3;

void store_sample(std::uint8_t* out, std::int32_t sample, int bytes) {
    // Little endian, the top `bytes` bytes of the 32-bit sample (what the device delivered).
    const auto u = static_cast<std::uint32_t>(sample);
    for (int i = 0; i < bytes; ++i)
        out[i] = static_cast<std::uint8_t>(u >> (8 * (4 - bytes + i)));
}

std::int32_t load_sample(const std::uint8_t* in, int bytes) {
    std::uint32_t u = 0;
    for (int i = 0; i < bytes; ++i)
        u |= static_cast<std::uint32_t>(in[i]) << (8 * (4 - bytes + i));
    return static_cast<std::int32_t>(u);
}

} // namespace

void PcmRing::start(const Format& format) {
    std::lock_guard lock(mutex_);
    if (!buffer_ || buffer_->format != format) {
        auto buffer = std::make_shared<Buffer>();
        buffer->format = format;
        promised_ = static_cast<std::uint64_t>(std::ceil(seconds_ * format.rate));
        buffer->frames = promised_ + static_cast<std::uint64_t>(kSlackSeconds * format.rate);
        buffer->bytes.resize(static_cast<std::size_t>(buffer->frames) * frame_bytes(format));
        buffer_ = std::move(buffer); // a reader still copying keeps the old one
    }
    segment_begin_ = end_;
}

void PcmRing::write(std::span<const std::int32_t> samples, std::size_t frames, double utc) {
    std::size_t rate = 0;
    std::size_t channels = 0;
    {
        std::lock_guard lock(mutex_);
        if (!buffer_)
            return;
        rate = static_cast<std::size_t>(buffer_->format.rate);
        channels = static_cast<std::size_t>(buffer_->format.channels);
    }
    frames = std::min(frames, samples.size() / channels);
    // A second at a time: the slack readers count on.
    for (std::size_t done = 0; done < frames; done += rate) {
        const auto n = std::min(rate, frames - done);
        write_piece(samples.subspan(done * channels, n * channels), n,
                    utc + static_cast<double>(done) / static_cast<double>(rate));
    }
}

void PcmRing::write_piece(std::span<const std::int32_t> samples, std::size_t frames, double utc) {
    std::shared_ptr<Buffer> buffer;
    std::uint64_t end = 0;
    {
        std::lock_guard lock(mutex_);
        buffer = buffer_;
        end = end_;
    }
    if (!buffer || frames == 0)
        return;
    const auto& f = buffer->format;
    const int sample_bytes = f.bit_depth / 8;
    const auto per_frame = frame_bytes(f);
    const auto channels = static_cast<std::size_t>(f.channels);
    // Outside the lock: these slots hold audio older than anything a reader may ask for.
    for (std::size_t i = 0; i < frames; ++i) {
        const auto slot = static_cast<std::size_t>((end + i) % buffer->frames);
        auto* out = buffer->bytes.data() + slot * per_frame;
        for (std::size_t c = 0; c < channels; ++c)
            store_sample(out + c * static_cast<std::size_t>(sample_bytes),
                         samples[i * channels + c], sample_bytes);
    }
    std::lock_guard lock(mutex_);
    end_ = end + frames;
    end_utc_ = utc + static_cast<double>(frames) / f.rate;
}

std::optional<PcmRing::Extent> PcmRing::extent() const {
    std::lock_guard lock(mutex_);
    if (!buffer_)
        return std::nullopt;
    Extent e;
    e.format = buffer_->format;
    e.end = end_;
    e.begin = std::max(segment_begin_, end_ > promised_ ? end_ - promised_ : 0);
    e.end_utc = end_utc_;
    return e;
}

std::optional<PcmRing::Clip> PcmRing::copy(std::uint64_t from, std::uint64_t to) const {
    for (int attempt = 0; attempt < kCopyAttempts; ++attempt) {
        bool overrun = false;
        auto clip = copy_once(from, to, overrun);
        if (!overrun)
            return clip;
    }
    return std::nullopt;
}

std::optional<PcmRing::Clip> PcmRing::copy_once(std::uint64_t from, std::uint64_t to,
                                                bool& overrun) const {
    std::shared_ptr<Buffer> buffer;
    Clip clip;
    {
        std::lock_guard lock(mutex_);
        if (!buffer_)
            return std::nullopt;
        buffer = buffer_;
        const auto oldest = std::max(segment_begin_, end_ > promised_ ? end_ - promised_ : 0);
        clip.first = std::max(from, oldest);
        clip.end = std::min(to, end_);
        if (clip.end <= clip.first)
            return std::nullopt;
        clip.first_utc = end_utc_ - static_cast<double>(end_ - clip.first) / buffer->format.rate;
    }
    clip.format = buffer->format;
    const auto per_frame = frame_bytes(clip.format);
    clip.bytes.resize(clip.frames() * per_frame);
    // Two pieces at most: up to the end of the buffer, then from its start.
    std::size_t done = 0;
    while (done < clip.frames()) {
        const auto slot = static_cast<std::size_t>((clip.first + done) % buffer->frames);
        const auto n =
            std::min(clip.frames() - done, static_cast<std::size_t>(buffer->frames) - slot);
        std::memcpy(clip.bytes.data() + done * per_frame, buffer->bytes.data() + slot * per_frame,
                    n * per_frame);
        done += n;
    }
    std::lock_guard lock(mutex_);
    // The writer may have gone on by one read meanwhile; one more and it could have reached
    // the oldest frame copied.
    overrun = end_ + static_cast<std::uint64_t>(clip.format.rate) > clip.first + buffer->frames;
    return clip;
}

std::size_t PcmRing::capacity_bytes() const {
    std::lock_guard lock(mutex_);
    return buffer_ ? buffer_->bytes.size() : 0;
}

void PcmRing::Clip::samples(std::size_t from, std::size_t count,
                            std::vector<std::int32_t>& out) const {
    const int sample_bytes = format.bit_depth / 8;
    const auto channels = static_cast<std::size_t>(format.channels);
    count = std::min(count, frames() - std::min(from, frames()));
    out.resize(count * channels);
    const auto* in = bytes.data() + from * channels * static_cast<std::size_t>(sample_bytes);
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = load_sample(in + i * static_cast<std::size_t>(sample_bytes), sample_bytes);
}

} // namespace isr::rec
