#pragma once

#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/log.hpp"
#include "recorder/source_state.hpp"

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

namespace isr::rec {

// A source's recordings cannot be written (disk full, permissions, an I/O error), handled as
// one episode: from the first write that fails to the first file whose audio reaches the disk
// again. Meanwhile the session keeps its input and drops the audio, and tries a new file every
// retry_delay_seconds.
//
// The log gets one ERROR when an episode begins (then a WARNING reminder at most every 10
// minutes while it lasts, and one when its cause changes, at most once a minute) and one
// summary when it ends, with the audio really lost: measured in audio time from the first audio
// that did not reach the disk to the first that did, however many files and retries lie in
// between. status.json shows the state ("retrying") and the error for the whole episode, and
// the loss as it grows.
//
// Positions are seconds of media time on the session's own clock; a gap still open when a
// session ends (a reconnect, a device reopened) ends there, and the episode goes on into the
// next session: the object lives as long as the source. Used from the source's thread only.
class DiskFailure {
public:
    // `meanwhile`: what happens to the input until the disk works again, for the message.
    // `clock`: the monotonic clock in seconds (tests give their own).
    DiskFailure(const SourceConfig& cfg, std::shared_ptr<SourceState> state, std::string meanwhile,
                std::function<double()> clock = &mono_now);

    // A file could not be created, written or flushed; `lost_from` is the media time of the
    // first audio that is not on disk. Opens a gap there unless one is open.
    void failed(const std::exception& e, double lost_from, const Logger& log);
    // A new file took audio from media time `at`: the open gap ends there.
    void resumed(double at) noexcept;
    // The session ends at media time `end` (its clock ends with it): an open gap ends there.
    void session_ended(double end) noexcept;
    // The audio of `file` has reached the disk: the episode ends, with one summary line.
    void recovered(const Logger& log, const std::string& file);
    // After a flush: `stored` says whether audio of `file` is on disk. The episode ends once a
    // file that opened after the failure (no gap open) has some there, not when it is opened.
    void flushed(const Logger& log, const std::string& file, bool stored) {
        if (stored && active() && !gap_open())
            recovered(log, file);
    }

    // isrd stops while an episode lasts: says what was lost (no summary would follow).
    void stopping(const Logger& log);

    bool active() const noexcept { return episode_.has_value(); }
    bool gap_open() const noexcept { return gap_start_.has_value(); }
    // Failing, and the next try is not due yet.
    bool waiting(double now_mono) const noexcept { return episode_ && now_mono < retry_at_mono_; }
    // Seconds of audio lost since the previous call, up to media time `media_now` for an open
    // gap: what the session adds to status.json's lost_seconds.
    double take_lost(double media_now) noexcept;

private:
    struct Episode {
        // User-provided: clang 14 cannot see a nested class's default constructor, made from
        // member initializers, while std::optional<Episode> is declared in the enclosing one.
        Episode() {}
        double began_mono = 0;
        double began_utc = 0; // for the ledger's gap: when audio was first not stored
        double lost = 0;      // closed gaps
        std::string cause;
        RateLimit reminder{std::chrono::minutes(10)};
        RateLimit cause_changes{std::chrono::minutes(1)};
    };
    void close_gap(double at) noexcept;

    std::string folder_;
    double retry_delay_;
    std::shared_ptr<SourceState> state_;
    std::string meanwhile_;
    std::function<double()> clock_;
    std::optional<Episode> episode_;
    std::optional<double> gap_start_;
    double counted_to_ = 0; // within the open gap: loss already taken up to here
    double untaken_ = 0;    // closed gaps' loss not taken yet
    double retry_at_mono_ = 0;
};

} // namespace isr::rec
