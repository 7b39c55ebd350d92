#include "recorder/stream/levels/stream_file_decoder.hpp"

#include "common/levels/levels.hpp"
#include "common/strings.hpp"
#include "recorder/stream/levels/av_handles.hpp"

extern "C" {
#include <libavutil/intreadwrite.h>
}

#include <algorithm>
#include <mutex>
#include <new>
#include <span>
#include <stdexcept>
#include <vector>

namespace isr::rec {

namespace {

constexpr int kIoBufferBytes = 32 * 1024;
// What libavformat may read ahead to learn a stream's parameters: the demuxer is forced, so it
// needs only a frame or the Ogg header pages (a few KiB); a hostile file is not read further.
constexpr std::int64_t kProbeBytes = 256 * 1024;
// A chained Ogg stream adds streams; far more than a real one has are refused.
constexpr int kMaxStreams = 8;

const char* demuxer_of(std::string_view format) {
    if (format == "mp3")
        return "mp3";
    if (format == "aac")
        return "aac";
    if (format == "ogg" || format == "opus")
        return "ogg";
    if (format == "flac")
        return "flac";
    return nullptr;
}

int read_packet(void* opaque, std::uint8_t* buf, int size) {
    const auto& read = *static_cast<const FileReader*>(opaque);
    const auto n = read(buf, static_cast<std::size_t>(size));
    return n == 0 ? AVERROR_EOF : static_cast<int>(n);
}

// libavformat on the reader, through our own AVIOContext. `io` must outlive the result.
FormatInput open_input(const char* demuxer, const FileReader& read, IoContext& io,
                       const std::string& name) {
    const AVInputFormat* format = av_find_input_format(demuxer);
    if (!format)
        throw std::runtime_error(cat("libavformat has no ", demuxer, " demuxer (", name, ")"));
    auto* buffer = static_cast<std::uint8_t*>(av_malloc(kIoBufferBytes));
    if (!buffer)
        throw std::bad_alloc();
    // The reader is only read through (write_flag 0), never written.
    io.reset(avio_alloc_context(buffer, kIoBufferBytes, 0, const_cast<FileReader*>(&read),
                                &read_packet, nullptr, nullptr));
    if (!io) {
        av_free(buffer);
        throw std::bad_alloc();
    }
    io->seekable = 0;
    AVFormatContext* ctx = avformat_alloc_context();
    if (!ctx)
        throw std::bad_alloc();
    ctx->pb = io.get();
    ctx->flags |= AVFMT_FLAG_CUSTOM_IO;
    ctx->probesize = kProbeBytes;
    ctx->max_streams = kMaxStreams;
    // Frees ctx when it fails.
    if (const int r = avformat_open_input(&ctx, nullptr, format, nullptr); r < 0)
        throw std::runtime_error(
            cat("cannot read ", name, " as ", demuxer, ": ", av_error_text(r)));
    return FormatInput(ctx);
}

// Appends a frame's samples to `out` as interleaved float, the same scale libsndfile and
// isr-web give them.
void append_interleaved(const AVFrame& f, int channels, std::vector<float>& out) {
    const auto n = static_cast<std::size_t>(f.nb_samples);
    const auto ch = static_cast<std::size_t>(channels);
    const auto format = static_cast<AVSampleFormat>(f.format);
    const bool planar = av_sample_fmt_is_planar(format) != 0;
    const auto packed = av_get_packed_sample_fmt(format);
    out.resize(n * ch);
    for (std::size_t c = 0; c < ch; ++c) {
        const auto* data = f.extended_data[planar ? c : 0];
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t at = planar ? i : i * ch + c;
            float v = 0;
            switch (packed) {
            case AV_SAMPLE_FMT_FLT:
                v = reinterpret_cast<const float*>(data)[at];
                break;
            case AV_SAMPLE_FMT_DBL:
                v = static_cast<float>(reinterpret_cast<const double*>(data)[at]);
                break;
            case AV_SAMPLE_FMT_S16:
                v = static_cast<float>(reinterpret_cast<const std::int16_t*>(data)[at]) / 32768.0f;
                break;
            case AV_SAMPLE_FMT_S32:
                v = static_cast<float>(
                    static_cast<double>(reinterpret_cast<const std::int32_t*>(data)[at]) /
                    2147483648.0);
                break;
            case AV_SAMPLE_FMT_U8:
                v = (static_cast<float>(data[at]) - 128.0f) / 128.0f;
                break;
            default:
                throw std::runtime_error(
                    cat("unsupported sample format ", av_get_sample_fmt_name(format)));
            }
            out[i * ch + c] = v;
        }
    }
}

// Where an Ogg Opus file's audio begins and ends, as isr-web reads it (libsndfile): the pre-skip
// is dropped only where it lies before the file's time 0, which the first page's granule
// position sets. A file isrd cut from a stream has its granules rebased so that its first
// sample is at time 0: libsndfile then drops nothing at the start, and as much more at the end,
// where libavcodec would drop the pre-skip at the start. libavcodec says what it would trim
// (AV_CODEC_FLAG2_SKIP_MANUAL); the part of the start's trim moved to the end is held back
// until the end of the file, then dropped.
class OggOpusEdges {
public:
    // The samples of `frame` (interleaved in `samples`, at `at` frames of file time) that are
    // kept now; the span stays valid until the next call.
    std::span<const float> trim(const AVFrame& frame, std::int64_t at,
                                const std::vector<float>& samples) {
        const auto channels = static_cast<std::size_t>(frame.ch_layout.nb_channels);
        auto n = static_cast<std::size_t>(frame.nb_samples);
        std::size_t first = 0;
        if (const auto* side = av_frame_get_side_data(&frame, AV_FRAME_DATA_SKIP_SAMPLES);
            side && side->size >= 8) {
            const std::size_t skip = AV_RL32(side->data);
            const std::size_t end = AV_RL32(side->data + 4);
            if (skip > 0 && !started_) {
                const auto before_zero = static_cast<std::size_t>(std::max<std::int64_t>(0, -at));
                first = std::min(skip, before_zero);
                hold_ = std::min<std::size_t>(skip - first, kMaxHold);
            } else {
                first = skip;
            }
            first = std::min(first, n);
            n -= std::min(end, n - first);
        }
        started_ = true;
        held_.insert(held_.end(), samples.begin() + static_cast<std::ptrdiff_t>(first * channels),
                     samples.begin() + static_cast<std::ptrdiff_t>(n * channels));
        // Everything but the last hold_ frames goes out.
        const auto out = held_.size() / channels > hold_ ? held_.size() / channels - hold_ : 0;
        out_.assign(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(out * channels));
        held_.erase(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(out * channels));
        return out_;
    }

private:
    // Pre-skip is at most 65535 samples.
    static constexpr std::size_t kMaxHold = 65535;
    bool started_ = false;
    std::size_t hold_ = 0;
    std::vector<float> held_;
    std::vector<float> out_;
};

} // namespace

