#include "recorder/replay/stream_replay.hpp"

#include "common/strings.hpp"
#include "recorder/writer/byte_file_writer.hpp"

#include <algorithm>
#include <chrono>

namespace isr::rec {

StreamReplay::StreamReplay(const SourceConfig& cfg, SaveFileCreator create)
    : source_(cfg.name), seconds_(cfg.replay_seconds), create_(std::move(create)) {}

namespace {

// Where to start (or end) within a unit that `at` falls inside, `offset` seconds into it: its
// start, its end, or a split between packets (Ogg), whichever is nearest. The parts when split.
std::optional<std::pair<framing::Unit, framing::Unit>> best_split(const framing::Framer& framer,
                                                                  const framing::Unit& unit,
                                                                  double offset,
                                                                  bool& keep_whole_first) {
    keep_whole_first = offset < unit.duration / 2;
    auto parts = framer.split(unit, offset);
    if (parts &&
        std::abs(parts->first.duration - offset) < std::min(offset, unit.duration - offset))
        return parts;
    return std::nullopt;
}

} // namespace

void StreamReplay::trim(const framing::Framer& framer, std::vector<framing::Unit>& units,
                        double& start_utc, double from, double until) {
    // The head: the unit `from` falls in.
    if (from > start_utc && !units.empty()) {
        bool starts_before = false;
        auto parts = best_split(framer, units.front(), from - start_utc, starts_before);
        if (parts) {
            start_utc += parts->first.duration;
            units.front() = std::move(parts->second);
        } else if (!starts_before) {
            start_utc += units.front().duration;
            units.erase(units.begin());
        }
    }
    // The tail: the unit `until` falls in.
    double end = start_utc;
    for (const auto& u : units)
        end += u.duration;
    if (until < end && !units.empty()) {
        const double unit_start = end - units.back().duration;
        bool ends_before = false;
        auto parts = best_split(framer, units.back(), until - unit_start, ends_before);
        if (parts)
            units.back() = std::move(parts->first);
        else if (ends_before)
            units.pop_back();
    }
}

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
    entries_.push_back({std::make_shared<const framing::Unit>(unit), utc});
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
    const double until = wait_for_audio(
        trigger + options.post_seconds,
        [&] {
            std::lock_guard lock(mutex_);
            return end_utc();
        },
        stop);

    // The units that overlap [from, until], re-framed by a fresh framer of the stream's format
    // (which then writes the headers and rebases granules as it does for recordings), and
    // trimmed at both ends as exactly as the format allows.
    std::shared_ptr<Segment> segment;
    std::vector<Entry> picked;
    double from = 0;
    unsigned counter = 0;
    {
        std::lock_guard lock(mutex_);
        from = options.seconds ? trigger - *options.seconds : -1e300;
        if (options.since_last && last_end_utc_)
            from = options.seconds ? std::max(from, *last_end_utc_) : *last_end_utc_;
        for (const auto& e : entries_) {
            if (e.utc < until && e.utc + e.unit->duration > from)
                picked.push_back(e);
        }
        if (picked.empty()) {
            throw ReplayError(options.since_last ? cat(source_, " has no audio since the last save")
                                                 : cat(source_, " has no audio to save"));
        }
        segment = segment_;
        last_end_utc_ = std::max(last_end_utc_.value_or(until), until);
        counter = ++counter_;
    }
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
    std::erase_if(units, [](const framing::Unit& u) { return u.is_header; });
    double start_utc = picked.front().utc;
    if (units.size() == picked.size())
        trim(*framer, units, start_utc, from, until);
    // A file starts where a file may start.
    while (!units.empty() && !units.front().cut_ok) {
        start_utc += units.front().duration;
        units.erase(units.begin());
    }
    if (units.empty())
        throw ReplayError(cat(source_, " has no complete audio to save yet"));
    double seconds = 0;
    for (const auto& u : units)
        seconds += u.duration;
    SaveName name;
    name.source = source_;
    name.label = options.label;
    name.start_utc = start_utc;
    name.seconds = seconds;
    name.counter = counter;
    name.extension = framer->extension();
    auto created = create_(name);
    SavedClip saved{created.path, seconds, start_utc};
    ByteFileWriter writer(std::move(created));
    try {
        writer.write(framer->begin_file(units.front()), false);
        for (auto& u : units) {
            framer->adapt(u);
            writer.write(u.bytes, true, u.duration);
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
