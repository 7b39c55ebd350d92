#pragma once

#include "common/log.hpp"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace isr::rec {

// A hook to run: `argv` (the command from config.ini with the event's arguments appended) is
// spawned without a shell; `name` (on_file_closed, on_alarm, …) and `source` are for the log.
struct HookJob {
    std::string name;
    std::string source;
    std::vector<std::string> argv;
    double timeout_seconds = 60;
};

// Runs the hooks of isrd (on_save, on_alarm, on_alarm_clear, on_file_closed) on one thread of
// its own, so that a hook never blocks capture, the main loop or a control reply: run() only
// queues. Up to kMaxRunning hooks run at once, each in a process group of its own with the
// default signal mask and stdin from /dev/null; one still running after its timeout is killed
// with its group (SIGKILL) and that is logged, like every exit status. A full queue drops the
// new job, counts it and logs that (at most once a minute).
//
// When it is destroyed (isrd stops) the queued hooks are started at once and waited for up to
// kStopGraceSeconds; any still running then is left to finish on its own.
class HookRunner {
public:
    HookRunner();
    ~HookRunner();
    HookRunner(const HookRunner&) = delete;
    HookRunner& operator=(const HookRunner&) = delete;

    // Queues `job`. Any thread; never blocks on a hook. False when the queue was full.
    bool run(HookJob job);
    // Jobs dropped because the queue was full.
    std::uint64_t dropped() const;
    // Hooks queued or running.
    std::size_t busy() const;

    static constexpr std::size_t kMaxQueued = 64;
    static constexpr std::size_t kMaxRunning = 4;
    static constexpr double kStopGraceSeconds = 5;

private:
    struct Child {
        HookJob job;
        pid_t pid = 0;
        double started = 0;
        bool killed = false;
    };
    void work(std::stop_token stop);
    // Spawns job; false (logged) when it cannot start.
    bool spawn(Child& child);
    // Reaps `child` if it ended (logs how); kills it past its timeout. True when it is gone.
    bool reap(Child& child, double now);

    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    std::deque<HookJob> queue_;
    std::size_t running_ = 0;
    std::uint64_t dropped_ = 0;
    RateLimit drop_log_{std::chrono::minutes(1)};
    std::jthread thread_;
};

} // namespace isr::rec
