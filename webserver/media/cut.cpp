#include "webserver/media/cut.hpp"

#include "common/audio_formats.hpp"
#include "common/flac_header.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "common/wav_header.hpp"
#include "webserver/archive/live_extent.hpp"
#include "webserver/chunk_channel.hpp"
#include "webserver/media/av_input.hpp"

extern "C" {
#include <libavformat/avio.h>
}

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <system_error>

#include <sys/stat.h>

namespace isr::web {

namespace fs = std::filesystem;

namespace {

constexpr int kChunk = 64 * 1024;

inline void close_output(AVFormatContext* c) noexcept {
    if (c->pb) {
        av_freep(&c->pb->buffer);
        avio_context_free(&c->pb);
    }
    avformat_free_context(c);
}
using FormatOutput = UniqueHandle<AVFormatContext, &close_output>;

std::string past_the_end(double start, double duration) {
    return cat("start ", start, " s is past the end of the recording (", fixed(duration, 1), " s)");
}

CutPlan plan_wav(const fs::path& file, double start, double end) {
    const auto name = file.filename().string();
    UniqueFd in;
    try {
        in = open_regular_file(file);
    } catch (const std::system_error& e) {
        throw std::runtime_error(cat("cannot open ", name, ": ", open_failure_reason(e)));
    }
    struct stat st {};
    if (::fstat(in.get(), &st) != 0)
        throw std::runtime_error(cat("cannot read ", name));
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const auto head = read_pcm_head(in.get(), size);
    const auto info = parse_wav_header(head);
    if (!info)
        throw std::runtime_error(cat(name, " is not a WAV file isr can cut"));
    const auto total = static_cast<std::int64_t>(wav_frames_present(*info, size));
    const auto first = static_cast<std::int64_t>(std::llround(start * info->sample_rate));
    if (first >= total)
        throw std::out_of_range(
            past_the_end(start, static_cast<double>(total) / info->sample_rate));
    const auto last =
        std::min(total, static_cast<std::int64_t>(std::llround(end * info->sample_rate)));
    const auto align = static_cast<std::uint64_t>(info->block_align);
    CutPlan plan;
    plan.file = file;
    plan.start = start;
    plan.end = end;
    plan.wav = true;
    plan.data_offset = info->data_offset + static_cast<std::uint64_t>(first) * align;
    plan.data_length = static_cast<std::uint64_t>(std::max<std::int64_t>(0, last - first)) * align;
    // The original header (format chunk and all) with its sizes set for the cut.
    plan.wav_header = patch_wav_header(head, *info, info->data_offset + plan.data_length);
    plan.size = plan.wav_header.size() + plan.data_length;
    return plan;
}

// Where the muxer's bytes go: counted (planning) or sent (producing). Returns false to stop.
using Sink = std::function<bool(const std::uint8_t* data, std::size_t size)>;

struct MuxResult {
    std::uint64_t bytes = 0;
    std::int64_t samples = 0;
    std::size_t packets = 0;
    double duration = 0; // of the recording, for messages
};

int write_to_sink(void* opaque, std::uint8_t* buf, int size) {
    auto& sink = *static_cast<Sink*>(opaque);
    return sink(buf, static_cast<std::size_t>(size)) ? size : AVERROR_EXIT;
}

// Copies the packets of [start, end) into a muxer of the recording's own format that writes to
// `sink`. The output cannot seek, so every muxer writes its bytes in one pass, and
// AVFMT_FLAG_BITEXACT makes two runs over the same range write the same bytes.
MuxResult mux_range(const CutPlan& plan, Sink sink) {
    const auto name = plan.file.filename().string();
    const auto* type = format_of_file(name);
    if (!type)
        throw std::runtime_error(cat("cannot cut ", name, ": unknown format"));
    const std::string muxer(type->muxer);
    auto input = open_input(plan.file);
    const int index = audio_stream_index(input.get(), plan.file);
    AVStream* in_stream = input->streams[index];
    const auto tb = in_stream->time_base;
    const auto start_ts = static_cast<std::int64_t>(std::llround(plan.start / av_q2d(tb)));
    const auto end_ts = static_cast<std::int64_t>(std::llround(plan.end / av_q2d(tb)));

    AVFormatContext* raw = nullptr;
    if (const int err = avformat_alloc_output_context2(&raw, nullptr, muxer.c_str(), nullptr);
        err < 0 || !raw) {
        throw std::runtime_error(
            cat("cannot set up the ", muxer, " muxer to cut ", name, ": ", av_error_text(err)));
    }
    FormatOutput output(raw);
    output->flags |= AVFMT_FLAG_BITEXACT;
    AVStream* out_stream = avformat_new_stream(output.get(), nullptr);
    if (!out_stream)
        throw std::runtime_error(
            cat("cannot add a stream to the cut of ", name, ": out of memory"));
    if (const int err = avcodec_parameters_copy(out_stream->codecpar, in_stream->codecpar);
        err < 0) {
        throw std::runtime_error(
            cat("cannot copy the stream parameters of ", name, ": ", av_error_text(err)));
    }
    out_stream->codecpar->codec_tag = 0;
    out_stream->time_base = tb;
    auto* buffer = static_cast<std::uint8_t*>(av_malloc(kChunk));
    if (!buffer)
        throw std::bad_alloc();
    output->pb = avio_alloc_context(buffer, kChunk, 1, &sink, nullptr, write_to_sink, nullptr);
    if (!output->pb) {
        av_free(buffer);
        throw std::bad_alloc();
    }
    AVDictionary* options = nullptr;
    if (muxer == "mp3")
        av_dict_set(&options, "write_xing", "0", 0); // it would need to seek back
    if (muxer == "ipod")
        av_dict_set(&options, "movflags", "empty_moov+default_base_moof+frag_discont", 0);
    if (muxer == "ipod")
        av_dict_set(&options, "frag_duration", "1000000", 0);
    const int header_err = avformat_write_header(output.get(), &options);
    av_dict_free(&options);
    if (header_err < 0) {
        throw std::runtime_error(cat("cannot write the ", muxer, " header of the cut of ", name,
                                     ": ", av_error_text(header_err)));
    }
    MuxResult result;
    if (input->duration > 0)
        result.duration = static_cast<double>(input->duration) / AV_TIME_BASE;
    // Land on the packet at or before the start, then copy whole packets that end after the
    // start and begin before the end.
    if (start_ts > 0)
        av_seek_frame(input.get(), index, start_ts, AVSEEK_FLAG_BACKWARD);
    auto packet = make_packet();
    std::optional<std::int64_t> first_pts;
    while (av_read_frame(input.get(), packet.get()) >= 0) {
        const auto pts = packet->pts != AV_NOPTS_VALUE ? packet->pts : packet->dts;
        if (packet->stream_index != index || pts == AV_NOPTS_VALUE) {
            av_packet_unref(packet.get());
            continue;
        }
        // The packet nearest each end is in when its middle is inside the range.
        const auto middle = pts + packet->duration / 2;
        if (middle < start_ts) {
            av_packet_unref(packet.get());
            continue;
        }
        if (middle >= end_ts) {
            av_packet_unref(packet.get());
            break;
        }
        if (!first_pts)
            first_pts = pts;
        result.samples +=
            av_rescale_q(packet->duration, tb, AVRational{1, in_stream->codecpar->sample_rate});
        ++result.packets;
        packet->pts = pts - *first_pts;
        packet->dts = packet->pts;
        packet->stream_index = 0;
        packet->pos = -1;
        av_packet_rescale_ts(packet.get(), tb, out_stream->time_base);
        if (const int err = av_interleaved_write_frame(output.get(), packet.get()); err < 0) {
            if (err == AVERROR_EXIT)
                return result; // the client went away
            throw std::runtime_error(
                cat("cannot copy a packet of ", name, ": ", av_error_text(err)));
        }
    }
    if (result.packets == 0)
        throw std::out_of_range(past_the_end(plan.start, result.duration));
    if (const int err = av_write_trailer(output.get()); err < 0 && err != AVERROR_EXIT) {
        throw std::runtime_error(cat("cannot finish the cut of ", name, ": ", av_error_text(err)));
    }
    avio_flush(output->pb);
    return result;
}

} // namespace

CutPlan plan_cut(const fs::path& file, double start, double end) {
    const auto* format = format_of_file(file.filename().string());
    if (format && format->format == AudioFormat::wav)
        return plan_wav(file, start, end);
    CutPlan plan;
    plan.file = file;
    plan.start = start;
    plan.end = end;
    std::uint64_t bytes = 0;
    const auto result = mux_range(plan, [&bytes](const std::uint8_t*, std::size_t n) {
        bytes += n;
        return true;
    });
    plan.size = bytes;
    plan.samples = result.samples;
    return plan;
}

void produce_cut(const CutPlan& plan, const std::shared_ptr<ChunkChannel>& channel) noexcept {
    try {
        const auto* format = format_of_file(plan.file.filename().string());
        const bool flac = format && format->format == AudioFormat::flac;
        std::string pending;
        bool head_done = !flac;
        bool gone = false;
        const auto emit = [&](bool all) {
            while (!gone && (pending.size() >= kChunk || (all && !pending.empty()))) {
                const auto n = std::min<std::size_t>(pending.size(), kChunk);
                if (!channel->push(pending.substr(0, n)))
                    gone = true;
                pending.erase(0, n);
            }
        };
        // A stream copy keeps the source's STREAMINFO: its total samples and MD5 describe the
        // whole recording, not the cut. Set the real count and clear the MD5 (zero: "not
        // computed") before the first bytes leave.
        const auto fix_flac_head = [&](bool all) {
            const std::span<const std::uint8_t> bytes(
                reinterpret_cast<const std::uint8_t*>(pending.data()), pending.size());
            const auto meta = scan_flac_metadata(bytes, 1 << 20);
            if (meta.status == FlacParse::incomplete && !all)
                return;
            if (meta.status != FlacParse::ok) {
                throw std::runtime_error(cat("the FLAC cut of ", plan.file.filename().string(),
                                             " has no readable STREAMINFO"));
            }
            auto patched = patch_flac_total_samples(bytes, meta.size,
                                                    static_cast<std::uint64_t>(plan.samples));
            std::fill_n(patched.begin() + 8 + 18, 16,
                        '\0'); // STREAMINFO's MD5: bytes 18..33 of its body
            pending.replace(0, patched.size(), patched);
            head_done = true;
        };
        mux_range(plan, [&](const std::uint8_t* data, std::size_t n) {
            pending.append(reinterpret_cast<const char*>(data), n);
            if (!head_done)
                fix_flac_head(false);
            if (head_done)
                emit(false);
            return !gone;
        });
        if (!head_done)
            fix_flac_head(true);
        emit(true);
        if (!gone)
            channel->finish();
    } catch (const std::exception& e) {
        log::warning("web", "cut of ", plan.file.filename().string(), " failed: ", e.what());
        channel->finish(true);
    }
}

} // namespace isr::web
