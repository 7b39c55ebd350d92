#include "recorder/pcm/pcm_session.hpp"

#include "common/clock.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"

#include <algorithm>
#include <cmath>

namespace isr::rec {

PcmSession::PcmSession(const SourceConfig& cfg, std::unique_ptr<PcmSource> source,
                       std::shared_ptr<SourceState> state, std::shared_ptr<const FileNamer> namer)
    : cfg_(cfg), log_(cfg.name, cfg.log_level), source_(std::move(source)),
      state_(std::move(state)), namer_(std::move(namer)), disk_(cfg, "audio is being dropped") {
    spec_.format = cfg.format;
    spec_.bit_depth = cfg.bit_depth;
    spec_.compression_level = cfg.compression_level;
}

PcmSession::~PcmSession() { close_file(); }

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
        if (r.frames == 0) continue;
        wall_minus_mono_ = wall_minus_mono();
        const double rate = spec_.rate;
        if (r.overrun) {
            // Frames were dropped before this read: advance media time by the gap so the
            // clock (and the splits) stay on the wall clock.
            const double end = static_cast<double>(media_frames_ + r.frames + r.pending) / rate;
            const auto lost = static_cast<std::uint64_t>(std::llround(clock_.gap(end, r.mono_seconds) * rate));
            media_frames_ += lost;
            lost_frames_ += lost;
        }
        clock_.observe(static_cast<double>(media_frames_ + r.frames + r.pending) / rate, r.mono_seconds);
        if (!started_) {
            started_ = true;
            state_->recording();
        }
        const auto samples = std::span<const std::int32_t>(buffer).first(r.frames * static_cast<std::size_t>(spec_.channels));
        meter_->add(samples, spec_.channels);
        process(samples, r.frames);
        media_frames_ += r.frames;
        const double now = mono_now();
        if (now - last_tick_mono_ >= 1.0) every_second(now);
    }
    close_file();
    state_->update([&](SourceStatus& s) { s.file.reset(); });
}

void PcmSession::process(std::span<const std::int32_t> samples, std::size_t frames) {
    const auto ch = static_cast<std::size_t>(spec_.channels);
    std::size_t offset = 0;
    while (offset < frames) {
        const std::uint64_t frame = media_frames_ + offset;
        if (disk_.waiting(mono_now())) {
            disk_.dropped(seconds_of(frames - offset));
            return;
        }
        if (!writer_) {
            try {
                open_file(frame);
            } catch (const std::exception& e) {
                disk_failed(e, frames - offset);
                return;
            }
        }
        const auto boundary_frame = frame_of_wall(next_boundary_utc_);
        if (boundary_frame <= frame) {
            pending_boundary_ = next_boundary_utc_;
            close_file();
            continue;
        }
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(frames - offset, boundary_frame - frame));
        try {
            writer_->write(samples.subspan(offset * ch, n * ch));
        } catch (const std::exception& e) {
            close_file();
            disk_failed(e, frames - offset);
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
    if (pending_boundary_ && std::abs(frame_wall - *pending_boundary_) < 2.0) start = *pending_boundary_;
    pending_boundary_.reset();
    auto created = namer_->create(start, PcmFileWriter::extension(spec_.format));
    const auto relative = namer_->relative(created.path);
    writer_ = std::make_unique<PcmFileWriter>(std::move(created), spec_);
    file_start_utc_ = start;
    next_boundary_utc_ = namer_->next_boundary(start);
    if (disk_.active()) lost_frames_ += static_cast<std::uint64_t>(std::llround(disk_.recovered(log_) * spec_.rate));
    log_.info("recording to ", relative);
    state_->file_started(relative, namer_->timestamp(start));
}

void PcmSession::close_file() noexcept {
    if (!writer_) return;
    const auto frames = writer_->frames();
    const auto path = writer_->path();
    writer_->close();
    writer_.reset();
    if (frames > 0) {
        ++files_done_;
        log_.debug("closed ", path.string(), " (", fixed(static_cast<double>(frames) / spec_.rate, 3), " s)");
    }
    state_->update([&](SourceStatus& s) {
        if (frames > 0) ++s.files;
    });
}

void PcmSession::disk_failed(const std::exception& e, std::size_t dropped_frames) {
    disk_.failed(e, seconds_of(dropped_frames), log_, *state_);
}

void PcmSession::every_second(double now_mono) {
    last_tick_mono_ = now_mono;
    if (writer_) {
        try {
            writer_->flush();
        } catch (const std::exception& e) {
            close_file();
            disk_failed(e, 0);
        }
    }
    const auto level = meter_->last();
    const auto bytes = writer_ ? writer_->bytes() : 0;
    const auto xruns = source_->xruns();
    const auto lost = lost_frames_ + static_cast<std::uint64_t>(std::llround(disk_.lost_seconds() * spec_.rate));
    state_->update([&](SourceStatus& s) {
        s.bytes = bytes;
        s.last_data = iso8601_now();
        s.xruns = xruns;
        s.lost_frames = lost;
        if (level) {
            s.level_dbfs = level->rms_dbfs;
            s.peak_dbfs = level->peak_dbfs;
        }
    });
}

} // namespace isr::rec
