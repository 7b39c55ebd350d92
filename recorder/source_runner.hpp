#pragma once

#include "common/config.hpp"
#include "common/log.hpp"
#include "recorder/source.hpp"
#include "recorder/source_state.hpp"

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace isr::rec {

// Runs one source on its own thread: builds a session, records, and on failure waits
// retry_delay_seconds and tries again, up to max_retries consecutive failures (0 = forever).
// An attempt that recorded for a minute or more resets the count. A recurring error is logged
// in full once and then summarised, so a source that is down for a week does not flood the log.
class SourceRunner {
public:
    using SessionFactory = std::function<std::unique_ptr<SourceSession>()>;

    SourceRunner(const SourceConfig& cfg, std::shared_ptr<SourceState> state,
                 SessionFactory factory);
    ~SourceRunner(); // requests stop and joins

    void start();
    void request_stop() noexcept;
    void join() noexcept;
    bool finished() const noexcept { return finished_; }

    // Pause: the session stops (the file is finalised, the device or connection released) and
    // no new attempt starts until resume(); state "paused". Resume: a new attempt starts at once
    // (a source that had given up starts again too). Any thread; false when nothing changed.
    bool pause();
    bool resume();
    bool paused() const;

    static constexpr double kResetAfterSeconds = 60.0;

private:
    void run(std::stop_token stop);
    void fail(const std::string& message, int failures);
    // Blocks while paused (returns false when stop is requested meanwhile); then returns a stop
    // token for the next attempt, which pause() and `stop` both stop.
    bool wait_while_paused(std::stop_token stop);

    SourceConfig cfg_;
    Logger log_;
    std::shared_ptr<SourceState> state_;
    SessionFactory factory_;
    std::atomic<bool> finished_{false};
    mutable std::mutex pause_mutex_;
    std::condition_variable_any pause_cv_;
    bool paused_ = false;
    std::stop_source attempt_stop_; // the current attempt's; replaced for each
    bool stopping_ = false;
    std::string last_error_;
    RateLimit repeat_limit_{std::chrono::minutes(10)};
    std::jthread thread_;
};

// Sleeps for `seconds` or until stop is requested. Returns false when stopped.
bool sleep_for(double seconds, std::stop_token stop);

} // namespace isr::rec
