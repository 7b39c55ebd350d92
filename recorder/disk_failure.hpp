#pragma once

#include "common/config.hpp"
#include "common/log.hpp"
#include "recorder/source_state.hpp"

#include <exception>
#include <optional>
#include <string>

namespace isr::rec {

// The recordings folder cannot be written (disk full, permissions, an I/O error). The session
// keeps its input and drops the audio meanwhile, says so in the log and status.json (once per
// distinct reason), and tries a new file every retry_delay_seconds.
class DiskFailure {
public:
    // `meanwhile`: what happens to the input until then, for the message.
    DiskFailure(const SourceConfig& cfg, std::string meanwhile)
        : folder_(cfg.output_directory.string()), retry_delay_(cfg.retry_delay_seconds),
          meanwhile_(std::move(meanwhile)) {}

    // A file could not be opened or written; `lost_seconds` of audio go with it.
    void failed(const std::exception& e, double lost_seconds, Logger& log, SourceState& state);
    // Audio dropped while waiting for the next try.
    void dropped(double seconds) noexcept { lost_seconds_ += seconds; }

    bool active() const noexcept { return message_.has_value(); }
    // Failing, and the next try is not due yet.
    bool waiting(double now_mono) const noexcept { return message_ && now_mono < retry_at_mono_; }
    // Audio dropped since the failure began (0 when not failing).
    double lost_seconds() const noexcept { return lost_seconds_; }
    // A file was opened again: logs what was lost, clears the failure and returns its loss.
    double recovered(Logger& log);

private:
    std::string folder_;
    double retry_delay_;
    std::string meanwhile_;
    std::optional<std::string> message_;
    double retry_at_mono_ = 0;
    double lost_seconds_ = 0;
};

} // namespace isr::rec
