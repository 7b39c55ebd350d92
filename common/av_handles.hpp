#pragma once

#include "common/unique_handle.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/error.h>
}

#include <string>

// Owners of the libav handles both programs decode with (isrd's stream levels, isr-web's
// decoders, clips and cuts). Header-only: only code that already links libav includes it.
namespace isr {

inline void free_codec_context(AVCodecContext* c) noexcept {
    avcodec_free_context(&c);
}
inline void free_packet(AVPacket* p) noexcept {
    av_packet_free(&p);
}
inline void free_frame(AVFrame* f) noexcept {
    av_frame_free(&f);
}

using CodecContext = UniqueHandle<AVCodecContext, &free_codec_context>;
using Packet = UniqueHandle<AVPacket, &free_packet>;
using Frame = UniqueHandle<AVFrame, &free_frame>;

// av_strerror as a string.
inline std::string av_error_text(int err) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(err, text, sizeof text);
    return text;
}

} // namespace isr
