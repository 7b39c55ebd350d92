#include "webserver/media/av_input.hpp"

#include "common/audio_formats.hpp"
#include "common/file_util.hpp"
#include "common/strings.hpp"

#include <cerrno>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <system_error>

#include <sys/stat.h>
#include <unistd.h>

namespace isr::web {

namespace {

constexpr int kIoBuffer = 64 * 1024;

// The file libavformat reads, through pread at our own position.
struct FdSource {
    UniqueFd fd;
    std::int64_t position = 0;
};

int read_source(void* opaque, std::uint8_t* buf, int size) {
    auto* s = static_cast<FdSource*>(opaque);
    for (;;) {
        const auto n = ::pread(s->fd.get(), buf, static_cast<std::size_t>(size), s->position);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return AVERROR(errno);
        if (n == 0)
            return AVERROR_EOF;
        s->position += n;
        return static_cast<int>(n);
    }
}

std::int64_t seek_source(void* opaque, std::int64_t offset, int whence) {
    auto* s = static_cast<FdSource*>(opaque);
    struct stat st {};
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
        return ::fstat(s->fd.get(), &st) == 0 ? st.st_size : AVERROR(errno);
    case SEEK_SET:
        break;
    case SEEK_CUR:
        offset += s->position;
        break;
    case SEEK_END:
        if (::fstat(s->fd.get(), &st) != 0)
            return AVERROR(errno);
        offset += st.st_size;
        break;
    default:
        return AVERROR(EINVAL);
    }
    if (offset < 0)
        return AVERROR(EINVAL);
    s->position = offset;
    return offset;
}

void free_io(AVIOContext* pb) noexcept {
    if (!pb)
        return;
    std::unique_ptr<FdSource> source(static_cast<FdSource*>(pb->opaque));
    av_freep(&pb->buffer);
    avio_context_free(&pb);
}

// One attempt at opening: libavformat frees the context when it fails, the I/O stays ours.
int open_with(FdSource& source, const std::string& name, const AVInputFormat* format,
              AVFormatContext*& out) {
    source.position = 0;
    auto* buffer = static_cast<std::uint8_t*>(av_malloc(kIoBuffer));
    if (!buffer)
        throw std::bad_alloc();
    AVIOContext* pb =
        avio_alloc_context(buffer, kIoBuffer, 0, &source, read_source, nullptr, seek_source);
    if (!pb) {
        av_free(buffer);
        throw std::bad_alloc();
    }
    AVFormatContext* ctx = avformat_alloc_context();
    if (!ctx) {
        pb->opaque = nullptr;
        free_io(pb);
        throw std::bad_alloc();
    }
    ctx->pb = pb;
    ctx->flags |= AVFMT_FLAG_CUSTOM_IO;
    // Only the demuxers of the formats isr records: a playlist or a concat script saved under
    // an audio name would otherwise make libavformat open the files or URLs it lists.
    AVDictionary* options = nullptr;
    av_dict_set(&options, "format_whitelist", "wav,flac,mp3,aac,ogg,mov", 0);
    av_dict_set(&options, "protocol_whitelist", "file", 0);
    const int err = avformat_open_input(&ctx, name.c_str(), format, &options);
    av_dict_free(&options);
    if (err < 0) {
        pb->opaque = nullptr; // the source is not the context's yet
        free_io(pb);
        return err;
    }
    out = ctx;
    return 0;
}

} // namespace

void close_format_input(AVFormatContext* c) noexcept {
    AVIOContext* pb = (c->flags & AVFMT_FLAG_CUSTOM_IO) ? c->pb : nullptr;
    avformat_close_input(&c);
    free_io(pb);
}

FormatInput open_input(const std::filesystem::path& path) {
    const auto name = path.filename().string();
    auto source = std::make_unique<FdSource>();
    try {
        source->fd = open_regular_file(path);
    } catch (const std::system_error& e) {
        throw std::runtime_error(cat("cannot open ", name, ": ", open_failure_reason(e)));
    }
    AVFormatContext* raw = nullptr;
    int err = open_with(*source, name, nullptr, raw);
    if (err == AVERROR_INVALIDDATA) {
        // Too short for the content probe (a one-frame MP3 or ADTS file): trust the extension.
        const auto* type = format_of_file(name);
        if (type && !type->raw_demuxer.empty()) {
            const AVInputFormat* format =
                av_find_input_format(std::string(type->raw_demuxer).c_str());
            err = open_with(*source, name, format, raw);
        }
    }
    if (err < 0)
        throw std::runtime_error(cat("cannot open ", name, ": ", av_error_text(err)));
    raw->pb->opaque = source.release(); // closed with the context from now on
    FormatInput input(raw);
    if (err = avformat_find_stream_info(input.get(), nullptr); err < 0) {
        throw std::runtime_error(cat("cannot read ", name, ": ", av_error_text(err)));
    }
    return input;
}

int audio_stream_index(AVFormatContext* input, const std::filesystem::path& path) {
    const int index = av_find_best_stream(input, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (index < 0)
        throw std::runtime_error(cat(path.filename().string(), " has no audio stream"));
    return index;
}

Packet make_packet() {
    Packet p(av_packet_alloc());
    if (!p)
        throw std::bad_alloc();
    return p;
}

Frame make_frame() {
    Frame f(av_frame_alloc());
    if (!f)
        throw std::bad_alloc();
    return f;
}

} // namespace isr::web
