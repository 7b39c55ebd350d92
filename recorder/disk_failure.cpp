#include "recorder/disk_failure.hpp"

#include "common/clock.hpp"
#include "common/strings.hpp"

namespace isr::rec {

void DiskFailure::failed(const std::exception& e, double lost_seconds, Logger& log, SourceState& state) {
    lost_seconds_ += lost_seconds;
    retry_at_mono_ = mono_now() + retry_delay_;
    auto message = cat("cannot write recordings: ", e.what(), "; ", meanwhile_,
                       " until this is fixed (free disk space or fix the permissions of ",
                       folder_, "); retrying every ", retry_delay_, " s");
    if (message_ != message) log.error(message);
    state.update([&](SourceStatus& s) {
        s.state = "retrying";
        s.error = message;
        s.file.reset();
    });
    message_ = std::move(message);
}

double DiskFailure::recovered(Logger& log) {
    const double lost = lost_seconds_;
    if (message_) log.info("writing again after a disk problem; ", fixed(lost, 1), " s of audio could not be stored");
    message_.reset();
    lost_seconds_ = 0;
    return lost;
}

} // namespace isr::rec
