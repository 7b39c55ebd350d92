#include "webserver/media/av_input.hpp"

#include "common/strings.hpp"
#include "webserver/archive/media_types.hpp"

#include <new>
#include <stdexcept>

namespace isr::web {

std::string av_error_text(int err) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(err, buf, sizeof buf);
    return buf;
}

FormatInput open_input(const std::filesystem::path& path) {
    AVFormatContext* raw = nullptr;
    int err = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
    if (err == AVERROR_INVALIDDATA) {
        // Too short for the content probe (a one-frame MP3 or ADTS file): trust the extension.
        const auto type = media_type_for(path.filename().string());
        if (type && !type->raw_demuxer.empty()) {
            const AVInputFormat* format = av_find_input_format(std::string(type->raw_demuxer).c_str());
            err = avformat_open_input(&raw, path.c_str(), format, nullptr);
        }
    }
    if (err < 0) {
        throw std::runtime_error(cat("cannot open ", path.filename().string(), ": ", av_error_text(err)));
    }
    FormatInput input(raw);
    if (err = avformat_find_stream_info(input.get(), nullptr); err < 0) {
        throw std::runtime_error(cat("cannot read ", path.filename().string(), ": ", av_error_text(err)));
    }
    return input;
}

int audio_stream_index(AVFormatContext* input, const std::filesystem::path& path) {
    const int index = av_find_best_stream(input, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (index < 0) throw std::runtime_error(cat(path.filename().string(), " has no audio stream"));
    return index;
}

Packet make_packet() {
    Packet p(av_packet_alloc());
    if (!p) throw std::bad_alloc();
    return p;
}

Frame make_frame() {
    Frame f(av_frame_alloc());
    if (!f) throw std::bad_alloc();
    return f;
}

} // namespace isr::web
