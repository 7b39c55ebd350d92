#pragma once

#include "common/file_util.hpp"
#include "common/unique_handle.hpp"
#include "recorder/writer/file_identity.hpp"
#include "recorder/writer/split_file.hpp"

#include <sndfile.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace isr::rec {

using SndFile = UniqueHandle<SNDFILE, &sf_close>;

struct PcmFileSpec {
    std::string format = "wav"; // wav | flac
    int rate = 44100;
    int channels = 2;
    int bit_depth = 16;        // 16 | 24
    int compression_level = 5; // FLAC 0..8
};

// Writes one WAV or FLAC file through libsndfile. WAV is written as RF64 with automatic
// downgrade: a plain RIFF/WAVE file below 4 GiB and RF64 above, never a wrapped size field.
// flush() rewrites the header (WAV: its sizes; FLAC: STREAMINFO's sample count, from the
// complete frames on disk) and fdatasyncs, so a file cut off by a crash or a power cut is valid
// up to the last flush. After a failed write (a full disk) close() leaves a file that decodes:
// a FLAC is cut back to its last complete frame, with the sample count of what remains and no
// MD5 (it would not match). A file that keeps no frames is deleted on close.
class PcmFileWriter final : public SplitFile {
public:
    // Takes ownership of a freshly created, empty file. Throws std::system_error.
    PcmFileWriter(CreatedFile file, const PcmFileSpec& spec);
    ~PcmFileWriter() override { (void)close(); }
    PcmFileWriter(const PcmFileWriter&) = delete;
    PcmFileWriter& operator=(const PcmFileWriter&) = delete;

    // Interleaved 32-bit samples (full scale ±2^31). Throws std::system_error (ENOSPC…).
    void write(std::span<const std::int32_t> samples);
    // Header update + fdatasync. Throws std::system_error.
    void flush() override;
    void sync() override { flush(); }
    // Finalizes the header (FLAC: total samples in STREAMINFO), repairs a file a write failed
    // on, deletes one that kept no frames. Returns no error: the failure was the write's.
    std::error_code close() noexcept override;

    const std::filesystem::path& path() const noexcept override { return path_; }
    // The file has no name any more (deleted, or its folder removed): what it holds is lost.
    bool deleted() const noexcept override { return sndfile_ && file_deleted(fd_); }
    double seconds_on_disk() const noexcept override {
        return static_cast<double>(sndfile_ ? on_disk_ : kept_) / rate_;
    }
    std::uint64_t frames() const noexcept { return frames_; }
    // Frames known to be on disk as of the last successful flush (FLAC: in complete frames).
    std::uint64_t frames_on_disk() const noexcept { return on_disk_; }
    // After close(): the frames the file keeps.
    std::uint64_t frames_kept() const noexcept { return kept_; }
    std::uint64_t bytes() const noexcept override; // current size on disk

    // ".wav", ".flac": the extension of the files this format makes (common/audio_formats).
    static std::string extension(const std::string& format);

private:
    void update_flac_sample_count();

    std::filesystem::path path_;
    int fd_ = -1;     // owned by sndfile_ (closed by sf_close); write-only
    UniqueFd reader_; // FLAC: the same file, for finding its complete frames
    FileIdentity identity_;
    int channels_;
    int rate_;
    bool flac_ = false;
    SndFile sndfile_;
    std::uint64_t frames_ = 0;
    std::uint64_t on_disk_ = 0;
    std::uint64_t kept_ = 0;
    bool write_failed_ = false;
};

} // namespace isr::rec
