#pragma once

#include "common/status_file.hpp"
#include "recorder/source_state.hpp"
#include "recorder/systemd/sd_notify.hpp"
#include "recorder/systemd/watchdog_gate.hpp"

#include <string>
#include <vector>

namespace isr::rec {

// What isrd tells systemd (Type=notify): READY=1 once every source has begun its first attempt,
// STATUS= whenever the one-line summary changes, WATCHDOG=1 every half WatchdogSec while every
// source's thread shows progress (WatchdogGate), STOPPING=1 on the way out. Does nothing without
// $NOTIFY_SOCKET. Used from the main thread; times are monotonic seconds (injectable for tests).
class ServiceNotifier {
public:
    struct Source {
        std::string name;
        SourceState::Liveness liveness;
    };

    explicit ServiceNotifier(SdNotify notify = {},
                             double window_seconds = WatchdogGate::kWindowSeconds);

    bool active() const noexcept { return notify_.active(); }

    // The main loop's turn: `status` as status.json has it, `sources` every enabled source's
    // liveness. Logs (once) a source found stuck, and when it recovers.
    void update(const Status& status, const std::vector<Source>& sources, double now);
    // When update() next has something to do (monotonic seconds); far away when inactive.
    double next_due() const noexcept;
    // SIGTERM: STOPPING=1 and a status saying so.
    void stopping();
    // isrd is about to exit on its own (every source failed): why, as the last status.
    void exiting(const std::string& why);

private:
    SdNotify notify_;
    WatchdogGate gate_;
    bool ready_ = false;
    std::string status_line_;
    double next_watchdog_ = 0;
};

} // namespace isr::rec
