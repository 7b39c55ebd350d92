#pragma once

#include "common/config.hpp"
#include "common/log.hpp"
#include "recorder/source.hpp"
#include "recorder/source_state.hpp"

#include <functional>
#include <memory>
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

    static constexpr double kResetAfterSeconds = 60.0;

private:
    void run(std::stop_token stop);
    void fail(const std::string& message, int failures);

    SourceConfig cfg_;
    Logger log_;
    std::shared_ptr<SourceState> state_;
    SessionFactory factory_;
    std::atomic<bool> finished_{false};
    std::string last_error_;
    RateLimit repeat_limit_{std::chrono::minutes(10)};
    std::jthread thread_;
};

// Sleeps for `seconds` or until stop is requested. Returns false when stopped.
bool sleep_for(double seconds, std::stop_token stop);

} // namespace isr::rec
