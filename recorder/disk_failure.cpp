#include "recorder/disk_failure.hpp"

#include "common/clock.hpp"
#include "common/strings.hpp"

#include <algorithm>

namespace isr::rec {

namespace {

// What kind of failure it is, without the file name that changes with every try.
std::string cause_of(const std::exception& e) {
    if (const auto* system = dynamic_cast<const std::system_error*>(&e))
        return system->code().message();
    return e.what();
}

} // namespace

DiskFailure::DiskFailure(const SourceConfig& cfg, std::shared_ptr<SourceState> state,
                         std::string meanwhile, std::function<double()> clock)
    : folder_(cfg.output_directory.string()), retry_delay_(cfg.retry_delay_seconds),
      state_(std::move(state)), meanwhile_(std::move(meanwhile)), clock_(std::move(clock)) {}

void DiskFailure::failed(const std::exception& e, double lost_from, const Logger& log) {
    const double now = clock_();
    retry_at_mono_ = now + retry_delay_;
    if (!gap_start_) {
        gap_start_ = lost_from;
        counted_to_ = lost_from;
    }
    const auto message = cat("cannot write recordings: ", e.what(), "; ", meanwhile_,
                             " until this is fixed (free disk space or fix the permissions of ",
                             folder_, "); retrying every ", retry_delay_, " s");
    const auto cause = cause_of(e);
    if (!episode_) {
        episode_.emplace();
        episode_->began_mono = now;
        episode_->began_utc = wall_now();
        episode_->cause = cause;
        episode_->reminder.allow();
        episode_->cause_changes.allow();
        log.error(message, ". One line follows when writing works again.");
        state_->update([](SourceStatus& s) { ++s.disk_errors; });
    } else if (cause != episode_->cause) {
        episode_->cause = cause;
        if (episode_->cause_changes.allow())
            log.warning("the disk problem changed: ", message);
    } else if (episode_->reminder.allow()) {
        log.warning("still cannot write recordings after ", fixed(now - episode_->began_mono, 0),
                    " s (", fixed(episode_->lost + (lost_from - *gap_start_), 1),
                    " s of audio lost so far): ", e.what());
    }
    state_->update([&](SourceStatus& s) {
        s.state = RunState::retrying;
        s.error = message;
        s.file.reset();
    });
}

void DiskFailure::close_gap(double at) noexcept {
    if (!gap_start_)
        return;
    const double end = std::max(at, *gap_start_);
    untaken_ += std::max(0.0, end - counted_to_);
    if (episode_)
        episode_->lost += end - *gap_start_;
    gap_start_.reset();
}

void DiskFailure::resumed(double at) noexcept {
    close_gap(at);
}

void DiskFailure::session_ended(double end) noexcept {
    close_gap(end);
}

void DiskFailure::recovered(const Logger& log, const std::string& file) {
    if (!episode_ || gap_start_)
        return;
    log.warning("writing again after a disk problem of ", fixed(clock_() - episode_->began_mono, 1),
                " s: ", fixed(episode_->lost, 1), " s of audio could not be stored; recording to ",
                file);
    // One gap per episode in the ledger, like the summary: each retry's file would be a line.
    state_->events().gap("disk_failure", episode_->began_utc, episode_->lost, episode_->cause);
    episode_.reset();
    state_->recording();
}

void DiskFailure::stopping(const Logger& log) {
    if (!episode_)
        return;
    log.warning("stopping while recordings cannot be written (for ",
                fixed(clock_() - episode_->began_mono, 1), " s): ", fixed(episode_->lost, 1),
                " s of audio could not be stored");
    state_->events().gap("disk_failure", episode_->began_utc, episode_->lost, episode_->cause,
                         true);
    episode_.reset();
}

double DiskFailure::take_lost(double media_now) noexcept {
    double lost = untaken_;
    untaken_ = 0;
    if (gap_start_ && media_now > counted_to_) {
        lost += media_now - counted_to_;
        counted_to_ = media_now;
    }
    return lost;
}

} // namespace isr::rec
