#include "recorder/systemd/service_notifier.hpp"

#include "common/log.hpp"
#include "common/strings.hpp"
#include "recorder/systemd/status_line.hpp"

#include <algorithm>
#include <limits>

namespace isr::rec {

namespace {
// A withheld ping is tried again this soon: a thread that comes around again is believed at once.
constexpr double kRecheckSeconds = 1.0;
} // namespace

ServiceNotifier::ServiceNotifier(SdNotify notify, double window_seconds)
    : notify_(std::move(notify)), gate_(window_seconds) {}

void ServiceNotifier::update(const Status& status, const std::vector<Source>& sources, double now) {
    if (!notify_.active())
        return;
    std::string message;
    if (!ready_ && std::all_of(sources.begin(), sources.end(),
                               [](const Source& s) { return s.liveness.attempted; })) {
        ready_ = true;
        message = "READY=1\n";
    }
    if (auto line = status_line(status); line != status_line_) {
        status_line_ = std::move(line);
        message += "STATUS=" + status_line_ + "\n";
    }
    if (!message.empty())
        notify_.send(message);

    const auto interval = notify_.watchdog_interval();
    if (!interval || now < next_watchdog_)
        return;
    std::vector<WatchdogGate::Source> lives;
    lives.reserve(sources.size());
    for (const auto& s : sources)
        lives.push_back({s.name, s.liveness.alive_mono, s.liveness.waiting});
    const auto verdict = gate_.check(lives, now);
    if (!verdict.error.empty())
        log::error("", verdict.error);
    if (!verdict.recovered.empty())
        log::info("", verdict.recovered);
    if (verdict.healthy) {
        notify_.send("WATCHDOG=1");
        next_watchdog_ = now + *interval;
    } else {
        next_watchdog_ = now + std::min(kRecheckSeconds, *interval);
    }
}

double ServiceNotifier::next_due() const noexcept {
    if (!notify_.active())
        return std::numeric_limits<double>::infinity();
    if (!ready_)
        return 0; // at the loop's next turn: systemd holds `systemctl start` until READY=1
    return notify_.watchdog_interval() ? next_watchdog_ : std::numeric_limits<double>::infinity();
}

void ServiceNotifier::stopping() {
    notify_.send("STOPPING=1\nSTATUS=stopping: finishing the files");
}

void ServiceNotifier::exiting(const std::string& why) {
    notify_.send("STATUS=" + printable(why, 200));
}

} // namespace isr::rec
