#include "recorder/writer/splitter.hpp"

#include "common/strings.hpp"

#include <algorithm>
#include <cmath>

namespace isr::rec {

Splitter::Splitter(const SourceConfig& cfg, const Logger& log, std::shared_ptr<SourceState> state,
                   std::shared_ptr<const FileNamer> namer, std::shared_ptr<DiskFailure> disk)
    : log_(log), state_(std::move(state)), namer_(std::move(namer)), disk_(std::move(disk)),
      folder_(cfg.output_directory) {}

Splitter::~Splitter() {
    close();
}

bool Splitter::open(double media, double utc, double now_mono, std::string_view extension,
                    const Opener& open) {
    if (disk_->waiting(now_mono))
        return false; // dropped: the disk's gap measures it
    // Named after the boundary it starts on; after a gap (disk trouble, a clock step, a new
    // connection) after its first audio instead.
    double start = utc;
    if (pending_boundary_ && std::abs(utc - *pending_boundary_) < 2.0)
        start = *pending_boundary_;
    try {
        auto created = namer_->create(start, extension);
        auto name = namer_->relative(created.path);
        file_ = open(std::move(created));
        file_name_ = std::move(name);
        if (listener_)
            listener_->file_opened(file_->path(), file_name_, utc);
    } catch (const std::exception& e) {
        file_.reset();
        disk_->failed(e, media, log_);
        return false;
    }
    pending_boundary_.reset();
    folder_.file_opened();
    file_first_media_ = media;
    file_audio_ = 0;
    next_boundary_ = namer_->next_boundary(start);
    disk_->resumed(media);
    file_start_ = namer_->timestamp(start);
    file_start_utc_ = start;
    // While the disk fails, every retry opens a file: the summary names the one that works.
    file_told_ = !disk_->active();
    if (disk_->active()) {
        log_.debug("trying ", file_name_);
    } else {
        log_.info("recording to ", file_name_);
        state_->events().file_opened(file_name_, file_start_);
    }
    state_->file_started(file_name_, file_start_, !disk_->active());
    return true;
}

std::optional<double> Splitter::boundary_in(double utc, double seconds) const noexcept {
    const double until = next_boundary_ - utc;
    if (until < seconds)
        return std::max(0.0, until);
    return std::nullopt;
}

std::size_t Splitter::frames_before_boundary(double utc, std::size_t frames,
                                             int rate) const noexcept {
    const auto until = boundary_in(utc, static_cast<double>(frames) / rate);
    if (!until)
        return frames;
    // A frame a rounding error after the boundary still belongs to the next file.
    const auto n = static_cast<std::size_t>(std::ceil(*until * rate - 1e-6));
    return std::min(n, frames);
}

void Splitter::cut() {
    pending_boundary_ = next_boundary_;
    close();
}

void Splitter::end_file() {
    close();
    pending_boundary_.reset();
}

void Splitter::skip_boundary() {
    next_boundary_ = namer_->next_boundary(next_boundary_);
}

double Splitter::close() noexcept {
    if (!file_)
        return 0;
    const auto written = file_->bytes(); // before close too: a writer may reset it then
    const auto error = file_->close();
    const auto kept = file_->seconds_on_disk();
    const auto path = file_->path();
    const auto written_at_close = std::max(written, file_->bytes());
    file_.reset();
    if (listener_) {
        if (error)
            listener_->file_lost(path);
        else
            listener_->file_closed(path, kept);
    }
    // What the file holds on disk, headers finalized (what was written, if it is gone).
    std::error_code size_error;
    const std::uintmax_t on_disk = kept > 0 ? std::filesystem::file_size(path, size_error) : 0;
    const std::uint64_t bytes = std::max<std::uint64_t>(size_error ? 0 : on_disk, written_at_close);
    state_->update([&](SourceStatus& s) {
        set_file_bytes(s, bytes); // what was written since the last tick counts too
        if (kept > 0)
            ++s.files;
    });
    if (kept > 0)
        log_.debug("closed ", path.string(), " (", fixed(kept, 3), " s)");
    // A file with no audio is removed by its writer: it was never a recording.
    if (kept > 0 || file_told_)
        state_->events().file_closed(path, file_name_, file_start_, kept, kept > 0 ? bytes : 0,
                                     rate_);
    if (error) {
        // The last of the file could not be written: as lost as any other write.
        disk_->failed(std::system_error(error, "write " + path.string()), file_first_media_ + kept,
                      log_);
    }
    return kept;
}

void Splitter::write_failed(const std::exception& e) {
    const auto first = file_first_media_;
    const auto kept = close();
    disk_->failed(e, first + kept, log_);
}

void Splitter::file_deleted() {
    const auto message = folder_.deleted(file_name_, file_audio_);
    (void)file_->close(); // its name is gone: nothing is removed, and it counts as no file
    if (listener_)
        listener_->file_lost(file_->path());
    file_.reset();
    state_->add_lost_seconds(file_audio_, rate_);
    state_->events().gap("file_deleted", file_start_utc_, file_audio_, message);
    log_.error(message);
    state_->notice(message);
    state_->update([](SourceStatus& s) { s.file.reset(); });
}

void Splitter::count_loss(double media_now) noexcept {
    state_->add_lost_seconds(disk_->take_lost(media_now), rate_);
}

void Splitter::tick(double now_mono, double media_now) {
    // As cheap as the flush: a file whose name is gone takes audio nobody keeps.
    if (file_ && file_->deleted())
        file_deleted();
    if (file_) {
        try {
            if (now_mono - last_sync_mono_ >= kSyncIntervalSeconds) {
                last_sync_mono_ = now_mono;
                file_->sync();
            } else {
                file_->flush();
            }
            disk_->flushed(log_, file_name_, file_->seconds_on_disk() > 0);
        } catch (const std::exception& e) {
            write_failed(e);
        }
    }
    count_loss(media_now);
}

void Splitter::end_session(double media_end) {
    close();
    disk_->session_ended(media_end);
    count_loss(media_end);
    state_->update([](SourceStatus& s) { s.file.reset(); });
}

} // namespace isr::rec
