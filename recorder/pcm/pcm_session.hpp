#pragma once

#include "common/config.hpp"
#include "common/log.hpp"
#include "recorder/anchor_clock.hpp"
#include "recorder/disk_failure.hpp"
#include "recorder/file_namer.hpp"
#include "recorder/levels/live_events.hpp"
#include "recorder/levels/recording_levels.hpp"
#include "recorder/pcm/level_meter.hpp"
#include "recorder/pcm/pcm_source.hpp"
#include "recorder/replay/pcm_replay.hpp"
#include "recorder/source.hpp"
#include "recorder/source_state.hpp"
#include "recorder/writer/pcm_file_writer.hpp"
#include "recorder/writer/splitter.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace isr::rec {

// Records a PcmSource (ALSA device or generator) into WAV/FLAC files split on the clock.
//
// The session is the PCM adapter of the recording pipeline: it reads the device, times every
// frame (from the sample count, anchored to the clock by AnchorClock) and hands the frames to
// the Splitter (unless the source is replay-only, record = no) and to the replay ring (when it
// has one), dividing a read at the first frame whose capture time reaches a boundary, not
// where the read happens to end. Every captured frame lands in exactly one file. A failing disk
// (ENOSPC, EACCES…) does not stop capture: the splitter drops and counts the audio until a file
// can be written again.
//
// What goes into each file also goes, as the file's decoder will read it back, into its
// record-time levels (levels = yes) and from there, window by window, into the live event
// detector (live_events = yes).
class PcmSession : public SourceSession, private Splitter::Listener {
public:
    // `replay`: the source's instant-replay ring, fed with every read (null: none).
    PcmSession(const SourceConfig& cfg, std::unique_ptr<PcmSource> source,
               std::shared_ptr<SourceState> state, std::shared_ptr<const FileNamer> namer,
               std::shared_ptr<DiskFailure> disk, std::shared_ptr<PcmReplay> replay = nullptr);
    ~PcmSession() override;

    void run(std::stop_token stop) override;
    double recorded_seconds() const noexcept override;

private:
    // Hands `frames` frames, the first captured at media frame media_frames_, to the splitter.
    void process(std::span<const std::int32_t> samples, std::size_t frames, double now_mono);
    double wall_of_frame(std::uint64_t frame) const;
    // The session ends: the file is closed, a disk gap ends here, the loss is counted.
    void finish() noexcept;
    double seconds_of(std::uint64_t frames) const noexcept {
        return static_cast<double>(frames) / spec_.rate;
    }
    void every_second(double now_mono);
    // Overruns go to the ledger as gaps; those less than a second apart are one line (with
    // their count), written when the next second passes without one (at most a minute late):
    // an xrun storm must not flood the ledger.
    void overrun(double start_wall, double seconds);
    void flush_overruns(bool force);
    // Splitter::Listener: the record-time levels follow each file.
    void file_opened(const std::filesystem::path& path, const std::string& name,
                     double start_utc) override;
    void file_closed(const std::filesystem::path& path, double seconds) override;
    void file_lost(const std::filesystem::path& path) override;
    // The frames just written to the file, into its levels.
    void add_levels(std::span<const std::int32_t> samples, std::size_t frames);
    // RecordingLevels' window sink: the live detector, with the window's capture time.
    void level_window(float db);

    SourceConfig cfg_;
    Logger log_;
    std::unique_ptr<PcmSource> source_;
    std::shared_ptr<SourceState> state_;
    std::shared_ptr<const FileNamer> namer_;
    PcmFileSpec spec_;
    AnchorClock clock_;
    std::optional<LevelMeter> meter_;

    std::uint64_t media_frames_ = 0; // frames since open, lost ones included
    double wall_minus_mono_ = 0;
    double last_tick_mono_ = 0;

    std::shared_ptr<DiskFailure> disk_;
    // Before the splitter: its last close (when the session is destroyed) reaches them.
    std::optional<LiveEvents> live_;
    std::optional<RecordingLevels> levels_;
    std::vector<float> levels_buffer_;
    std::uint64_t opening_frame_ = 0;  // media frame of the file being opened
    std::uint64_t levels_first_ = 0;   // media frame of the current file's first frame
    std::uint64_t levels_windows_ = 0; // windows of the current file given to live_
    std::int64_t window_frames_ = 1;
    Splitter splitter_;
    std::shared_ptr<PcmReplay> replay_;
    struct Overruns {
        double start_wall = 0;
        double end_wall = 0;
        double lost = 0;
        int count = 0;
    };
    std::optional<Overruns> overruns_;
    bool started_ = false;
    bool finished_ = false;
};

} // namespace isr::rec
