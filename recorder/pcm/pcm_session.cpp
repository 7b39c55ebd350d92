#include "recorder/pcm/pcm_session.hpp"

#include "common/clock.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"

#include <algorithm>
#include <cmath>

namespace isr::rec {

PcmSession::PcmSession(const SourceConfig& cfg, std::unique_ptr<PcmSource> source,
                       std::shared_ptr<SourceState> state, std::shared_ptr<const FileNamer> namer,
                       std::shared_ptr<DiskFailure> disk)
    : cfg_(cfg), log_(cfg.name, cfg.log_level), source_(std::move(source)),
      state_(std::move(state)), namer_(std::move(namer)), disk_(std::move(disk)),
      folder_(cfg.output_directory) {
    spec_.format = cfg.format;
    spec_.bit_depth = cfg.bit_depth;
    spec_.compression_level = cfg.compression_level;
}

PcmSession::~PcmSession() {
    finish();
}

double PcmSession::recorded_seconds() const noexcept {
    return spec_.rate > 0 ? static_cast<double>(media_frames_) / spec_.rate : 0.0;
}

double PcmSession::wall_of_frame(std::uint64_t frame) const {
    return clock_.mono_at(static_cast<double>(frame) / spec_.rate) + wall_minus_mono_;
}

std::uint64_t PcmSession::frame_of_wall(double wall) const {
    const double media = clock_.media_at(wall - wall_minus_mono_);
    return media <= 0 ? 0 : static_cast<std::uint64_t>(std::ceil(media * spec_.rate - 1e-6));
}

void PcmSession::run(std::stop_token stop) {
    source_->open();
    const auto fmt = source_->format();
    spec_.rate = fmt.rate;
    spec_.channels = fmt.channels;
    meter_.emplace(fmt.rate);
    state_->update([&](SourceStatus& s) {
        s.input = source_->describe();
        s.sample_rate = fmt.rate;
        s.channels = fmt.channels;
        s.format = spec_.format;
    });
    log_.info("capturing from ", source_->describe(), " at ", fmt.rate, " Hz, ", fmt.channels,
              fmt.channels == 1 ? " channel" : " channels", ", ", spec_.bit_depth, "-bit ",
              spec_.format);

    // Up to 250 ms per read: few wake-ups, still a responsive stop (reads wait at most 200 ms).
    std::vector<std::int32_t> buffer(static_cast<std::size_t>(std::max(1, fmt.rate / 4)) *
                                     static_cast<std::size_t>(fmt.channels));
    while (!stop.stop_requested()) {
        const auto r = source_->read(buffer, stop);
        if (r.frames == 0)
            continue;
        wall_minus_mono_ = wall_minus_mono();
        const double rate = spec_.rate;
        if (r.overrun) {
            // Frames were dropped before this read: advance media time by the gap so the
            // clock (and the splits) stay on the wall clock.
            const double end = static_cast<double>(media_frames_ + r.frames + r.pending) / rate;
            const auto lost =
                static_cast<std::uint64_t>(std::llround(clock_.gap(end, r.mono_seconds) * rate));
            media_frames_ += lost;
            // Frames lost while the disk fails are inside the disk's gap already.
            if (!disk_->gap_open())
                state_->add_lost_frames(lost, spec_.rate);
        }
        clock_.observe(static_cast<double>(media_frames_ + r.frames + r.pending) / rate,
                       r.mono_seconds);
        if (!started_) {
            started_ = true;
            state_->recording();
        }
        const auto samples = std::span<const std::int32_t>(buffer).first(
            r.frames * static_cast<std::size_t>(spec_.channels));
        meter_->add(samples, spec_.channels);
        process(samples, r.frames);
        media_frames_ += r.frames;
        const double now = mono_now();
        if (now - last_tick_mono_ >= 1.0)
            every_second(now);
    }
    finish();
}

void PcmSession::finish() noexcept {
    if (finished_)
        return;
    finished_ = true;
    close_file();
    if (spec_.rate > 0)
        disk_->session_ended(seconds_of(media_frames_));
    count_loss();
    state_->update([&](SourceStatus& s) { s.file.reset(); });
}

void PcmSession::count_loss() noexcept {
    if (spec_.rate <= 0)
        return;
    const auto lost = disk_->take_lost(seconds_of(media_frames_));
    state_->add_lost_frames(static_cast<std::uint64_t>(std::llround(lost * spec_.rate)),
                            spec_.rate);
}

void PcmSession::process(std::span<const std::int32_t> samples, std::size_t frames) {
    const auto ch = static_cast<std::size_t>(spec_.channels);
    std::size_t offset = 0;
    while (offset < frames) {
        const std::uint64_t frame = media_frames_ + offset;
        if (!writer_) {
            if (disk_->waiting(mono_now()))
                return; // dropped: the disk's gap measures it
            try {
                open_file(frame);
            } catch (const std::exception& e) {
                disk_->failed(e, seconds_of(frame), log_);
                return;
            }
        }
        const auto boundary_frame = frame_of_wall(next_boundary_utc_);
        if (boundary_frame <= frame) {
            pending_boundary_ = next_boundary_utc_;
            close_file();
            continue;
        }
        const auto n = static_cast<std::size_t>(
            std::min<std::uint64_t>(frames - offset, boundary_frame - frame));
        try {
            writer_->write(samples.subspan(offset * ch, n * ch));
        } catch (const std::exception& e) {
            write_failed(e);
            return;
        }
        offset += n;
    }
}

void PcmSession::open_file(std::uint64_t first_frame) {
    const double frame_wall = wall_of_frame(first_frame);
    // Name the file after the boundary it starts on; after a gap (disk trouble, a clock step)
    // name it after its first frame instead.
    double start = frame_wall;
    if (pending_boundary_ && std::abs(frame_wall - *pending_boundary_) < 2.0)
        start = *pending_boundary_;
    pending_boundary_.reset();
    auto created = namer_->create(start, PcmFileWriter::extension(spec_.format));
    const auto relative = namer_->relative(created.path);
    writer_ = std::make_unique<PcmFileWriter>(std::move(created), spec_);
    folder_.file_opened();
    file_relative_ = relative;
    file_first_frame_ = first_frame;
    next_boundary_utc_ = namer_->next_boundary(start);
    disk_->resumed(seconds_of(first_frame));
    // While the disk fails, every retry opens a file: the summary names the one that works.
    if (disk_->active())
        log_.debug("trying ", relative);
    else
        log_.info("recording to ", relative);
    state_->file_started(relative, namer_->timestamp(start), !disk_->active());
}

std::uint64_t PcmSession::close_file() noexcept {
    if (!writer_)
        return 0;
    const auto path = writer_->path();
    writer_->close();
    const auto kept = writer_->frames_kept();
    writer_.reset();
    if (kept > 0)
        log_.debug("closed ", path.string(), " (", fixed(seconds_of(kept), 3), " s)");
    state_->update([&](SourceStatus& s) {
        if (kept > 0)
            ++s.files;
    });
    return kept;
}

void PcmSession::write_failed(const std::exception& e) {
    const auto first = file_first_frame_;
    const auto kept = close_file();
    disk_->failed(e, seconds_of(first + kept), log_);
}

void PcmSession::file_deleted() {
    const auto frames = media_frames_ - file_first_frame_;
    const auto message = folder_.deleted(file_relative_, seconds_of(frames));
    writer_->close(); // its name is gone: nothing is removed, and it counts as no file
    writer_.reset();
    state_->add_lost_frames(frames, spec_.rate);
    log_.error(message);
    state_->notice(message);
    state_->update([](SourceStatus& s) { s.file.reset(); });
}

void PcmSession::every_second(double now_mono) {
    last_tick_mono_ = now_mono;
    // Once a second, as cheap as the flush: a file whose name is gone takes audio nobody keeps.
    if (writer_ && writer_->deleted())
        file_deleted();
    if (writer_) {
        try {
            writer_->flush();
            disk_->flushed(log_, file_relative_, writer_->frames_on_disk() > 0);
        } catch (const std::exception& e) {
            write_failed(e);
        }
    }
    count_loss();
    const auto level = meter_->last();
    const auto bytes = writer_ ? writer_->bytes() : 0;
    const auto xruns = source_->xruns();
    state_->update([&](SourceStatus& s) {
        s.bytes = bytes;
        s.last_data = iso8601_now();
        s.xruns = xruns;
        if (level) {
            s.level_dbfs = level->rms_dbfs;
            s.peak_dbfs = level->peak_dbfs;
        }
    });
}

} // namespace isr::rec
