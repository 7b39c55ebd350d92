#pragma once

#include <string>
#include <vector>

namespace isr::rec {

// Whether isrd may send systemd's WATCHDOG=1: only while every source's thread has come around
// its loop within the window, or waits on purpose (a retry delay, a pause, given up). A thread
// stuck in a system call (a hung network mount) or a deadlock then lets WatchdogSec run out, and
// systemd restarts isrd. Pure (the caller gives the times), so it is tested without waiting.
// Used from the main thread.
class WatchdogGate {
public:
    static constexpr double kWindowSeconds = 20;

    struct Source {
        std::string name;
        double alive_mono = 0; // the thread's last sign of life (monotonic seconds)
        bool waiting = false;  // waiting on purpose
    };
    struct Verdict {
        bool healthy = true; // send WATCHDOG=1
        // What to log, once per episode: a source found stuck (an error), or every source
        // coming around again after one was (info). Empty otherwise.
        std::string error;
        std::string recovered;
    };

    explicit WatchdogGate(double window_seconds = kWindowSeconds) : window_(window_seconds) {}

    // Judges `sources` at `now` (monotonic seconds).
    Verdict check(const std::vector<Source>& sources, double now);

private:
    double window_;
    std::string stuck_; // the source an error was logged for; empty while all are healthy
};

} // namespace isr::rec
