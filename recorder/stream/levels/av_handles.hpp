#pragma once

#include "common/unique_handle.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <string>

namespace isr::rec {

// Owners of the libav handles the stream decoder uses (isrd's own: isr-web has its copies in
// webserver/media, and neither links the other).
inline void close_format_input(AVFormatContext* c) noexcept {
    avformat_close_input(&c);
}
inline void free_codec_context(AVCodecContext* c) noexcept {
    avcodec_free_context(&c);
}
inline void free_packet(AVPacket* p) noexcept {
    av_packet_free(&p);
}
inline void free_frame(AVFrame* f) noexcept {
    av_frame_free(&f);
}
// A custom AVIOContext and the buffer it reads into (libavformat may have replaced the buffer
// we gave it, so the one it holds is freed).
inline void free_io_context(AVIOContext* io) noexcept {
    av_freep(&io->buffer);
    avio_context_free(&io);
}

using FormatInput = UniqueHandle<AVFormatContext, &close_format_input>;
using CodecContext = UniqueHandle<AVCodecContext, &free_codec_context>;
using Packet = UniqueHandle<AVPacket, &free_packet>;
using Frame = UniqueHandle<AVFrame, &free_frame>;
using IoContext = UniqueHandle<AVIOContext, &free_io_context>;

// av_strerror as a string.
inline std::string av_error_text(int err) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(err, text, sizeof text);
    return text;
}

} // namespace isr::rec
