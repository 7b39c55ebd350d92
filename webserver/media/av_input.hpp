#pragma once

#include "common/av_handles.hpp"
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

using FormatInput = UniqueHandle<AVFormatContext, &close_format_input>;

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
