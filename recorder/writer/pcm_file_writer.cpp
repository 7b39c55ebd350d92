#include "recorder/writer/pcm_file_writer.hpp"

#include "common/audio_formats.hpp"
#include "common/strings.hpp"
#include "recorder/writer/flac_repair.hpp"

#include <algorithm>
#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::rec {

namespace {

int sndfile_format(const PcmFileSpec& spec) {
    const int container = spec.format == "flac" ? SF_FORMAT_FLAC : SF_FORMAT_RF64;
    const int subtype = spec.bit_depth == 24 ? SF_FORMAT_PCM_24 : SF_FORMAT_PCM_16;
    return container | subtype;
}

[[noreturn]] void throw_sndfile(SNDFILE* file, const std::string& what) {
    // libsndfile reports write errors as its own codes; the errno behind them is usually
    // ENOSPC or EIO, which is what a user needs to see.
    const int err = errno ? errno : EIO;
    throw std::system_error(err, std::generic_category(), cat(what, " (", sf_strerror(file), ")"));
}

} // namespace

PcmFileWriter::PcmFileWriter(CreatedFile file, const PcmFileSpec& spec)
    : path_(std::move(file.path)), channels_(spec.channels), rate_(spec.rate) {
    SF_INFO info{};
    info.samplerate = spec.rate;
    info.channels = spec.channels;
    info.format = sndfile_format(spec);
    if (!sf_format_check(&info)) {
        ::unlink(path_.c_str());
        throw std::system_error(EINVAL, std::generic_category(),
                                cat("libsndfile cannot write ", spec.format, " with ", spec.rate,
                                    " Hz, ", spec.channels, " channels, ", spec.bit_depth, " bit"));
    }
    // libsndfile owns the descriptor from here: it closes it on sf_close, and also when
    // sf_open_fd fails (closing it here as well could close another thread's new file).
    fd_ = file.fd.release();
    identity_ = FileIdentity::of(fd_);
    errno = 0;
    sndfile_.reset(sf_open_fd(fd_, SFM_WRITE, &info, SF_TRUE));
    if (!sndfile_) {
        // Writing the header may have failed (ENOSPC): that is the cause to report, so that a
        // full disk reads the same at every try.
        const int err = errno ? errno : EIO;
        const std::string why = sf_strerror(nullptr);
        ::unlink(path_.c_str());
        throw std::system_error(err, std::generic_category(),
                                cat("open ", path_.string(), " (", why, ")"));
    }
    flac_ = spec.format == "flac";
    if (flac_) {
        // The created descriptor is write-only. The name is ours alone (created exclusively a
        // moment ago), so this opens the same file.
        reader_.reset(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
        double level = spec.compression_level / 8.0;
        sf_command(sndfile_.get(), SFC_SET_COMPRESSION_LEVEL, &level, sizeof level);
    } else {
        sf_command(sndfile_.get(), SFC_RF64_AUTO_DOWNGRADE, nullptr, SF_TRUE);
    }
}

void PcmFileWriter::write(std::span<const std::int32_t> samples) {
    if (samples.empty())
        return;
    errno = 0;
    const auto wanted = static_cast<sf_count_t>(samples.size());
    const auto written = sf_write_int(sndfile_.get(), samples.data(), wanted);
    frames_ += static_cast<std::uint64_t>(written) / static_cast<std::uint64_t>(channels_);
    if (written != wanted) {
        write_failed_ = true;
        throw_sndfile(sndfile_.get(), "write " + path_.string());
    }
}

void PcmFileWriter::flush() {
    if (!sndfile_)
        return;
    errno = 0;
    // A WAV header carries the sizes players trust. libFLAC writes STREAMINFO's sample count
    // only when the file is closed: it is set here too, so that a file cut off by a crash tells
    // players its length (up to the last flush) as a WAV does.
    if (flac_)
        update_flac_sample_count();
    else
        sf_command(sndfile_.get(), SFC_UPDATE_HEADER_NOW, nullptr, 0);
    if (sf_error(sndfile_.get()) != SF_ERR_NO_ERROR)
        throw_sndfile(sndfile_.get(), "update header of " + path_.string());
    if (::fdatasync(fd_) != 0) {
        write_failed_ = true;
        throw std::system_error(errno, std::generic_category(), "fdatasync " + path_.string());
    }
    if (!flac_)
        on_disk_ = frames_;
}

void PcmFileWriter::update_flac_sample_count() {
    if (!reader_)
        return;
    const auto end = find_flac_end(reader_.get(), FlacEnd::live);
    if (!end || end->total_samples <= on_disk_)
        return;
    // A pwrite of the five bytes the encoder wrote at the start (it comes back to them only on
    // close) does not move the descriptor's offset, which libsndfile writes at.
    std::uint8_t first = 0;
    if (::pread(reader_.get(), &first, 1, kFlacTotalSamplesAt) != 1)
        return;
    const auto bytes = flac_total_samples_bytes(end->total_samples, first);
    if (::pwrite(fd_, bytes.data(), bytes.size(), kFlacTotalSamplesAt) ==
        static_cast<ssize_t>(bytes.size())) {
        on_disk_ = end->total_samples;
    }
}

std::error_code PcmFileWriter::close() noexcept {
    if (!sndfile_)
        return {};
    sndfile_.reset(); // sf_close writes the final header and closes the descriptor
    reader_.reset();
    kept_ = frames_;
    if (flac_ && write_failed_ && identity_.named_by(path_)) {
        // libFLAC stops at the failed write, mid-frame.
        if (const auto kept = cut_flac_to_complete_frames(path_))
            kept_ = *kept;
    }
    if (kept_ == 0)
        identity_.remove(path_); // never leave an empty recording behind
    return {};
}

std::uint64_t PcmFileWriter::bytes() const noexcept {
    struct stat st {};
    if (sndfile_ && ::fstat(fd_, &st) == 0)
        return static_cast<std::uint64_t>(st.st_size);
    return 0;
}

std::string PcmFileWriter::extension(const std::string& format) {
    const auto* f = format_named(format);
    return "." +
           std::string(f && f->pcm_target ? f->extension : format_info(AudioFormat::wav).extension);
}

} // namespace isr::rec