void decode_stream_file(std::string_view format, const std::string& name, const FileReader& read,
                        const DecodedAudio& audio) {
    // libav's own messages would reach isrd's log once per damaged packet ("Header missing"):
    // what matters is said once by the caller. isrd uses libav for nothing else.
    static std::once_flag quiet;
    std::call_once(quiet, [] { av_log_set_level(AV_LOG_QUIET); });
    const char* demuxer = demuxer_of(format);
    if (!demuxer)
        throw std::runtime_error(cat("no decoder for .", format, " files (", name, ")"));
    IoContext io;
    auto input = open_input(demuxer, read, io, name);
    int stream = -1;
    for (unsigned i = 0; i < input->nb_streams; ++i) {
        if (input->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) {
            stream = static_cast<int>(i);
            break;
        }
    }
    if (stream < 0)
        throw std::runtime_error(cat("no audio stream in ", name));
    const auto* par = input->streams[stream]->codecpar;
    const AVCodec* decoder = avcodec_find_decoder(par->codec_id);
    if (!decoder)
        throw std::runtime_error(
            cat("no decoder for ", avcodec_get_name(par->codec_id), " in ", name));
    CodecContext codec(avcodec_alloc_context3(decoder));
    if (!codec)
        throw std::bad_alloc();
    codec->thread_count = 1; // one decoder thread per stream is all it gets
    if (avcodec_parameters_to_context(codec.get(), par) < 0 ||
        avcodec_open2(codec.get(), decoder, nullptr) < 0)
        throw std::runtime_error(cat("cannot open the ", decoder->name, " decoder for ", name));

    Packet packet(av_packet_alloc());
    Frame frame(av_frame_alloc());
    if (!packet || !frame)
        throw std::bad_alloc();
    // Opus: the decoder's trimming is done here instead (see OggOpusEdges).
    const bool opus = par->codec_id == AV_CODEC_ID_OPUS;
    if (opus)
        codec->flags2 |= AV_CODEC_FLAG2_SKIP_MANUAL;
    OggOpusEdges edges;
    const auto time_base = input->streams[stream]->time_base;
    std::vector<float> samples;
    std::int64_t decoded = 0;
    const auto receive = [&] {
        while (avcodec_receive_frame(codec.get(), frame.get()) == 0) {
            const int channels = frame->ch_layout.nb_channels;
            if (channels < 1 || channels > kMaxChannels || frame->sample_rate < 1 ||
                frame->sample_rate > kMaxSampleRate)
                throw std::runtime_error(cat("implausible audio in ", name, " (", channels,
                                             " channels at ", frame->sample_rate, " Hz)"));
            append_interleaved(*frame, channels, samples);
            auto frames = static_cast<std::size_t>(frame->nb_samples);
            const float* start = samples.data();
            if (opus) {
                const auto at =
                    frame->pts == AV_NOPTS_VALUE
                        ? 0
                        : av_rescale_q(frame->pts, time_base, AVRational{1, frame->sample_rate});
                const auto kept = edges.trim(*frame, at, samples);
                start = kept.data();
                frames = kept.size() / static_cast<std::size_t>(channels);
            }
            if (frames > 0)
                audio(frame->sample_rate, channels, start, frames);
            decoded += frame->nb_samples;
            av_frame_unref(frame.get());
        }
    };
    while (av_read_frame(input.get(), packet.get()) >= 0) {
        if (packet->stream_index == stream) {
            // A damaged packet is skipped (its error ignored), as players and isr-web do.
            static_cast<void>(avcodec_send_packet(codec.get(), packet.get()));
            receive();
        }
        av_packet_unref(packet.get());
    }
    avcodec_send_packet(codec.get(), nullptr);
    receive();
    if (decoded == 0)
        throw std::runtime_error(cat("no audio could be decoded from ", name));
}

} // namespace isr::rec
