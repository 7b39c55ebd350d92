#include "recorder/systemd/watchdog_gate.hpp"

#include "common/strings.hpp"

namespace isr::rec {

WatchdogGate::Verdict WatchdogGate::check(const std::vector<Source>& sources, double now) {
    Verdict verdict;
    const Source* stuck = nullptr;
    for (const auto& s : sources) {
        // The longest silence names the source in the log.
        if (!s.waiting && now - s.alive_mono > window_ &&
            (!stuck || s.alive_mono < stuck->alive_mono))
            stuck = &s;
    }
    if (!stuck) {
        if (!stuck_.empty()) {
            verdict.recovered = cat("every source's thread is making progress again (", stuck_,
                                    "'s too); sending systemd's watchdog pings again");
            stuck_.clear();
        }
        return verdict;
    }
    verdict.healthy = false;
    if (stuck->name != stuck_) {
        stuck_ = stuck->name;
        verdict.error =
            cat("source ", stuck->name, "'s thread has shown no progress for ",
                fixed(now - stuck->alive_mono, 0), " s (more than ", fixed(window_, 0),
                " s): it is stuck (a hung disk or network mount?). Withholding systemd's watchdog "
                "ping, so that systemd restarts isrd when WatchdogSec runs out");
    }
    return verdict;
}

} // namespace isr::rec
