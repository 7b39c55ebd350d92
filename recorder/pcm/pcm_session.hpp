#pragma once

#include "common/config.hpp"
#include "common/log.hpp"
#include "recorder/anchor_clock.hpp"
#include "recorder/disk_failure.hpp"
#include "recorder/file_namer.hpp"
#include "recorder/folder_watch.hpp"
#include "recorder/pcm/level_meter.hpp"
#include "recorder/pcm/pcm_source.hpp"
#include "recorder/source.hpp"
#include "recorder/source_state.hpp"
#include "recorder/writer/pcm_file_writer.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace isr::rec {

// Records a PcmSource (ALSA device or generator) into WAV/FLAC files split on the clock.
//
// Every captured frame lands in exactly one file. The split falls on the first frame whose
// capture time (from the sample count, anchored to the clock by AnchorClock) reaches the
// boundary, not on when a read returns. Files are created when audio arrives, flushed every
// second, and finalized on stop. A failing disk (ENOSPC, EACCES…) does not stop capture: the
// source's DiskFailure measures and reports what is lost, and writing resumes as soon as a file
// can be created and written again.
class PcmSession : public SourceSession {
public:
    PcmSession(const SourceConfig& cfg, std::unique_ptr<PcmSource> source,
               std::shared_ptr<SourceState> state, std::shared_ptr<const FileNamer> namer,
               std::shared_ptr<DiskFailure> disk);
    ~PcmSession() override;

    void run(std::stop_token stop) override;
    double recorded_seconds() const noexcept override;

private:
    void process(std::span<const std::int32_t> samples, std::size_t frames);
    double wall_of_frame(std::uint64_t frame) const;
    std::uint64_t frame_of_wall(double wall) const;
    void open_file(std::uint64_t first_frame);
    // Closes the file; returns the frames it keeps.
    std::uint64_t close_file() noexcept;
    // A write or flush failed: the file is closed, and what it did not keep is lost.
    void write_failed(const std::exception& e);
    // The file was deleted while written (its folder removed?): all of it is lost.
    void file_deleted();
    // The session ends: the file is closed, a disk gap ends here, the loss is counted.
    void finish() noexcept;
    void count_loss() noexcept;
    double seconds_of(std::uint64_t frames) const noexcept {
        return static_cast<double>(frames) / spec_.rate;
    }
    void every_second(double now_mono);

    SourceConfig cfg_;
    Logger log_;
    std::unique_ptr<PcmSource> source_;
    std::shared_ptr<SourceState> state_;
    std::shared_ptr<const FileNamer> namer_;
    PcmFileSpec spec_;
    AnchorClock clock_;
    std::optional<LevelMeter> meter_;

    std::unique_ptr<PcmFileWriter> writer_;
    std::string file_relative_;
    std::uint64_t file_first_frame_ = 0;
    double next_boundary_utc_ = 0;
    std::optional<double> pending_boundary_; // the boundary the previous file ended on

    std::uint64_t media_frames_ = 0; // frames since open, lost ones included
    double wall_minus_mono_ = 0;
    double last_tick_mono_ = 0;

    std::shared_ptr<DiskFailure> disk_;
    FolderWatch folder_;
    bool started_ = false;
    bool finished_ = false;
};

} // namespace isr::rec
