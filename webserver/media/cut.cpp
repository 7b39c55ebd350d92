#include "webserver/media/cut.hpp"

#include "common/flac_header.hpp"
#include "common/strings.hpp"
#include "common/wav_header.hpp"
#include "webserver/archive/live_extent.hpp"
#include "webserver/archive/media_types.hpp"
#include "webserver/media/av_input.hpp"

extern "C" {
#include <libavformat/avio.h>
}

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::web {

namespace fs = std::filesystem;

namespace {

inline void close_output(AVFormatContext* c) noexcept {
    if (c->pb) avio_closep(&c->pb);
    avformat_free_context(c);
}
using FormatOutput = UniqueHandle<AVFormatContext, &close_output>;

fs::path temp_name(const fs::path& dir, const std::string& ext) {
    std::random_device rd;
    return dir / cat(".isr-cut-", ::getpid(), '-', rd(), ext);
}

CutFile open_and_unlink(const fs::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    ::unlink(path.c_str()); // gone from the folder, kept alive by the descriptor
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0) throw std::runtime_error("cannot reopen the cut");
    return {std::move(fd), static_cast<std::uint64_t>(st.st_size)};
}

// WAV: the header rewritten for the range, then the bytes of the range: exact to the sample.
CutFile cut_wav(const fs::path& file, double start, double end, const fs::path& temp_dir) {
    UniqueFd in(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) throw std::runtime_error(cat("cannot open ", file.filename().string()));
    struct stat st {};
    if (::fstat(in.get(), &st) != 0) throw std::runtime_error(cat("cannot read ", file.filename().string()));
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const auto head = read_pcm_head(in.get(), size);
    const auto info = parse_wav_header(head);
    if (!info) throw std::runtime_error(cat(file.filename().string(), " is not a WAV file isr can cut"));
    const auto total = static_cast<std::int64_t>(wav_frames_present(*info, size));
    const auto first = std::min(total, static_cast<std::int64_t>(std::llround(start * info->sample_rate)));
    const auto last = std::min(total, static_cast<std::int64_t>(std::llround(end * info->sample_rate)));
    const auto frames = std::max<std::int64_t>(0, last - first);
    const auto align = static_cast<std::uint64_t>(info->block_align);
    const auto data = static_cast<std::uint64_t>(frames) * align;
    // The original header (format chunk and all) with its sizes set for the cut.
    auto header = patch_wav_header(head, *info, info->data_offset + data);
    const auto path = temp_name(temp_dir, ".wav");
    {
        UniqueFd out(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!out) throw std::runtime_error(cat("cannot create a temporary file in ", temp_dir.string()));
        try {
            write_all(out.get(), header, path.string());
            auto offset = static_cast<off_t>(info->data_offset + static_cast<std::uint64_t>(first) * align);
            std::uint64_t left = data;
            std::vector<char> buf(1 << 20);
            while (left > 0) {
                const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
                const auto got = ::pread(in.get(), buf.data(), want, offset);
                if (got <= 0) throw std::runtime_error("the recording got shorter while cutting");
                write_all(out.get(), std::string_view(buf.data(), static_cast<std::size_t>(got)), path.string());
                offset += got;
                left -= static_cast<std::uint64_t>(got);
            }
        } catch (...) {
            ::unlink(path.c_str());
            throw;
        }
    }
    return open_and_unlink(path);
}

// A stream copy keeps the source's STREAMINFO: its total samples and MD5 describe the whole
// recording, not the cut. Set the real count and clear the MD5 (zero means "not computed").
void fix_flac_streaminfo(const fs::path& path, std::int64_t samples) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0) throw std::runtime_error("cannot reopen the FLAC cut");
    const auto head = read_pcm_head(fd.get(), static_cast<std::uint64_t>(st.st_size));
    const auto meta = scan_flac_metadata(head, head.size());
    if (meta.status != FlacParse::ok) throw std::runtime_error("the FLAC cut has no readable STREAMINFO");
    auto patched = patch_flac_total_samples(head, meta.size, static_cast<std::uint64_t>(samples));
    std::fill_n(patched.begin() + 8 + 18, 16, '\0'); // STREAMINFO's MD5: bytes 18..33 of its body
    if (::pwrite(fd.get(), patched.data(), patched.size(), 0) != static_cast<ssize_t>(patched.size())) {
        throw std::runtime_error("cannot update the FLAC cut's STREAMINFO");
    }
}

} // namespace

