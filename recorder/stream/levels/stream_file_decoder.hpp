#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace isr::rec {

// Pulls a recording's bytes: copies up to `size` into `out`, returns how many, 0 at the file's
// end. May block. Must not throw.
using FileReader = std::function<std::size_t(std::uint8_t* out, std::size_t size)>;
// Decoded audio, interleaved, full scale ±1, as `channels` channels at `rate` Hz.
using DecodedAudio =
    std::function<void(int rate, int channels, const float* interleaved, std::size_t frames)>;

// Decodes one stream recording from its bytes, headers first, with libavformat and libavcodec,
// exactly as a decoder reading the finished file would (a fresh demuxer and decoder per file).
// `format` is the file's extension without its dot (mp3, aac, ogg, opus, flac): the demuxer is
// chosen by it, nothing is probed. Reads to the end of the bytes; a damaged packet is skipped,
// as players do. Memory is bounded by the I/O buffer and one packet and frame: nothing is sized
// from what the stream claims, and more than kMaxChannels channels or kMaxSampleRate Hz is
// refused. Throws std::runtime_error naming `name` when the bytes cannot be demuxed, or
// nothing in them decodes. Runs on the calling thread.
void decode_stream_file(std::string_view format, const std::string& name, const FileReader& read,
                        const DecodedAudio& audio);

} // namespace isr::rec
