#include "webserver/media/sndfile_decoder.hpp"

#include "common/file_util.hpp"
#include "common/strings.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

namespace isr::web {

SndfileDecoder::SndfileDecoder(const std::filesystem::path& path) : path_(path) {
    UniqueFd fd;
    try {
        fd = open_regular_file(path);
    } catch (const std::system_error& e) {
        throw std::runtime_error(
            cat("cannot open ", path.filename().string(), ": ", open_failure_reason(e)));
    }
    file_.reset(sf_open_fd(fd.get(), SFM_READ, &info_, SF_TRUE));
    if (!file_)
        throw std::runtime_error(
            cat("libsndfile cannot read ", path.filename().string(), ": ", sf_strerror(nullptr)));
    static_cast<void>(fd.release()); // libsndfile closes it with the file
}

namespace {

using Overlaid = SndfileDecoder::Overlaid;

sf_count_t overlaid_length(void* user) {
    return static_cast<Overlaid*>(user)->size;
}

sf_count_t overlaid_seek(sf_count_t offset, int whence, void* user) {
    auto& o = *static_cast<Overlaid*>(user);
    const sf_count_t base = whence == SEEK_CUR ? o.position : whence == SEEK_END ? o.size : 0;
    o.position = std::clamp<sf_count_t>(base + offset, 0, o.size);
    return o.position;
}

sf_count_t overlaid_read(void* out, sf_count_t count, void* user) {
    auto& o = *static_cast<Overlaid*>(user);
    auto* p = static_cast<char*>(out);
    sf_count_t done = 0;
    const auto want = std::min(count, o.size - o.position);
    // The overlay first, then the file's own bytes.
    const auto in_overlay = static_cast<sf_count_t>(o.overlay.size());
    if (o.position < in_overlay && want > 0) {
        const auto n = std::min(want, in_overlay - o.position);
        std::memcpy(p, o.overlay.data() + o.position, static_cast<std::size_t>(n));
        done = n;
    }
    while (done < want) {
        const auto n = ::pread(o.fd.get(), p + done, static_cast<std::size_t>(want - done),
                               static_cast<off_t>(o.position + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; // libsndfile treats a short read as the end (or a damaged file)
        done += n;
    }
    o.position += done;
    return done;
}

sf_count_t overlaid_write(const void*, sf_count_t, void*) {
    return 0;
}

sf_count_t overlaid_tell(void* user) {
    return static_cast<Overlaid*>(user)->position;
}

} // namespace

SndfileDecoder::SndfileDecoder(const std::filesystem::path& path, UniqueFd fd, std::string overlay,
                               std::uint64_t size)
    : path_(path), overlaid_(std::make_unique<Overlaid>(Overlaid{
                       std::move(fd), std::move(overlay), static_cast<std::int64_t>(size), 0})) {
    static SF_VIRTUAL_IO io{overlaid_length, overlaid_seek, overlaid_read, overlaid_write,
                            overlaid_tell};
    file_.reset(sf_open_virtual(&io, SFM_READ, &info_, overlaid_.get()));
    if (!file_)
        throw std::runtime_error(
            cat("libsndfile cannot read ", path.filename().string(), ": ", sf_strerror(nullptr)));
}

SndfileDecoder::~SndfileDecoder() = default;

void SndfileDecoder::seek(std::int64_t frame) {
    if (sf_seek(file_.get(), frame, SEEK_SET) < 0) {
        throw std::runtime_error(
            cat("cannot seek in ", path_.filename().string(), ": ", sf_strerror(file_.get())));
    }
}

std::size_t SndfileDecoder::read(float* out, std::size_t frames) {
    const auto n = sf_readf_float(file_.get(), out, static_cast<sf_count_t>(frames));
    if (n < 0)
        throw std::runtime_error(
            cat("cannot decode ", path_.filename().string(), ": ", sf_strerror(file_.get())));
    return static_cast<std::size_t>(n);
}

std::size_t SndfileDecoder::read_s16(std::int16_t* out, std::size_t frames) {
    const auto n = sf_readf_short(file_.get(), out, static_cast<sf_count_t>(frames));
    if (n < 0)
        throw std::runtime_error(
            cat("cannot decode ", path_.filename().string(), ": ", sf_strerror(file_.get())));
    return static_cast<std::size_t>(n);
}

} // namespace isr::web
