// StreamSession's file side: the audio clock, splits, runts, writing and its failures.
#include "recorder/stream/stream_session.hpp"

#include "common/clock.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"

#include <algorithm>
#include <cmath>

namespace isr::rec {

namespace {

// Beyond this, held frames are written anyway (a very high-rate stream or a huge burst).
constexpr std::size_t kMaxHeldBytes = 8 << 20;

} // namespace

double StreamSession::min_file_seconds() const noexcept {
    // ffmpeg recognises MP3 and ADTS after a few frames; a second is plenty, and a quarter of
    // the split interval keeps very short splits (1 s) regular.
    return std::min(1.0, static_cast<double>(cfg_.split.seconds) / 4);
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
        const bool changed = splitter_.file() && !unit.codec.empty() && !file_codec_.empty() &&
                             unit.codec != file_codec_;
        if (changed) {
            merge_pending();
            log_.warning("the stream changed from ", file_codec_, " to ", unit.codec,
                         " (a new stream in the Ogg chain); recording goes on in a new file");
            splitter_.end_file();
        }
        stream_codec_ = unit.codec;
    }
    // Audio that junk replaced: the clock skips it, so that what follows is placed (and split)
    // at its real time. It goes into no file.
    media_seconds_ += unit.gap_before;
    const double start_media = media_seconds_;
    const double start_wall = clock_.mono_at(start_media) + wall_minus_mono_;
    if (replay_)
        replay_->add(unit, start_wall);
    if (!cfg_.record) {
        // Replay-only: the ring is all there is.
        media_seconds_ += unit.is_header ? 0 : unit.duration;
        return;
    }
    if (unit.is_header) {
        // Mid-stream headers (a chained Ogg stream) belong to the file being written; the framer
        // also keeps them for the next file.
        if (cutting_)
            pending_.push_back({std::move(unit), start_media, start_wall});
        else
            write_header(unit);
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
    // A boundary inside an Ogg page: the page is split between the packets nearest to it, when
    // that is nearer than either end of the page.
    const double boundary = splitter_.next_boundary();
    if (splitter_.file() && start_wall < boundary && boundary < start_wall + unit.duration &&
        splitter_.file_audio() >= min_file_seconds()) {
        const double at = boundary - start_wall;
        if (auto parts = framer_->split(unit, at);
            parts && std::abs(parts->first.duration - at) < std::min(at, unit.duration - at)) {
            const double first = parts->first.duration;
            write_unit(parts->first, start_media, start_wall);
            start_cut(std::move(parts->second), start_media + first, start_wall + first);
            return;
        }
    }
    // Else at the frame or page boundary nearest to the split time.
    if (splitter_.file() && unit.cut_ok && start_wall + unit.duration / 2 > boundary) {
        if (splitter_.file_audio() < min_file_seconds()) {
            // A file of a frame or two (a split right after connecting) would be a runt that
            // ffmpeg cannot even recognise: this file takes the audio up to the next boundary.
            log_.debug("no split at ", namer_->timestamp(boundary), ": ", splitter_.file_name(),
                       " holds only ", fixed(splitter_.file_audio(), 3), " s");
            splitter_.skip_boundary();
        } else {
            start_cut(std::move(unit), start_media, start_wall);
            return;
        }
    }
    write_unit(unit, start_media, start_wall);
}

void StreamSession::start_cut(framing::Unit unit, double start_media, double start_wall) {
    // The new file opens once it has enough audio not to be a runt either: if the connection
    // ends before, that audio goes to this file (merge_pending).
    cutting_ = true;
    pending_audio_ = unit.duration;
    pending_.push_back({std::move(unit), start_media, start_wall});
    if (pending_audio_ >= min_file_seconds())
        complete_cut();
}

void StreamSession::write_unit(framing::Unit& unit, double start_media, double start_wall) {
    if (!splitter_.file()) {
        std::vector<std::uint8_t> headers;
        const auto open = [&](CreatedFile created) {
            auto writer = std::make_unique<ByteFileWriter>(std::move(created));
            headers = framer_->begin_file(unit);
            writer->write(headers, false);
            return writer;
        };
        if (!splitter_.open(start_media, start_wall, mono_now(), framer_->extension(), open))
            return; // dropped: the disk's gap measures it
        // The levels decoder learns of the file only once it is open, after its headers.
        if (levels_)
            levels_->written(headers);
        file_codec_ = stream_codec_.empty() ? framer_->info().codec : stream_codec_;
        splitter_.set_rate(framer_->info().sample_rate);
        const auto format = framer_->extension().substr(1); // an Ogg chain may change it
        state_->update([&](SourceStatus& s) { s.format = format; });
    }
    framer_->adapt(unit);
    splitter_.write(unit.duration, [&](SplitFile& file) {
        static_cast<ByteFileWriter&>(file).write(unit.bytes, true, unit.duration);
        if (levels_)
            levels_->written(unit.bytes);
    });
}

void StreamSession::write_header(framing::Unit& unit) {
    if (!splitter_.file())
        return; // the next file starts with the framer's copy of the headers
    framer_->adapt(unit);
    splitter_.write(0, [&](SplitFile& file) {
        static_cast<ByteFileWriter&>(file).write(unit.bytes, false);
        if (levels_)
            levels_->written(unit.bytes);
    });
}

void StreamSession::write_pending(std::vector<PendingUnit>& pending) {
    for (auto& p : pending) {
        if (p.unit.is_header)
            write_header(p.unit);
        else
            write_unit(p.unit, p.start_media, p.start_wall);
    }
}

void StreamSession::complete_cut() {
    cutting_ = false;
    auto pending = std::move(pending_);
    pending_.clear();
    pending_audio_ = 0;
    splitter_.cut();
    write_pending(pending);
}

void StreamSession::merge_pending() {
    if (!cutting_)
        return;
    cutting_ = false;
    splitter_.skip_boundary();
    auto pending = std::move(pending_);
    pending_.clear();
    pending_audio_ = 0;
    write_pending(pending);
}

void StreamSession::every_second(double now_mono) {
    last_tick_mono_ = now_mono;
    if (const auto line = titles_.tick(now_mono))
        log_.info(*line);
    if (junk_unlogged_ > 0 && junk_log_.allow())
        report_junk(true);
    // At most a second of audio waits in memory; every few seconds it is forced to disk.
    splitter_.tick(now_mono, media_seconds_);
    const auto bytes = splitter_.bytes();
    const auto kbps =
        media_seconds_ > 1 ? static_cast<double>(audio_bytes_) * 8 / media_seconds_ / 1000 : 0.0;
    state_->heard(std::nullopt, now_mono);
    state_->update([&](SourceStatus& s) {
        set_file_bytes(s, bytes);
        s.last_data = iso8601_now();
        if (kbps > 0)
            s.bitrate_kbps = kbps;
    });
}

} // namespace isr::rec
