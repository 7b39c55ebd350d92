#pragma once

#include "common/file_util.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace isr::rec {

// systemd's notification protocol (sd_notify(3)) without libsystemd: one datagram per message
// ("READY=1", "STATUS=…", "WATCHDOG=1", "STOPPING=1") to the AF_UNIX socket systemd names in
// $NOTIFY_SOCKET, a path or, with a leading '@', an abstract-namespace name. Without the
// variable (isrd started by hand, in Docker, under another supervisor) every call does nothing.
// Used from the main thread only.
class SdNotify {
public:
    // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID. Logs once (never throws) when the
    // socket is unusable; the notifier is then inactive.
    static SdNotify from_environment();

    SdNotify() = default; // inactive
    // `socket` as in $NOTIFY_SOCKET; `watchdog_seconds` systemd's WatchdogSec (none: no watchdog).
    SdNotify(std::string socket, std::optional<double> watchdog_seconds);

    bool active() const noexcept { return static_cast<bool>(fd_); }
    // How often to send WATCHDOG=1: half of WatchdogSec, as sd_watchdog_enabled(3) advises;
    // nullopt when systemd expects no watchdog pings (or the notifier is inactive).
    std::optional<double> watchdog_interval() const noexcept;

    // Sends `message` (lines "KEY=value"). False when it could not be sent (logged, once per
    // kind of failure); true, doing nothing, when inactive. Never throws.
    bool send(std::string_view message) noexcept;

private:
    UniqueFd fd_;
    std::string socket_;  // as given, for messages
    std::string address_; // sun_path's bytes (a leading NUL for the abstract namespace)
    std::optional<double> watchdog_;
    int last_errno_ = 0; // a failure is logged when it differs from the last one
};

} // namespace isr::rec