CutFile cut_recording(const fs::path& file, double start, double end, const fs::path& temp_dir) {
    if (to_lower(file.extension().string()) == ".wav") return cut_wav(file, start, end, temp_dir);
    const auto type = media_type_for(file.filename().string());
    if (!type) throw std::runtime_error(cat("cannot cut ", file.filename().string(), ": unknown format"));
    const std::string muxer(type->muxer);
    auto input = open_input(file);
    const int index = audio_stream_index(input.get(), file);
    AVStream* in_stream = input->streams[index];
    const auto tb = in_stream->time_base;
    const auto start_ts = static_cast<std::int64_t>(std::llround(start / av_q2d(tb)));
    const auto end_ts = static_cast<std::int64_t>(std::llround(end / av_q2d(tb)));

    const auto path = temp_name(temp_dir, file.extension().string());
    AVFormatContext* raw = nullptr;
    if (avformat_alloc_output_context2(&raw, nullptr, muxer.c_str(), path.c_str()) < 0 || !raw) {
        throw std::runtime_error(cat("cannot set up the ", muxer, " muxer"));
    }
    FormatOutput output(raw);
    AVStream* out_stream = avformat_new_stream(output.get(), nullptr);
    if (!out_stream || avcodec_parameters_copy(out_stream->codecpar, in_stream->codecpar) < 0) {
        throw std::runtime_error("cannot copy the stream parameters");
    }
    out_stream->codecpar->codec_tag = 0;
    out_stream->time_base = tb;
    if (avio_open(&output->pb, path.c_str(), AVIO_FLAG_WRITE) < 0) {
        throw std::runtime_error(cat("cannot create a temporary file in ", temp_dir.string()));
    }
    struct Remove {
        fs::path p;
        bool keep = false;
        ~Remove() {
            if (!keep) ::unlink(p.c_str());
        }
    } cleanup{path};
    if (const int err = avformat_write_header(output.get(), nullptr); err < 0) {
        throw std::runtime_error(cat("cannot write the ", muxer, " header: ", av_error_text(err)));
    }
    // Land on the packet at or before the start, then copy whole packets that end after the
    // start and begin before the end.
    if (start_ts > 0) av_seek_frame(input.get(), index, start_ts, AVSEEK_FLAG_BACKWARD);
    auto packet = make_packet();
    std::optional<std::int64_t> first_pts;
    std::int64_t samples_written = 0;
    while (av_read_frame(input.get(), packet.get()) >= 0) {
        if (packet->stream_index != index) {
            av_packet_unref(packet.get());
            continue;
        }
        const auto pts = packet->pts != AV_NOPTS_VALUE ? packet->pts : packet->dts;
        if (pts == AV_NOPTS_VALUE) {
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
        if (!first_pts) first_pts = pts;
        samples_written += av_rescale_q(packet->duration, tb, AVRational{1, in_stream->codecpar->sample_rate});
        packet->pts = pts - *first_pts;
        packet->dts = packet->pts;
        packet->stream_index = 0;
        packet->pos = -1;
        av_packet_rescale_ts(packet.get(), tb, out_stream->time_base);
        if (const int err = av_interleaved_write_frame(output.get(), packet.get()); err < 0) {
            throw std::runtime_error(cat("cannot write the cut: ", av_error_text(err)));
        }
    }
    if (const int err = av_write_trailer(output.get()); err < 0) {
        throw std::runtime_error(cat("cannot finish the cut: ", av_error_text(err)));
    }
    output.reset(); // flush and close before reading it back
    if (muxer == "flac") fix_flac_streaminfo(path, samples_written);
    cleanup.keep = true;
    return open_and_unlink(path);
}

} // namespace isr::web
