#include "webserver/archive/media_probe.hpp"

#include "common/audio_formats.hpp"
#include "common/file_util.hpp"
#include "common/flac_header.hpp"
#include "common/strings.hpp"
#include "common/wav_header.hpp"
#include "webserver/archive/live_extent.hpp"
#include "webserver/media/av_input.hpp"

#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace isr::web {

namespace {

MediaFacts probe_wav(int fd, std::uint64_t size) {
    MediaFacts f;
    const auto head = read_pcm_head(fd, size);
    const auto info = parse_wav_header(head);
    if (!info) {
        f.problem = "not a WAV file isr can read";
        return f;
    }
    f.sample_rate = info->sample_rate;
    f.channels = info->channels;
    f.codec = info->format_tag == 3 ? "pcm_f32le" : cat("pcm_s", info->bits_per_sample, "le");
    f.duration = static_cast<double>(wav_frames_present(*info, size)) / info->sample_rate;
    f.bitrate_kbps = static_cast<double>(info->sample_rate) * info->block_align * 8 / 1000.0;
    return f;
}

MediaFacts probe_flac(int fd, std::uint64_t size) {
    MediaFacts f;
    const auto head = read_pcm_head(fd, size);
    const auto meta = scan_flac_metadata(head, head.size());
    if (meta.status != FlacParse::ok) {
        f.problem = "not a FLAC file isr can read";
        return f;
    }
    const auto& info = meta.info;
    f.sample_rate = info.sample_rate;
    f.channels = info.channels;
    f.codec = "flac";
    std::uint64_t samples = info.total_samples;
    if (samples == 0) { // being written, or cut off: count what is there
        if (const auto end = read_flac_live_end(fd, size, info))
            samples = end->total_samples;
    }
    f.duration = static_cast<double>(samples) / info.sample_rate;
    if (*f.duration > 0)
        f.bitrate_kbps = static_cast<double>(size) * 8 / *f.duration / 1000.0;
    return f;
}

MediaFacts probe_libav(const std::filesystem::path& path, std::uint64_t size, bool quick) {
    MediaFacts f;
    try {
        auto input = open_input(path);
        const int index = audio_stream_index(input.get(), path);
        const auto* stream = input->streams[index];
        const auto* par = stream->codecpar;
        f.sample_rate = par->sample_rate;
        f.channels = par->ch_layout.nb_channels;
        f.codec = avcodec_get_name(par->codec_id);
        if (par->bit_rate > 0)
            f.bitrate_kbps = static_cast<double>(par->bit_rate) / 1000.0;
        double container =
            input->duration > 0 ? static_cast<double>(input->duration) / AV_TIME_BASE : 0.0;
        const bool ogg = std::string_view(input->iformat->name) == "ogg";
        if (quick || ogg) {
            // Ogg files state their length in the last page's granule; a growing file gets the
            // container's estimate.
            if (container > 0)
                f.duration = container;
        } else {
            // MP3 and ADTS carry no length: add up the packets (exact for VBR too).
            auto packet = make_packet();
            std::int64_t ticks = 0;
            while (av_read_frame(input.get(), packet.get()) >= 0) {
                if (packet->stream_index == index)
                    ticks += packet->duration;
                av_packet_unref(packet.get());
            }
            f.duration = static_cast<double>(ticks) * av_q2d(stream->time_base);
            if (*f.duration <= 0 && container > 0)
                f.duration = container;
        }
        if (!f.bitrate_kbps && f.duration && *f.duration > 0) {
            f.bitrate_kbps = static_cast<double>(size) * 8 / *f.duration / 1000.0;
        }
    } catch (const std::exception& e) {
        f.problem = e.what();
    }
    return f;
}

} // namespace

MediaFacts probe_media(const std::filesystem::path& path, std::uint64_t size, bool quick) {
    const auto* type = format_of_file(path.filename().string());
    const bool wav = type && type->format == AudioFormat::wav;
    if (wav || (type && type->format == AudioFormat::flac)) {
        UniqueFd fd;
        try {
            fd = open_regular_file(path);
        } catch (const std::system_error& e) {
            MediaFacts f;
            f.problem = cat("cannot open the file: ", open_failure_reason(e));
            return f;
        }
        return wav ? probe_wav(fd.get(), size) : probe_flac(fd.get(), size);
    }
    return probe_libav(path, size, quick);
}

} // namespace isr::web
