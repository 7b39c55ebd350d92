// StreamSession's file side: the audio clock, splits, runts, writing and its failures.
#include "recorder/stream/stream_session.hpp"

#include "common/clock.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"

#include <algorithm>
#include <cmath>

namespace isr::rec {

namespace {

constexpr double kSyncIntervalSeconds = 5.0;
// Beyond this, held frames are written anyway (a very high-rate stream or a huge burst).
constexpr std::size_t kMaxHeldBytes = 8 << 20;

} // namespace

double StreamSession::min_file_seconds() const noexcept {
    // ffmpeg recognises MP3 and ADTS after a few frames; a second is plenty, and a quarter of
    // the split interval keeps very short splits (1 s) regular.
    return std::min(1.0, static_cast<double>(cfg_.split.seconds) / 4);
}

void StreamSession::count_loss() noexcept {
    const int rate = framer_ ? framer_->info().sample_rate : 0;
    state_->add_lost_seconds(disk_->take_lost(media_seconds_), rate);
}

void StreamSession::deliver(std::vector<framing::Unit>& units, double arrival, bool last) {
    for (const auto& unit : units)
        media_framed_ += unit.gap_before + unit.duration;
    if (!units.empty())
        clock_.observe(media_framed_, arrival);
    if (!last && !clock_.settled(arrival) && held_bytes_ < kMaxHeldBytes) {
        for (auto& unit : units) {
            held_bytes_ += unit.bytes.size();
            held_.push_back(std::move(unit));
        }
        return;
    }
    for (auto& unit : held_)
        handle(unit);
    held_.clear();
    held_bytes_ = 0;
    for (auto& unit : units)
        handle(unit);
}

void StreamSession::handle(framing::Unit& unit) {
    if (unit.starts_stream) {
        // A chained stream with another codec (Vorbis after Opus, say) needs a file of its
        // own: another extension, and its own headers first.
        const bool changed =
            writer_ && !unit.codec.empty() && !file_codec_.empty() && unit.codec != file_codec_;
        if (changed) {
            merge_pending();
            log_.warning("the stream changed from ", file_codec_, " to ", unit.codec,
                         " (a new stream in the Ogg chain); recording goes on in a new file");
            close_file();
            pending_boundary_.reset();
        }
        stream_codec_ = unit.codec;
    }
    // Audio that junk replaced: the clock skips it, so that what follows is placed (and split)
    // at its real time. It goes into no file.
    media_seconds_ += unit.gap_before;
    const double start_media = media_seconds_;
    const double start_wall = clock_.mono_at(start_media) + wall_minus_mono_;
    if (unit.is_header) {
        // Mid-stream headers (a chained Ogg stream) belong to the file being written; the framer
        // also keeps them for the next file.
        if (cutting_) {
            pending_.push_back({std::move(unit), start_media, start_wall});
        } else if (writer_) {
            framer_->adapt(unit);
            try {
                writer_->write(unit.bytes, false);
            } catch (const std::exception& e) {
                write_failed(e);
            }
        }
        return;
    }
    media_seconds_ += unit.duration;
    audio_bytes_ += unit.bytes.size();
    if (cutting_) {
        pending_audio_ += unit.duration;
        pending_.push_back({std::move(unit), start_media, start_wall});
        if (pending_audio_ >= min_file_seconds())
            complete_cut();
        return;
    }
    // Cut at the frame boundary nearest to the split time.
    if (writer_ && unit.cut_ok && start_wall + unit.duration / 2 > next_boundary_utc_) {
        if (file_audio_ < min_file_seconds()) {
            // A file of a frame or two (a split right after connecting) would be a runt that
            // ffmpeg cannot even recognise: this file takes the audio up to the next boundary.
            log_.debug("no split at ", namer_->timestamp(next_boundary_utc_), ": ", file_relative_,
                       " holds only ", fixed(file_audio_, 3), " s");
            next_boundary_utc_ = namer_->next_boundary(next_boundary_utc_);
        } else {
            // The new file opens once it has enough audio not to be a runt either: if the
            // connection ends before, that audio goes to this file (merge_pending).
            pending_boundary_ = next_boundary_utc_;
            cutting_ = true;
            pending_audio_ = unit.duration;
            pending_.push_back({std::move(unit), start_media, start_wall});
            if (pending_audio_ >= min_file_seconds())
                complete_cut();
            return;
        }
    }
    write_unit(unit, start_media, start_wall);
}

void StreamSession::write_unit(framing::Unit& unit, double start_media, double start_wall) {
    if (!writer_) {
        if (disk_->waiting(mono_now()))
            return; // dropped: the disk's gap measures it
        try {
            open_file(unit, start_wall, start_media);
        } catch (const std::exception& e) {
            disk_->failed(e, start_media, log_);
            return;
        }
    }
    framer_->adapt(unit);
    try {
        writer_->write(unit.bytes, true, unit.duration);
        file_audio_ += unit.duration;
    } catch (const std::exception& e) {
        write_failed(e);
    }
}

void StreamSession::write_pending(std::vector<PendingUnit>& pending) {
    for (auto& p : pending) {
        if (!p.unit.is_header) {
            write_unit(p.unit, p.start_media, p.start_wall);
        } else if (writer_) {
            framer_->adapt(p.unit);
            try {
                writer_->write(p.unit.bytes, false);
            } catch (const std::exception& e) {
                write_failed(e);
            }
        }
    }
}

void StreamSession::complete_cut() {
    cutting_ = false;
    auto pending = std::move(pending_);
    pending_.clear();
    pending_audio_ = 0;
    close_file();
    write_pending(pending);
}

void StreamSession::merge_pending() {
    if (!cutting_)
        return;
    cutting_ = false;
    pending_boundary_.reset();
    next_boundary_utc_ = namer_->next_boundary(next_boundary_utc_);
    auto pending = std::move(pending_);
    pending_.clear();
    pending_audio_ = 0;
    write_pending(pending);
}

void StreamSession::open_file(const framing::Unit& first, double unit_wall, double unit_media) {
    double start = unit_wall;
    if (pending_boundary_ && std::abs(unit_wall - *pending_boundary_) < 2.0)
        start = *pending_boundary_;
    pending_boundary_.reset();
    auto created = namer_->create(start, framer_->extension());
    const auto relative = namer_->relative(created.path);
    auto writer = std::make_unique<ByteFileWriter>(std::move(created));
    writer->write(framer_->begin_file(first), false);
    writer_ = std::move(writer);
    folder_.file_opened();
    file_relative_ = relative;
    file_first_media_ = unit_media;
    file_audio_ = 0;
    file_codec_ = stream_codec_.empty() ? framer_->info().codec : stream_codec_;
    next_boundary_utc_ = namer_->next_boundary(start);
    disk_->resumed(unit_media);
    // While the disk fails, every retry opens a file: the summary names the one that works.
    if (disk_->active())
        log_.debug("trying ", relative);
    else
        log_.info("recording to ", relative);
    const auto format = framer_->extension().substr(1); // an Ogg chain may change it
    state_->update([&](SourceStatus& s) { s.format = format; });
    state_->file_started(relative, namer_->timestamp(start), !disk_->active());
}

double StreamSession::close_file() noexcept {
    if (!writer_)
        return 0;
    const auto error = writer_->close();
    const auto kept = writer_->audio_seconds_flushed();
    const bool any = writer_->audio_bytes_flushed() > 0;
    const auto path = writer_->path();
    writer_.reset();
    if (any)
        state_->update([](SourceStatus& s) { ++s.files; });
    if (error) {
        // The last second of the file could not be written: as lost as any other write.
        disk_->failed(std::system_error(error, "write " + path.string()), file_first_media_ + kept,
                      log_);
    }
    return kept;
}

void StreamSession::write_failed(const std::exception& e) {
    const auto first = file_first_media_;
    const auto kept = close_file();
    disk_->failed(e, first + kept, log_);
}

void StreamSession::file_deleted() {
    const auto seconds = file_audio_;
    const auto message = folder_.deleted(file_relative_, seconds);
    (void)writer_->close(); // its name is gone: nothing is removed, and it counts as no file
    writer_.reset();
    state_->add_lost_seconds(seconds, framer_ ? framer_->info().sample_rate : 0);
    log_.error(message);
    state_->notice(message);
    state_->update([](SourceStatus& s) { s.file.reset(); });
}

void StreamSession::every_second(double now_mono) {
    last_tick_mono_ = now_mono;
    if (const auto line = titles_.tick(now_mono))
        log_.info(*line);
    if (junk_unlogged_ > 0 && junk_log_.allow())
        report_junk(true);
    // Once a second, as cheap as the flush: a file whose name is gone takes audio nobody keeps.
    if (writer_ && writer_->deleted())
        file_deleted();
    if (writer_) {
        // At most a second of audio waits in memory; every few seconds it is forced to disk.
        try {
            if (now_mono - last_sync_mono_ >= kSyncIntervalSeconds) {
                last_sync_mono_ = now_mono;
                writer_->sync();
            } else {
                writer_->flush();
            }
            disk_->flushed(log_, file_relative_, writer_->audio_bytes_flushed() > 0);
        } catch (const std::exception& e) {
            write_failed(e);
        }
    }
    count_loss();
    const auto bytes = writer_ ? writer_->bytes() : 0;
    const auto kbps =
        media_seconds_ > 1 ? static_cast<double>(audio_bytes_) * 8 / media_seconds_ / 1000 : 0.0;
    state_->update([&](SourceStatus& s) {
        s.bytes = bytes;
        s.last_data = iso8601_now();
        if (kbps > 0)
            s.bitrate_kbps = kbps;
    });
}

} // namespace isr::rec
