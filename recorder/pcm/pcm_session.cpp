#include "recorder/pcm/pcm_session.hpp"

#include "common/clock.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "recorder/levels/pcm_to_float.hpp"

#include <algorithm>
#include <cmath>

namespace isr::rec {

PcmSession::PcmSession(const SourceConfig& cfg, std::unique_ptr<PcmSource> source,
                       std::shared_ptr<SourceState> state, std::shared_ptr<const FileNamer> namer,
                       std::shared_ptr<DiskFailure> disk, std::shared_ptr<PcmReplay> replay)
    : cfg_(cfg), log_(cfg.name, cfg.log_level), source_(std::move(source)),
      state_(std::move(state)), namer_(std::move(namer)), disk_(std::move(disk)),
      splitter_(cfg_, log_, state_, namer_, disk_), replay_(std::move(replay)) {
    spec_.format = cfg.format;
    spec_.bit_depth = cfg.bit_depth;
    spec_.compression_level = cfg.compression_level;
    if (cfg_.record && cfg_.live_events)
        live_.emplace(cfg_, state_, log_);
    if (cfg_.record && (cfg_.levels || live_)) {
        RecordingLevels::WindowSink sink;
        if (live_)
            sink = [this](float db) { level_window(db); };
        levels_.emplace(cfg_.levels ? cfg_.analyses_directory : std::filesystem::path(), log_,
                        std::move(sink));
        splitter_.set_listener(this);
    }
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

void PcmSession::run(std::stop_token stop) {
    source_->open();
    const auto fmt = source_->format();
    spec_.rate = fmt.rate;
    spec_.channels = fmt.channels;
    meter_.emplace(fmt.rate);
    splitter_.set_rate(fmt.rate);
    window_frames_ = window_frames_at(fmt.rate);
    if (replay_)
        replay_->ring().start({fmt.rate, fmt.channels, spec_.bit_depth});
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
        // Each read returns within AlsaSource::kStallSeconds (10 s), with audio or a timeout.
        state_->alive();
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
            // Frames lost while the disk fails are inside the disk's gap already.
            if (!disk_->gap_open()) {
                state_->add_lost_frames(lost, spec_.rate);
                overrun(wall_of_frame(media_frames_), seconds_of(lost));
            }
            media_frames_ += lost;
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
        const double now = mono_now();
        if (replay_)
            replay_->ring().write(samples, r.frames, wall_of_frame(media_frames_));
        if (cfg_.record)
            process(samples, r.frames, now);
        media_frames_ += r.frames;
        if (now - last_tick_mono_ >= 1.0)
            every_second(now);
    }
    finish();
}

void PcmSession::finish() noexcept {
    if (finished_)
        return;
    finished_ = true;
    splitter_.end_session(seconds_of(media_frames_));
    if (live_)
        live_->finish();
    flush_overruns(true);
}

void PcmSession::file_opened(const std::filesystem::path& path, const std::string& name,
                             double /*start_utc: its frames are timed exactly instead*/) {
    levels_first_ = opening_frame_;
    levels_windows_ = 0;
    levels_->begin(path, name, spec_.rate, spec_.channels);
}

void PcmSession::file_closed(const std::filesystem::path&, double seconds) {
    levels_->end(std::llround(seconds * spec_.rate));
}

void PcmSession::file_lost(const std::filesystem::path&) {
    levels_->abandon();
}

void PcmSession::add_levels(std::span<const std::int32_t> samples, std::size_t frames) {
    if (!levels_ || !levels_->active())
        return;
    if (levels_buffer_.size() < samples.size())
        levels_buffer_.resize(samples.size());
    pcm_to_float(samples, spec_.bit_depth, levels_buffer_);
    levels_->add(levels_buffer_.data(), frames);
}

void PcmSession::level_window(float db) {
    const auto first = levels_first_ + levels_windows_ * static_cast<std::uint64_t>(window_frames_);
    ++levels_windows_;
    live_->add(db, wall_of_frame(first));
}

void PcmSession::overrun(double start_wall, double seconds) {
    if (overruns_ && start_wall - overruns_->end_wall < 1.0) {
        overruns_->end_wall = start_wall + seconds;
        overruns_->lost += seconds;
        ++overruns_->count;
        return;
    }
    flush_overruns(true);
    overruns_ = Overruns{start_wall, start_wall + seconds, seconds, 1};
}

void PcmSession::flush_overruns(bool force) {
    if (!overruns_)
        return;
    const double now = wall_now();
    if (!force && now - overruns_->end_wall < 1.0 && now - overruns_->start_wall < 60.0)
        return;
    const auto& o = *overruns_;
    state_->events().gap("overrun", o.start_wall, o.lost,
                         o.count == 1 ? std::string("audio was not read in time (an xrun)")
                                      : cat(o.count, " overruns within ",
                                            fixed(o.end_wall - o.start_wall, 1),
                                            " s: audio was not read in time"));
    overruns_.reset();
}

void PcmSession::process(std::span<const std::int32_t> samples, std::size_t frames,
                         double now_mono) {
    const auto ch = static_cast<std::size_t>(spec_.channels);
    const auto extension = PcmFileWriter::extension(spec_.format);
    const auto open = [&](CreatedFile created) {
        return std::make_unique<PcmFileWriter>(std::move(created), spec_);
    };
    std::size_t offset = 0;
    while (offset < frames) {
        const std::uint64_t frame = media_frames_ + offset;
        const double wall = wall_of_frame(frame);
        opening_frame_ = frame;
        if (!splitter_.file() &&
            !splitter_.open(seconds_of(frame), wall, now_mono, extension, open))
            return; // dropped: the disk's gap measures it
        const auto n = splitter_.frames_before_boundary(wall, frames - offset, spec_.rate);
        if (n == 0) {
            splitter_.cut();
            continue;
        }
        splitter_.write(seconds_of(n), [&](SplitFile& file) {
            const auto part = samples.subspan(offset * ch, n * ch);
            static_cast<PcmFileWriter&>(file).write(part);
            add_levels(part, n); // only what the file took
        });
        if (!splitter_.file())
            return; // the write failed: the rest of the read is lost with it
        offset += n;
    }
}

void PcmSession::every_second(double now_mono) {
    last_tick_mono_ = now_mono;
    flush_overruns(false);
    splitter_.tick(now_mono, seconds_of(media_frames_));
    const auto level = meter_->last();
    const auto bytes = splitter_.bytes();
    const auto xruns = source_->xruns();
    state_->heard(level ? std::optional<double>(level->rms_dbfs) : std::nullopt, now_mono);
    state_->update([&](SourceStatus& s) {
        set_file_bytes(s, bytes);
        s.last_data = iso8601_now();
        s.xruns = xruns;
        if (level) {
            s.level_dbfs = level->rms_dbfs;
            s.peak_dbfs = level->peak_dbfs;
        }
    });
}

} // namespace isr::rec
