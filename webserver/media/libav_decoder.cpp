#include "webserver/media/libav_decoder.hpp"

#include "common/strings.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace isr::web {

LibavDecoder::LibavDecoder(const std::filesystem::path& path)
    : path_(path), input_(open_input(path)), packet_(make_packet()), frame_(make_frame()) {
    stream_ = audio_stream_index(input_.get(), path);
    const auto* par = input_->streams[stream_]->codecpar;
    const AVCodec* decoder = avcodec_find_decoder(par->codec_id);
    if (!decoder)
        throw std::runtime_error(cat("no decoder for ", avcodec_get_name(par->codec_id), " in ",
                                     path.filename().string()));
    codec_.reset(avcodec_alloc_context3(decoder));
    if (!codec_ || avcodec_parameters_to_context(codec_.get(), par) < 0 ||
        avcodec_open2(codec_.get(), decoder, nullptr) < 0) {
        throw std::runtime_error(
            cat("cannot open the ", decoder->name, " decoder for ", path.filename().string()));
    }
    rate_ = codec_->sample_rate;
    channels_ = codec_->ch_layout.nb_channels;
    if (input_->duration > 0) {
        total_ = static_cast<std::int64_t>(
            std::llround(static_cast<double>(input_->duration) / AV_TIME_BASE * rate_));
    }
}

void LibavDecoder::seek(std::int64_t frame) {
    const auto* st = input_->streams[stream_];
    const auto ts = av_rescale_q(frame, AVRational{1, rate_}, st->time_base);
    if (av_seek_frame(input_.get(), stream_, ts, AVSEEK_FLAG_BACKWARD) < 0) {
        throw std::runtime_error(cat("cannot seek in ", path_.filename().string()));
    }
    avcodec_flush_buffers(codec_.get());
    pending_.clear();
    pending_at_ = 0;
    draining_ = false;
    ended_ = false;
    skip_ = -1; // decided by the first frame's timestamp
    skip_target_ = frame;
}

void LibavDecoder::append_frame(const AVFrame* f) {
    const auto n = static_cast<std::size_t>(f->nb_samples);
    const auto ch = static_cast<std::size_t>(channels_);
    std::size_t first = 0;
    if (skip_ < 0) {
        // After a seek: drop what comes before the target, by the frame's timestamp.
        const auto* st = input_->streams[stream_];
        const auto pts = f->best_effort_timestamp == AV_NOPTS_VALUE ? 0 : f->best_effort_timestamp;
        const auto at = av_rescale_q(pts, st->time_base, AVRational{1, rate_});
        skip_ = std::max<std::int64_t>(0, skip_target_ - at);
    }
    if (skip_ > 0) {
        first =
            static_cast<std::size_t>(std::min<std::int64_t>(skip_, static_cast<std::int64_t>(n)));
        skip_ -= static_cast<std::int64_t>(first);
    }
    const auto format = static_cast<AVSampleFormat>(f->format);
    const bool planar = av_sample_fmt_is_planar(format);
    for (std::size_t i = first; i < n; ++i) {
        for (std::size_t c = 0; c < ch; ++c) {
            const std::size_t idx = planar ? i : i * ch + c;
            const auto* data = f->extended_data[planar ? c : 0];
            float v = 0;
            switch (av_get_packed_sample_fmt(format)) {
            case AV_SAMPLE_FMT_FLT:
                v = reinterpret_cast<const float*>(data)[idx];
                break;
            case AV_SAMPLE_FMT_DBL:
                v = static_cast<float>(reinterpret_cast<const double*>(data)[idx]);
                break;
            case AV_SAMPLE_FMT_S16:
                v = static_cast<float>(reinterpret_cast<const std::int16_t*>(data)[idx]) / 32768.0f;
                break;
            case AV_SAMPLE_FMT_S32:
                v = static_cast<float>(
                    static_cast<double>(reinterpret_cast<const std::int32_t*>(data)[idx]) /
                    2147483648.0);
                break;
            case AV_SAMPLE_FMT_U8:
                v = (static_cast<float>(data[idx]) - 128.0f) / 128.0f;
                break;
            default:
                throw std::runtime_error(
                    cat("unsupported sample format in ", path_.filename().string()));
            }
            pending_.push_back(v);
        }
    }
}

bool LibavDecoder::decode_more() {
    while (!ended_) {
        const int got = avcodec_receive_frame(codec_.get(), frame_.get());
        if (got == 0) {
            append_frame(frame_.get());
            av_frame_unref(frame_.get());
            return true;
        }
        if (got == AVERROR_EOF) {
            ended_ = true;
            return false;
        }
        if (got != AVERROR(EAGAIN))
            throw std::runtime_error(
                cat("cannot decode ", path_.filename().string(), ": ", av_error_text(got)));
        if (draining_) {
            ended_ = true;
            return false;
        }
        const int r = av_read_frame(input_.get(), packet_.get());
        if (r < 0) {
            draining_ = true;
            avcodec_send_packet(codec_.get(), nullptr);
            continue;
        }
        if (packet_->stream_index == stream_) {
            const int sent = avcodec_send_packet(codec_.get(), packet_.get());
            // A damaged packet is skipped, as players do; the rest of the file still counts.
            static_cast<void>(sent);
        }
        av_packet_unref(packet_.get());
    }
    return false;
}

std::size_t LibavDecoder::read(float* out, std::size_t frames) {
    const auto ch = static_cast<std::size_t>(channels_);
    std::size_t done = 0;
    while (done < frames) {
        if (pending_at_ >= pending_.size()) {
            pending_.clear();
            pending_at_ = 0;
            if (!decode_more())
                break;
            continue;
        }
        const auto n = std::min(frames - done, (pending_.size() - pending_at_) / ch);
        std::copy_n(pending_.begin() + static_cast<std::ptrdiff_t>(pending_at_), n * ch,
                    out + done * ch);
        pending_at_ += n * ch;
        done += n;
    }
    return done;
}

std::size_t LibavDecoder::read_s16(std::int16_t* out, std::size_t frames) {
    std::vector<float> buf(frames * static_cast<std::size_t>(channels_));
    const auto n = read(buf.data(), frames);
    for (std::size_t i = 0; i < n * static_cast<std::size_t>(channels_); ++i) {
        out[i] = static_cast<std::int16_t>(
            std::lrint(std::clamp(buf[i] * 32768.0f, -32768.0f, 32767.0f)));
    }
    return n;
}

} // namespace isr::web
