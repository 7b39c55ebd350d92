#include "recorder/replay/stream_replay.hpp"

#include "common/strings.hpp"
#include "recorder/source_runner.hpp"
#include "recorder/writer/byte_file_writer.hpp"

#include <algorithm>
#include <chrono>

namespace isr::rec {

StreamReplay::StreamReplay(const SourceConfig& cfg, SaveFileCreator create)
    : source_(cfg.name), seconds_(cfg.replay_seconds), create_(std::move(create)) {}

void StreamReplay::start(const std::string& format) {
    std::lock_guard lock(mutex_);
    segment_ = std::make_shared<Segment>();
    segment_->format = format;
    entries_.clear();
    bytes_ = 0;
}

void StreamReplay::add(const framing::Unit& unit, double utc) {
    std::lock_guard lock(mutex_);
    if (!segment_)
        return;
    if (unit.is_header) {
        if (unit.starts_stream && !entries_.empty()) {
            // A new stream in the chain: its audio needs its own headers.
            auto next = std::make_shared<Segment>();
            next->format = segment_->format;
            segment_ = std::move(next);
            entries_.clear();
            bytes_ = 0;
        }
        segment_->headers.push_back(std::make_shared<const framing::Unit>(unit));
        return;
    }
    if (unit.starts_stream)
        segment_->headers.clear(); // a stream without headers of its own (MP3 after AAC)
    entries_.push_back({std::make_shared<const framing::Unit>(unit), utc, next_index_++});
    bytes_ += unit.bytes.size();
    evict();
}

double StreamReplay::end_utc() const {
    if (entries_.empty())
        return 0;
    return entries_.back().utc + entries_.back().unit->duration;
}

void StreamReplay::evict() {
    const double oldest = end_utc() - seconds_ - 1;
    const auto max_bytes = static_cast<std::size_t>((seconds_ + 1) * kMaxBytesPerSecond);
    while (!entries_.empty() && (entries_.front().utc < oldest || bytes_ > max_bytes)) {
        bytes_ -= entries_.front().unit->bytes.size();
        entries_.pop_front();
    }
}

double StreamReplay::seconds_held() const {
    std::lock_guard lock(mutex_);
    return entries_.empty() ? 0 : end_utc() - entries_.front().utc;
}

SavedClip StreamReplay::save(const SaveOptions& options, std::stop_token stop) {
    double trigger = 0;
    {
        std::lock_guard lock(mutex_);
        if (entries_.empty())
            throw ReplayError(cat(source_, " has received no audio yet"));
        trigger = end_utc();
    }
    const double until = trigger + options.post_seconds;
    if (options.post_seconds > 0) {
        // Polled, as for PCM: the session's thread does not pay for waking savers.
        double reached = trigger;
        auto last_progress = std::chrono::steady_clock::now();
        while (reached < until) {
            if (!sleep_for(0.01, stop))
                throw ReplayError("isrd is stopping; the save was abandoned");
            double now_end = 0;
            {
                std::lock_guard lock(mutex_);
                now_end = end_utc();
            }
            const auto now = std::chrono::steady_clock::now();
            if (now_end > reached) {
                reached = now_end;
                last_progress = now;
            } else if (now - last_progress > std::chrono::duration<double>(kPostGraceSeconds)) {
                break; // the stream stopped: save what came
            }
        }
    }

    // The units: those whose middle lies in [from, until] — every unit whole, the ends within
    // half a frame or page of what was asked.
    std::shared_ptr<Segment> segment;
    std::vector<Entry> picked;
    unsigned counter = 0;
    {
        std::lock_guard lock(mutex_);
        const double from = options.seconds ? trigger - *options.seconds : -1e300;
        const bool after_last = options.since_last && saved_before_;
        for (const auto& e : entries_) {
            const double middle = e.utc + e.unit->duration / 2;
            if (middle < from || middle > until || (after_last && e.index < last_end_))
                continue;
            picked.push_back(e);
        }
        if (picked.empty()) {
            throw ReplayError(options.since_last ? cat(source_, " has no audio since the last save")
                                                 : cat(source_, " has no audio to save"));
        }
        segment = segment_;
        last_end_ = std::max(last_end_, picked.back().index + 1);
        saved_before_ = true;
        counter = ++counter_;
    }
    // A whole file again: first the unit cut where a file may start.
    while (!picked.empty() && !picked.front().unit->cut_ok)
        picked.erase(picked.begin());
    if (picked.empty())
        throw ReplayError(cat(source_, " has no complete audio to save yet"));

    // A fresh framer writes the headers and rebases granules as it does for recordings.
    auto framer = framing::make_framer(segment->format);
    if (!framer)
        throw ReplayError(cat(source_, ": cannot save ", segment->format, " audio"));
    for (const auto& h : segment->headers)
        framer->push(h->bytes);
    for (const auto& e : picked)
        framer->push(e.unit->bytes);
    std::vector<framing::Unit> units;
    while (auto u = framer->next())
        units.push_back(std::move(*u));
    while (auto u = framer->flush())
        units.push_back(std::move(*u));
    const auto first = std::find_if(units.begin(), units.end(),
                                    [](const framing::Unit& u) { return !u.is_header; });
    if (first == units.end())
        throw ReplayError(cat(source_, " has no complete audio to save yet"));

    double seconds = 0;
    for (auto it = first; it != units.end(); ++it)
        seconds += it->is_header ? 0 : it->duration;
    SaveName name;
    name.source = source_;
    name.label = options.label;
    name.start_utc = picked.front().utc;
    name.seconds = seconds;
    name.counter = counter;
    name.extension = framer->extension();
    auto created = create_(name);
    SavedClip saved{created.path, seconds, picked.front().utc};
    ByteFileWriter writer(std::move(created));
    try {
        writer.write(framer->begin_file(*first), false);
        for (auto it = first; it != units.end(); ++it) {
            if (it->is_header)
                continue; // the file's headers came from begin_file
            framer->adapt(*it);
            writer.write(it->bytes, true, it->duration);
        }
        writer.sync();
        if (const auto error = writer.close())
            throw std::system_error(error, "write " + saved.path.string());
    } catch (const std::exception& e) {
        (void)writer.close();
        std::error_code ignored;
        std::filesystem::remove(saved.path, ignored);
        throw ReplayError(cat("cannot write ", saved.path.string(), ": ", e.what()));
    }
    return saved;
}

} // namespace isr::rec
