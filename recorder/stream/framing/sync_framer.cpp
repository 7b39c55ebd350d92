#include "recorder/stream/framing/sync_framer.hpp"

#include <algorithm>

namespace isr::rec::framing {

void SyncFramer::push(std::span<const std::uint8_t> bytes) {
    buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

std::optional<Unit> SyncFramer::next() {
    // A cut may find only junk; the search then goes on from where it ended.
    for (;;) {
        const auto before = buffered().size();
        auto unit = find_next();
        if (unit || buffered().size() == before)
            return unit;
    }
}

std::optional<Unit> SyncFramer::find_next() {
    if (!synced_ && !find_first())
        return std::nullopt;
    const auto data = buffered();
    if (head_is_unit_ && !expected_checked_) {
        if (!head_length_known_) {
            // Asked once per head: for Ogg it costs a CRC over the page.
            head_length_ = head_length();
            head_length_known_ = true;
        }
        if (const auto len = head_length_) {
            if (*len + probe_bytes() > data.size())
                return std::nullopt;
            const auto p = probe(*len, Mode::expected);
            if (p.result == Probe::wait)
                return std::nullopt;
            if (p.result == Probe::yes)
                return cut(p.start, true);
            scan_pos_ = resync_start(*len);
        } else {
            scan_pos_ = 1;
        }
        expected_checked_ = true;
    }
    const Mode mode = head_is_unit_ ? Mode::after_unit : Mode::fresh;
    for (; scan_pos_ + probe_bytes() <= data.size(); ++scan_pos_) {
        if (!may_start(data[scan_pos_]))
            continue;
        const auto p = probe(scan_pos_, mode);
        if (p.result == Probe::wait)
            break;
        if (p.result == Probe::yes)
            return cut(p.start, true);
    }
    if (scan_pos_ >= max_scan_bytes())
        return cut(scan_pos_, false);
    return std::nullopt;
}

std::optional<Unit> SyncFramer::flush() {
    if (auto unit = next())
        return unit;
    const auto data = buffered();
    if (!synced_ || data.empty())
        return std::nullopt;
    if (!head_is_unit_)
        return cut(data.size(), false); // trailing junk
    if (!head_length_known_) {
        head_length_ = head_length();
        head_length_known_ = true;
    }
    if (head_length_ && *head_length_ < data.size()) {
        // Bytes after the head: the start of a unit the connection cut off (dropped on the
        // next call), or junk (dropped with the cut).
        const auto len = *head_length_;
        const bool truncated_unit =
            data.size() < len + probe_bytes()
                ? may_start(data[len])
                : may_start(data[len]) && probe(len, Mode::expected).result != Probe::no;
        if (truncated_unit)
            return cut(len, true);
    }
    const bool whole = head_length_ ? *head_length_ <= data.size() : whole_at_end(data);
    if (!whole) {
        drop(data.size(), true); // a frame cut off by the end of the connection
        return std::nullopt;
    }
    return cut(data.size(), false);
}

std::size_t SyncFramer::unframed_bytes() const noexcept {
    const auto size = buffered().size();
    if (!synced_)
        return 0;
    if (!head_is_unit_)
        return size;
    if (!expected_checked_)
        return 0; // the next unit is where the head says: in sync
    // A unit that does not give its length (a FLAC frame) cannot be told from junk yet.
    if (!head_length_)
        return 0;
    return size > *head_length_ ? size - *head_length_ : 0;
}

std::vector<std::uint8_t> SyncFramer::take_unframed() {
    const auto data = buffered();
    std::size_t keep = 0;
    if (synced_ && head_is_unit_) {
        keep = unit_size(data.size());
        // A head whose end is not known yet is no whole unit for us: it goes with the rest.
        if (!head_length_ && keep == data.size())
            keep = 0;
    }
    std::vector<std::uint8_t> rest(data.begin() + static_cast<std::ptrdiff_t>(keep), data.end());
    buf_.resize(begin_ + keep);
    scan_pos_ = std::min(scan_pos_, keep);
    if (keep == 0) {
        buf_.clear();
        begin_ = 0;
    }
    return rest;
}

bool SyncFramer::find_first() {
    for (;;) {
        auto data = buffered();
        if (skip_pending_ > 0) {
            const auto n =
                static_cast<std::size_t>(std::min<std::uint64_t>(skip_pending_, data.size()));
            drop(n, true);
            skip_pending_ -= n;
            if (skip_pending_ > 0)
                return false;
            data = buffered();
        }
        std::size_t pos = 0;
        bool restart = false;
        for (; pos + probe_bytes() <= data.size(); ++pos) {
            if (const auto tag = skippable(pos); tag > 0) {
                drop(pos, true);
                skip_pending_ = tag;
                restart = true;
                break;
            }
            if (!may_start(data[pos]))
                continue;
            const auto p = probe(pos, Mode::fresh);
            if (p.result == Probe::no)
                continue;
            if (p.result == Probe::wait) {
                drop(pos, true);
                return false;
            }
            drop(p.start, true);
            synced_ = true;
            new_head(true);
            return true;
        }
        if (!restart) {
            drop(pos, true);
            return false;
        }
    }
}

std::optional<Unit> SyncFramer::cut(std::size_t end, bool next_is_unit) {
    if (end == 0) {
        // Junk dropped earlier ended exactly where a unit starts.
        new_head(next_is_unit);
        return std::nullopt;
    }
    const auto data = buffered();
    const std::size_t size = head_is_unit_ ? std::min(end, unit_size(end)) : 0;
    std::optional<Unit> unit;
    std::size_t junk = end - size;
    if (size > 0) {
        unit.emplace();
        unit->bytes.assign(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(size));
        describe(*unit);
        if (!usable(*unit)) {
            unit.reset();
            junk = end;
        } else if (in_junk_) {
            ++resyncs_;
            in_junk_ = false;
            unit->after_junk = true;
        }
    }
    if (junk > 0) {
        junk_ += junk;
        skipped_ += junk;
        in_junk_ = true;
    }
    drop(end, false);
    new_head(next_is_unit);
    return unit;
}

void SyncFramer::drop(std::size_t n, bool skipped) {
    if (skipped)
        skipped_ += n;
    begin_ += n;
    if (begin_ == buf_.size()) {
        buf_.clear();
        begin_ = 0;
    } else if (begin_ >= 64 * 1024 && begin_ >= buf_.size() / 2) {
        // Erasing the consumed prefix lazily keeps the copying linear in the bytes received.
        buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(begin_));
        begin_ = 0;
    }
}

void SyncFramer::new_head(bool is_unit) {
    head_is_unit_ = is_unit;
    expected_checked_ = false;
    head_length_known_ = false;
    scan_pos_ = 0;
    on_new_head();
}

} // namespace isr::rec::framing
