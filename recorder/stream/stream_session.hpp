#pragma once

#include "common/config.hpp"
#include "common/log.hpp"
#include "recorder/anchor_clock.hpp"
#include "recorder/disk_failure.hpp"
#include "recorder/file_namer.hpp"
#include "recorder/folder_watch.hpp"
#include "recorder/source.hpp"
#include "recorder/source_state.hpp"
#include "recorder/stream/framing/framer.hpp"
#include "recorder/stream/title_log.hpp"
#include "recorder/writer/byte_file_writer.hpp"

#include <memory>
#include <optional>
#include <string>

namespace isr::rec {

class HttpStream;

// Records one connection to an HTTP/Icecast stream as raw bytes, cut between frames or pages.
//
// The split time is measured on the audio clock: frame durations accumulate from an anchor
// chosen as the latest start consistent with every arrival (AnchorClock), so Icecast's burst on
// connect and network jitter do not move the boundaries. Until the anchor has settled (the
// burst arrives in pieces over the first reads), frames are held in memory, so that even the
// burst's frames land in the files their audio time belongs to. Each file starts with a complete frame
// or page (Ogg and FLAC files with the stream's headers); a new connection always starts a new
// file. A failing disk keeps the connection: audio is dropped, counted and reported until a file
// can be written again.
class StreamSession : public SourceSession {
public:
    StreamSession(const SourceConfig& cfg, std::shared_ptr<SourceState> state,
                  std::shared_ptr<const FileNamer> namer, std::shared_ptr<DiskFailure> disk);
    ~StreamSession() override;

    void run(std::stop_token stop) override;
    double recorded_seconds() const noexcept override { return media_seconds_; }
    std::string end_reason() const override { return end_reason_; }

    // Bytes of a body inspected before giving up on finding audio in it.
    static constexpr std::size_t kSniffLimit = 65536;

private:
    std::string choose_format(const HttpStream& http, std::span<const std::uint8_t> head) const;
    void handle(framing::Unit& unit);
    // The connection is over: the framer's last frame and any held frames are written, the
    // file closed.
    void finish_connection();
    // Frames out of the framer, observed on the clock, then held or handled (`last`: the
    // connection ends, nothing is held any longer).
    void deliver(std::vector<framing::Unit>& units, double arrival, bool last = false);
    void open_file(double unit_wall, double unit_media);
    // Closes the file; returns the seconds of audio it keeps. A failing last flush counts as a
    // write failure.
    double close_file() noexcept;
    // A write or flush failed: the file is closed, and what it did not keep is lost.
    void write_failed(const std::exception& e);
    // The file was deleted while written (its folder removed?): all of it is lost.
    void file_deleted();
    void count_loss() noexcept;
    void every_second(double now_mono);

    SourceConfig cfg_;
    Logger log_;
    std::shared_ptr<SourceState> state_;
    std::shared_ptr<const FileNamer> namer_;
    std::unique_ptr<framing::Framer> framer_;
    AnchorClock clock_;

    std::unique_ptr<ByteFileWriter> writer_;
    std::string file_relative_;
    double file_first_media_ = 0; // media time of the current file's first audio
    double next_boundary_utc_ = 0;
    std::optional<double> pending_boundary_;
    double media_seconds_ = 0;      // audio handled (written or dropped) on this connection
    double media_framed_ = 0;       // audio out of the framer, handled or held
    std::vector<framing::Unit> held_; // frames waiting for the clock to settle
    std::size_t held_bytes_ = 0;
    std::uint64_t audio_bytes_ = 0; // audio bytes received (for the bitrate)
    double wall_minus_mono_ = 0;
    double last_tick_mono_ = 0;
    double last_sync_mono_ = 0;

    std::shared_ptr<DiskFailure> disk_;
    FolderWatch folder_;
    std::optional<std::string> title_;
    TitleLog titles_;
    std::string end_reason_;
};

} // namespace isr::rec
