#include "recorder/levels/event_detector.hpp"

#include <algorithm>
#include <cmath>

namespace isr::rec {

namespace {
// Window times are sums of doubles: a gap of exactly min_gap must not count as shorter.
constexpr double kEpsilon = 1e-6;
} // namespace

EventDetector::EventDetector(const SectionParams& params, double window_seconds)
    : params_(params), window_seconds_(window_seconds),
      block_windows_(std::max<std::size_t>(
          1, static_cast<std::size_t>(std::lround(kFloorBlockSeconds / window_seconds)))),
      warmup_windows_(std::max<std::size_t>(
          1, static_cast<std::size_t>(std::lround(kWarmupSeconds / window_seconds)))) {
    block_.reserve(block_windows_);
}

EventDetector::Update EventDetector::add(float db, double start) {
    Update update;
    const double end = start + window_seconds_;
    const bool loud = floor_ && db >= *floor_ + params_.margin;
    if (open_) {
        // find_sections merges loud runs whose gap is shorter than min_gap.
        const double quiet = (loud ? start : end) - open_->last_loud_end;
        if (quiet >= params_.min_gap - kEpsilon)
            update.ended = close_open();
    }
    if (loud) {
        const double score = db - *floor_;
        if (!open_) {
            open_ = Open{{start, 0, db, *floor_, score}, end, false};
        } else if (score > open_->event.score) {
            open_->event.peak_db = db;
            open_->event.floor_db = *floor_;
            open_->event.score = score;
        }
        open_->last_loud_end = end;
        open_->event.duration = end - open_->event.start;
        if (!open_->confirmed && open_->event.duration >= params_.min_duration - kEpsilon) {
            open_->confirmed = true;
            update.confirmed = open_->event;
        }
    }

    // The background for the windows to come.
    block_.push_back(db);
    if (block_.size() == block_windows_) {
        floor_ = percentile(block_, kFloorPercentile);
        had_block_ = true;
        block_.clear();
    } else if (!had_block_ && block_.size() >= warmup_windows_) {
        floor_ = percentile(block_, kFloorPercentile);
    }
    return update;
}

std::optional<LoudEvent> EventDetector::close_open() {
    auto open = std::move(open_);
    open_.reset();
    if (!open || !open->confirmed)
        return std::nullopt;
    return open->event;
}

std::optional<LoudEvent> EventDetector::finish() {
    return close_open();
}

} // namespace isr::rec
