#include "recorder/source_runner.hpp"

namespace isr::rec {

bool sleep_for(double seconds, std::stop_token stop) {
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    // wait_for returns the predicate's value, false whether the time ran out or a stop came.
    cv.wait_for(lock, stop, std::chrono::duration<double>(seconds), [] { return false; });
    return !stop.stop_requested();
}

SourceRunner::SourceRunner(const SourceConfig& cfg, std::shared_ptr<SourceState> state,
                           SessionFactory factory)
    : cfg_(cfg), log_(cfg.name, cfg.log_level), state_(std::move(state)),
      factory_(std::move(factory)) {}

SourceRunner::~SourceRunner() {
    request_stop();
    join();
}

void SourceRunner::start() {
    thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void SourceRunner::request_stop() noexcept {
    {
        std::lock_guard lock(pause_mutex_);
        stopping_ = true;
    }
    thread_.request_stop();
}

bool SourceRunner::pause() {
    std::lock_guard lock(pause_mutex_);
    if (paused_ || stopping_ || finished_)
        return false; // a source that gave up is not running to pause; resume restarts it
    paused_ = true;
    attempt_stop_.request_stop();
    log_.info("paused: capture stops until resumed");
    return true;
}

bool SourceRunner::resume() {
    std::unique_lock lock(pause_mutex_);
    if (stopping_)
        return false;
    if (paused_) {
        paused_ = false;
        pause_cv_.notify_all();
        log_.info("resumed");
        return true;
    }
    if (finished_) {
        // It had given up: resuming is how a user says "try again now".
        lock.unlock();
        join();
        finished_ = false;
        log_.info("starting again (resumed after giving up)");
        start();
        return true;
    }
    return false;
}

bool SourceRunner::paused() const {
    std::lock_guard lock(pause_mutex_);
    return paused_;
}

bool SourceRunner::wait_while_paused(std::stop_token stop) {
    std::unique_lock lock(pause_mutex_);
    if (paused_) {
        state_->update([](SourceStatus& s) {
            s.state = RunState::paused;
            s.file.reset();
            s.bytes = 0;
            s.level_dbfs.reset();
            s.peak_dbfs.reset();
            s.error.reset();
        });
        state_->waiting(true);
        const bool resumed = pause_cv_.wait(lock, stop, [&] { return !paused_; });
        state_->waiting(false);
        if (!resumed)
            return false;
    }
    attempt_stop_ = std::stop_source();
    return true;
}

void SourceRunner::join() noexcept {
    if (thread_.joinable())
        thread_.join();
}

void SourceRunner::fail(const std::string& message, int failures) {
    const auto limit =
        cfg_.max_retries == 0 ? std::string("no limit") : cat(cfg_.max_retries, " allowed");
    if (message != last_error_) {
        log_.error(message);
        last_error_ = message;
        repeat_limit_ = RateLimit(std::chrono::minutes(10));
        repeat_limit_.allow();
    } else if (repeat_limit_.allow()) {
        log_.warning("still failing after ", failures, " consecutive attempts (", limit,
                     "): ", message);
    }
}

void SourceRunner::run(std::stop_token stop) {
    state_->waiting(false); // a source resumed after giving up runs again
    int failures = 0;
    while (!stop.stop_requested()) {
        if (!wait_while_paused(stop))
            break;
        std::stop_token attempt;
        {
            std::lock_guard lock(pause_mutex_);
            attempt = attempt_stop_.get_token();
        }
        // The attempt ends on either: isrd stopping, or a pause.
        std::stop_callback forward(stop, [this] {
            std::lock_guard lock(pause_mutex_);
            attempt_stop_.request_stop();
        });
        state_->attempt_started();
        state_->update([](SourceStatus& s) {
            s.state = s.type == SourceType::stream ? RunState::connecting : RunState::starting;
        });
        std::string error;
        double recorded = 0;
        bool ended = false; // a clean end of input (a stream's EOF), not an error
        std::unique_ptr<SourceSession> session;
        try {
            session = factory_();
            session->run(attempt);
            ended = true;
        } catch (const std::exception& e) {
            error = e.what();
        }
        std::string end_reason;
        if (session) {
            recorded = session->recorded_seconds();
            if (ended)
                end_reason = session->end_reason();
        }
        session.reset(); // closes files and devices before we wait
        if (stop.stop_requested())
            break;
        if (paused()) {
            if (!error.empty())
                log_.debug("paused while failing: ", error);
            state_->gap_opened("pause", "paused with isrd pause");
            continue; // a pause is no failure
        }

        if (recorded >= kResetAfterSeconds)
            failures = 0;
        ++failures;
        if (ended) {
            error = end_reason.empty()
                        ? cat("the input ended after ", fixed(recorded, 1), " s of audio")
                        : end_reason;
            log_.warning(error, "; reconnecting");
        } else {
            fail(error, failures);
        }
        // The ledger's reason: a stream reconnects; a device (or generator) was lost.
        state_->gap_opened(cfg_.type == SourceType::stream ? "reconnect" : "device_lost", error);
        const bool give_up = cfg_.max_retries > 0 && failures > cfg_.max_retries;
        state_->update([&](SourceStatus& s) {
            s.error = error;
            s.file.reset();
            s.bytes = 0;
            s.level_dbfs.reset();
            s.peak_dbfs.reset();
            s.state = give_up ? RunState::failed : RunState::retrying;
        });
        if (give_up) {
            log_.error("giving up after ", failures,
                       " consecutive failures (max_retries = ", cfg_.max_retries,
                       "); last error: ", error,
                       ". Fix the cause and restart isrd; the other sources keep recording.");
            break;
        }
        log_.info("retrying in ", cfg_.retry_delay_seconds, " s (attempt ", failures + 1,
                  cfg_.max_retries > 0 ? cat(" of ", cfg_.max_retries + 1) : std::string(), ")");
        state_->waiting(true);
        const bool slept = sleep_for(cfg_.retry_delay_seconds, attempt);
        state_->waiting(false);
        if (!slept && stop.stop_requested())
            break;
    }
    if (stop.stop_requested()) {
        state_->update([](SourceStatus& s) {
            s.state = RunState::stopped;
            s.file.reset();
        });
    }
    state_->waiting(true); // the thread ends: nothing left to come around
    finished_ = true;
}

} // namespace isr::rec
