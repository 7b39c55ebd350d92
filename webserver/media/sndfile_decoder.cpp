#include "webserver/media/sndfile_decoder.hpp"

#include "common/file_util.hpp"
#include "common/strings.hpp"

#include <cstring>
#include <stdexcept>
#include <system_error>

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
