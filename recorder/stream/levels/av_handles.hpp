#pragma once

#include "common/av_handles.hpp"
#include "common/unique_handle.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <string>

namespace isr::rec {

// Owners of the libav handles only the stream decoder uses (the shared ones: common/av_handles).
inline void close_format_input(AVFormatContext* c) noexcept {
    avformat_close_input(&c);
}
// A custom AVIOContext and the buffer it reads into (libavformat may have replaced the buffer
// we gave it, so the one it holds is freed).
inline void free_io_context(AVIOContext* io) noexcept {
    av_freep(&io->buffer);
    avio_context_free(&io);
}

using FormatInput = UniqueHandle<AVFormatContext, &close_format_input>;
using IoContext = UniqueHandle<AVIOContext, &free_io_context>;

} // namespace isr::rec
