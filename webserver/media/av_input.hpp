#pragma once

#include "common/unique_handle.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <filesystem>
#include <string>

namespace isr::web {

// Closes an input from open_input(), and the file it reads through.
void close_format_input(AVFormatContext* c) noexcept;
inline void free_codec_context(AVCodecContext* c) noexcept {
    avcodec_free_context(&c);
}
inline void free_packet(AVPacket* p) noexcept {
    av_packet_free(&p);
}
inline void free_frame(AVFrame* f) noexcept {
    av_frame_free(&f);
}

using FormatInput = UniqueHandle<AVFormatContext, &close_format_input>;
using CodecContext = UniqueHandle<AVCodecContext, &free_codec_context>;
using Packet = UniqueHandle<AVPacket, &free_packet>;
using Frame = UniqueHandle<AVFrame, &free_frame>;

// av_strerror as a string.
std::string av_error_text(int err);

// Opens `path` and reads its stream info. libavformat reads through a descriptor we opened
// (a regular file, opened without blocking: a FIFO named like audio is refused, never waited
// on), and it sees only that file: no protocol prefixes ("concat:", "http:") in names apply.
// Throws std::runtime_error naming the file (not its folder).
FormatInput open_input(const std::filesystem::path& path);

// The index of the first audio stream. Throws std::runtime_error naming the file.
int audio_stream_index(AVFormatContext* input, const std::filesystem::path& path);

Packet make_packet();
Frame make_frame();

} // namespace isr::web
