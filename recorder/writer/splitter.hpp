#pragma once

#include "common/config.hpp"
#include "common/file_util.hpp"
#include "common/log.hpp"
#include "recorder/disk_failure.hpp"
#include "recorder/file_namer.hpp"
#include "recorder/folder_watch.hpp"
#include "recorder/source_state.hpp"
#include "recorder/writer/split_file.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace isr::rec {

// The recording stage of a source: audio in, files out, split on the clock. It owns the file
// namer, the current file, the split boundaries, the disk-failure policy and the file's part of
// status.json. It reads no clock: every call says when its audio was captured, both as media
// time (seconds of audio since the session began, the position DiskFailure measures losses in)
// and as wall time (UTC seconds, what boundaries and names are made of), and the once-a-second
// tick says what the monotonic clock shows. That makes splitting testable without waiting.
//
// The session decides where in its audio a boundary falls (a PCM session at the exact frame, a
// stream session between frames or pages, and not so early that a file would be a runt), asks
// for a file when it has audio, writes into it through write(), and calls cut() at the boundary.
//
// A write or flush that fails closes the file and opens a disk-failure episode: until the disk
// works again audio is dropped, file() is null and open() tries a new file once per retry
// delay. Used from the source's thread only.
class Splitter {
public:
    // Told of each file's life, on the source's thread: the record-time levels follow it.
    class Listener {
    public:
        virtual ~Listener() = default;
        // A recording was created at `path` (`name` relative to the recordings folder); its
        // first audio was captured at `start_utc` (UTC seconds).
        virtual void file_opened(const std::filesystem::path& path, const std::string& name,
                                 double start_utc) = 0;
        // It was closed and keeps `seconds` of audio (0: it was removed, having none).
        virtual void file_closed(const std::filesystem::path& path, double seconds) = 0;
        // It is lost: deleted under isrd, or a write to it failed.
        virtual void file_lost(const std::filesystem::path& path) = 0;
    };

    using Opener = std::function<std::unique_ptr<SplitFile>(CreatedFile)>;

    // `log` must outlive the splitter.
    Splitter(const SourceConfig& cfg, const Logger& log, std::shared_ptr<SourceState> state,
             std::shared_ptr<const FileNamer> namer, std::shared_ptr<DiskFailure> disk);
    ~Splitter();
    Splitter(const Splitter&) = delete;
    Splitter& operator=(const Splitter&) = delete;

    // The file audio goes to, or null: none opened yet, or the disk fails.
    SplitFile* file() const noexcept { return file_.get(); }

    // Opens a file for audio that starts at `media`/`utc`, named after the boundary the previous
    // file ended on (when that is within 2 s: after a gap, after `utc`). `open` makes the
    // format's writer on the created file (and writes its headers). False when no file could be
    // opened: the disk failed and the retry is not due at `now_mono`, or it failed again (the
    // audio is then dropped, and the episode measures it).
    bool open(double media, double utc, double now_mono, std::string_view extension,
              const Opener& open);

    // Hands audio to the current file: `write` writes it there, and the file then holds
    // `seconds` more (0 for headers). A failure closes the file (see above). Requires file().
    template <class Write> void write(double seconds, Write&& write) {
        try {
            write(*file_);
            file_audio_ += seconds;
        } catch (const std::exception& e) {
            write_failed(e);
        }
    }

    // UTC of the next split boundary of the current file (of the last one, while none is open).
    double next_boundary() const noexcept { return next_boundary_; }
    // Seconds from `utc` to the next boundary when it lies within the `seconds` that start
    // there: where a block of audio must be divided. nullopt when the block ends before it.
    std::optional<double> boundary_in(double utc, double seconds) const noexcept;
    // Of `frames` frames at `rate` Hz, the first captured at `utc`: how many belong to the
    // current file, the boundary's frame being the first captured at or after it.
    std::size_t frames_before_boundary(double utc, std::size_t frames, int rate) const noexcept;
    // The current file ends at its boundary; the next one is named after it.
    void cut();
    // The current file ends here, off the schedule (the codec changed): the next file is named
    // after its own first audio.
    void end_file();
    // The current file goes on past its boundary to the next one (a file that would otherwise
    // be a runt).
    void skip_boundary();

    // Seconds of audio handed to the current file.
    double file_audio() const noexcept { return file_audio_; }
    // The current file relative to the recordings root, as status.json shows it.
    const std::string& file_name() const noexcept { return file_name_; }
    std::uint64_t bytes() const noexcept { return file_ ? file_->bytes() : 0; }
    // The audio's sample rate, once known: losses are then also counted in frames.
    void set_rate(int rate) noexcept { rate_ = rate; }
    // `listener` (null: none) must outlive the splitter or be reset before it goes.
    void set_listener(Listener* listener) noexcept { listener_ = listener; }

    // Once a second: a deleted file is noticed, the file flushed (and every few seconds synced),
    // the end of a disk episode noticed, the loss up to media time `media_now` counted.
    void tick(double now_mono, double media_now);
    // The session ends at media time `media_end` (a reconnect, a device reopened, isrd stops):
    // the file is closed and any open disk gap ends there. The splitter may go on with a new
    // session (media time starting from 0 again).
    void end_session(double media_end);

    // Seconds between syncs to the disk (flushes in between only write).
    static constexpr double kSyncIntervalSeconds = 5.0;

private:
    // Closes the file; returns the seconds of audio it keeps. A last write that fails counts as
    // a write failure.
    double close() noexcept;
    void write_failed(const std::exception& e);
    void file_deleted();
    void count_loss(double media_now) noexcept;

    const Logger& log_;
    std::shared_ptr<SourceState> state_;
    std::shared_ptr<const FileNamer> namer_;
    std::shared_ptr<DiskFailure> disk_;
    FolderWatch folder_;

    std::unique_ptr<SplitFile> file_;
    std::string file_name_;
    std::string file_start_; // ISO 8601 time of its name, for the ledger and on_file_closed
    double file_start_utc_ = 0;
    bool file_told_ = false; // its file_opened went to the ledger
    double file_first_media_ = 0;
    double file_audio_ = 0;
    double next_boundary_ = 0;
    std::optional<double> pending_boundary_; // the boundary the previous file ended on
    double last_sync_mono_ = 0;
    int rate_ = 0;
    Listener* listener_ = nullptr;
};

} // namespace isr::rec
