#include "recorder/hooks/hook_runner.hpp"

#include "common/clock.hpp"
#include "common/strings.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <list>
#include <optional>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

namespace isr::rec {

namespace {

// posix_spawn's attributes and file actions, destroyed in every outcome.
struct SpawnSetup {
    posix_spawnattr_t attr{};
    posix_spawn_file_actions_t actions{};
    SpawnSetup() {
        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_init(&actions);
        // isrd's threads block SIGTERM/SIGINT/SIGHUP (the main thread waits for them), and a
        // child inherits the mask: a hook would not even die of `kill`.
        sigset_t none;
        sigemptyset(&none);
        posix_spawnattr_setsigmask(&attr, &none);
        sigset_t defaults;
        sigemptyset(&defaults);
        for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD})
            sigaddset(&defaults, sig);
        posix_spawnattr_setsigdefault(&attr, &defaults);
        // A group of its own, so a timeout kills what a script started too.
        posix_spawnattr_setpgroup(&attr, 0);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                            POSIX_SPAWN_SETPGROUP);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        // Only stdin, stdout and stderr: a descriptor another thread opened without O_CLOEXEC
        // (libsndfile's, a recording being written) must not live on in a long hook.
        posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
};

std::string what_of(const HookJob& job) {
    return cat(job.name, ": ", printable(job.argv.empty() ? std::string() : job.argv.front()));
}

} // namespace

HookRunner::HookRunner() {
    thread_ = std::jthread([this](std::stop_token stop) { work(stop); });
}

HookRunner::~HookRunner() {
    thread_.request_stop();
    wake_.notify_all();
}

bool HookRunner::run(HookJob job) {
    if (job.argv.empty())
        return true;
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() < kMaxQueued) {
            queue_.push_back(std::move(job));
            wake_.notify_all();
            return true;
        }
        ++dropped_;
        if (!drop_log_.allow())
            return false;
    }
    Logger(job.source.empty() ? "hooks" : job.source)
        .warning(what_of(job), " not run: ", kMaxQueued,
                 " hooks are already waiting (they take long or hang; see hook_timeout_seconds)");
    return false;
}

std::uint64_t HookRunner::dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
}

std::size_t HookRunner::busy() const {
    std::lock_guard lock(mutex_);
    return queue_.size() + running_;
}

bool HookRunner::spawn(Child& child) {
    std::vector<char*> argv;
    for (auto& a : child.job.argv)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    SpawnSetup setup;
    const int err =
        ::posix_spawnp(&child.pid, argv[0], &setup.actions, &setup.attr, argv.data(), environ);
    if (err != 0) {
        Logger(child.job.source.empty() ? "hooks" : child.job.source)
            .warning(what_of(child.job), ": cannot run it: ", std::generic_category().message(err));
        return false;
    }
    child.started = mono_now();
    return true;
}

bool HookRunner::reap(Child& child, double now) {
    const Logger log(child.job.source.empty() ? "hooks" : child.job.source);
    int status = 0;
    const auto r = ::waitpid(child.pid, &status, WNOHANG);
    if (r == 0) {
        if (!child.killed && now - child.started >= child.job.timeout_seconds) {
            child.killed = true;
            ::kill(-child.pid, SIGKILL);
            log.warning(what_of(child.job), " still running after ",
                        fixed(child.job.timeout_seconds, 1),
                        " s (hook_timeout_seconds): killed it");
        }
        return false;
    }
    if (r < 0)
        return errno != EINTR; // ECHILD: someone else reaped it; nothing to wait for
    const auto took = fixed(now - child.started, 1);
    if (child.killed)
        return true; // said so above
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        log.info(what_of(child.job), " exited with status 0 after ", took, " s");
    else if (WIFEXITED(status))
        log.warning(what_of(child.job), " exited with status ", WEXITSTATUS(status), " after ",
                    took, " s");
    else if (WIFSIGNALED(status))
        log.warning(what_of(child.job), " was killed by signal ", WTERMSIG(status), " (",
                    strsignal(WTERMSIG(status)), ") after ", took, " s");
    return true;
}

void HookRunner::work(std::stop_token stop) {
    std::list<Child> running;
    std::optional<double> grace_until;
    for (;;) {
        std::deque<HookJob> start;
        {
            std::unique_lock lock(mutex_);
            if (running.empty() && queue_.empty()) {
                if (stop.stop_requested())
                    break;
                wake_.wait(lock, stop, [&] { return !queue_.empty(); });
            } else if (!stop.stop_requested()) {
                // Children are polled: a SIGCHLD handler would be the process's, not ours.
                wake_.wait_for(lock, stop, std::chrono::milliseconds(50),
                               [&] { return running.size() < kMaxRunning && !queue_.empty(); });
            } else {
                lock.unlock();
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
                lock.lock();
            }
            const bool stopping = stop.stop_requested();
            while (!queue_.empty() && (stopping || running.size() + start.size() < kMaxRunning)) {
                start.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
            running_ = running.size() + start.size();
        }
        for (auto& job : start) {
            running.push_back(Child{std::move(job)});
            if (!spawn(running.back()))
                running.pop_back();
        }
        const double now = mono_now();
        running.remove_if([&](Child& c) { return reap(c, now); });
        {
            std::lock_guard lock(mutex_);
            running_ = running.size();
        }
        if (stop.stop_requested()) {
            if (!grace_until)
                grace_until = now + kStopGraceSeconds;
            if (now >= *grace_until && !running.empty()) {
                for (const auto& c : running) {
                    Logger(c.job.source.empty() ? "hooks" : c.job.source)
                        .warning(what_of(c.job),
                                 " still running as isrd stops: left to finish "
                                 "on its own (pid ",
                                 c.pid, ")");
                }
                break;
            }
        }
    }
}

} // namespace isr::rec
