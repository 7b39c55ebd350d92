#pragma once

#include "common/config.hpp"
#include "common/log.hpp"
#include "recorder/anchor_clock.hpp"
#include "recorder/disk_failure.hpp"
#include "recorder/file_namer.hpp"
#include "recorder/levels/live_events.hpp"
#include "recorder/replay/stream_replay.hpp"
#include "recorder/source.hpp"
#include "recorder/source_state.hpp"
#include "recorder/stream/framing/framer.hpp"
#include "recorder/stream/levels/stream_levels.hpp"
#include "recorder/stream/title_log.hpp"
#include "recorder/writer/byte_file_writer.hpp"
#include "recorder/writer/splitter.hpp"

#include <memory>
#include <optional>
#include <string>

namespace isr::rec {

class HttpStream;

// Records one connection to an HTTP/Icecast stream as raw bytes, cut between frames or pages:
// the stream adapter of the recording pipeline, which frames the bytes, times every frame and
// hands it to the Splitter.
//
// The split time is measured on the audio clock: frame durations accumulate from an anchor
// chosen as the latest start consistent with every arrival (AnchorClock), so Icecast's burst on
// connect and network jitter do not move the boundaries. Until the anchor has settled (the
// burst arrives in pieces over the first reads), frames are held in memory, so that even the
// burst's frames land in the files their audio time belongs to. Each file starts with a
// complete frame or page (Ogg and FLAC files with the stream's headers) and holds at least
// min_file_seconds() of audio: a shorter one would be a runt that ffmpeg cannot recognise, so
// a split is skipped right after a file began, and a file that a split began gets its first
// frames before its predecessor is closed (if the connection ends first, they go to the
// predecessor). A new connection always starts a new file.
//
// Junk in the stream (damage, foreign bytes) is skipped and counted (skipped_bytes, resyncs;
// logged at most once a minute); junk that is really a new format (MP3 turning into AAC)
// starts a new file in it, and so does an Ogg stream chained with another codec. A stream that
// sends only junk for stall_timeout_seconds is reconnected. A failing disk keeps the
// connection: audio is dropped, counted and reported until a file can be written again.
// stream_session.cpp holds the connection and framing, stream_files.cpp the files.
class StreamSession : public SourceSession {
public:
    // `replay`: the source's instant-replay ring, given every unit (null: none).
    StreamSession(const SourceConfig& cfg, std::shared_ptr<SourceState> state,
                  std::shared_ptr<const FileNamer> namer, std::shared_ptr<DiskFailure> disk,
                  std::shared_ptr<StreamReplay> replay = nullptr);
    ~StreamSession() override;

    void run(std::stop_token stop) override;
    double recorded_seconds() const noexcept override { return media_seconds_; }
    std::string end_reason() const override { return end_reason_; }

    // Bytes of a body inspected before giving up on finding audio in it.
    static constexpr std::size_t kSniffLimit = 65536;
    // Junk that is looked at for a new format once this much of it has arrived.
    static constexpr std::size_t kSwitchProbeBytes = 8192;

private:
    // --- stream_session.cpp: the connection and its framing
    std::string choose_format(const HttpStream& http, std::span<const std::uint8_t> head) const;
    void start_framing(const std::string& format, const HttpStream& http);
    // Counts and reports the framer's junk since the last call.
    void note_junk();
    // For units that follow junk: the seconds of audio the junk replaced, when it did (the
    // audio after it arrived that much later than the clock expects, and the junk was about as
    // long at the stream's byte rate).
    void measure_gaps(std::vector<framing::Unit>& units, double arrival, double bytes_per_second);
    void report_junk(bool summary);
    // The junk is a stream in another format: the old framer's last units are written, the
    // file closed, and framing goes on in `format`.
    void switch_format(const std::string& format, std::vector<framing::Unit>& units,
                       double arrival);
    // The connection is over: the framer's last frame and any held frames are written, the
    // file closed.
    void finish_connection();
    void update_stream_status(const HttpStream* http);

    // --- stream_files.cpp: time, splits, runts
    // Frames out of the framer, observed on the clock, then held or handled (`last`: the
    // connection ends, nothing is held any longer).
    void deliver(std::vector<framing::Unit>& units, double arrival, bool last = false);
    void handle(framing::Unit& unit);
    // Writes a unit at media time `start_media` to the current file, opening one if needed.
    void write_unit(framing::Unit& unit, double start_media, double start_wall);
    // A header unit mid-stream (a chained Ogg stream) goes to the current file, if any.
    void write_header(framing::Unit& unit);
    // A split starts with `unit`, the first of the next file: it waits for enough audio.
    void start_cut(framing::Unit unit, double start_media, double start_wall);
    // The split started at the first pending unit is done: the old file closes, a new one
    // takes the pending units.
    void complete_cut();
    // The pending units go to the current file after all (the connection ends, the codec
    // changes): no runt is left behind.
    void merge_pending();
    void every_second(double now_mono);
    double min_file_seconds() const noexcept;

    SourceConfig cfg_;
    Logger log_;
    std::shared_ptr<SourceState> state_;
    std::shared_ptr<const FileNamer> namer_;
    std::unique_ptr<framing::Framer> framer_;
    std::string format_; // the framer's format: mp3, aac, ogg, opus, flac
    AnchorClock clock_;

    std::string file_codec_;   // the codec the current file holds
    std::string stream_codec_; // the codec of the stream the next units belong to
    // A split waiting for its new file's first min_file_seconds() of audio.
    struct PendingUnit {
        framing::Unit unit;
        double start_media;
        double start_wall;
    };
    std::vector<PendingUnit> pending_;
    // Writes units held back while a split waited (after the new file opened, or merged into
    // the current one): headers go straight to the file, audio through write_unit().
    void write_pending(std::vector<PendingUnit>& pending);
    double pending_audio_ = 0;
    bool cutting_ = false;

    double media_seconds_ = 0;        // audio handled (written or dropped) on this connection
    double media_framed_ = 0;         // audio out of the framer, handled or held
    std::vector<framing::Unit> held_; // frames waiting for the clock to settle
    std::size_t held_bytes_ = 0;
    std::uint64_t audio_bytes_ = 0; // audio bytes received (for the bitrate)
    double wall_minus_mono_ = 0;
    double last_tick_mono_ = 0;
    double last_unit_mono_ = 0; // when the framer last gave a unit

    // Junk counted from the current framer, and what the log has not said yet.
    std::uint64_t junk_seen_ = 0;
    std::uint64_t resyncs_seen_ = 0;
    std::uint64_t junk_unlogged_ = 0;
    std::uint64_t resyncs_unlogged_ = 0;
    std::uint64_t junk_total_ = 0;     // this connection
    std::uint64_t junk_at_resync_ = 0; // the framer's junk count at the last resync
    RateLimit junk_log_{std::chrono::minutes(1)};

    std::shared_ptr<DiskFailure> disk_;
    // Live loud events (live_events = yes), fed by the levels decoder's thread only.
    std::optional<LiveEvents> live_;
    // The record-time levels (levels = yes, or live events), told of every file and byte; null
    // when off. It outlives the splitter, its listener.
    std::unique_ptr<StreamLevels> levels_;
    Splitter splitter_;
    std::shared_ptr<StreamReplay> replay_;
    std::optional<std::string> title_;
    TitleLog titles_;
    std::string end_reason_;
};

} // namespace isr::rec
