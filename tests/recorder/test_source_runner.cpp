// The retry policy of SourceRunner, with scripted sessions instead of devices and streams.
#include "recorder/source_runner.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <thread>

using namespace isr;
using namespace isr::rec;

namespace {

// One scripted attempt: how much audio it "records", then whether it throws or ends cleanly.
struct Attempt {
    double recorded = 0;
    bool throws = true;
    std::string error = "device gone";
};

class ScriptedSession : public SourceSession {
public:
    ScriptedSession(Attempt a, std::shared_ptr<SourceState> state)
        : a_(std::move(a)), state_(std::move(state)) {}
    void run(std::stop_token) override {
        if (a_.recorded > 0)
            state_->recording();
        if (a_.throws)
            throw SourceError(a_.error);
    }
    double recorded_seconds() const noexcept override { return a_.recorded; }

private:
    Attempt a_;
    std::shared_ptr<SourceState> state_;
};

struct Script {
    std::mutex mutex;
    std::deque<Attempt> attempts;
    int calls = 0;
    Attempt fallback; // once the script is used up
};

SourceConfig config(int max_retries) {
    SourceConfig cfg;
    cfg.name = "scripted";
    cfg.type = SourceType::soundcard;
    cfg.max_retries = max_retries;
    cfg.retry_delay_seconds = 0.001;
    cfg.log_level = log::Level::critical; // the runner's ERROR lines are expected here
    return cfg;
}

SourceStatus initial() {
    SourceStatus s;
    s.name = "scripted";
    s.type = SourceType::soundcard;
    return s;
}

bool wait_until(const std::function<bool()>& done, double seconds = 5) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!done()) {
        if (std::chrono::steady_clock::now() > until)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

// Runs the script to its end (the runner gives up) and returns how many sessions it made.
int run_until_given_up(SourceRunner& runner, Script& script) {
    runner.start();
    REQUIRE(wait_until([&] { return runner.finished(); }));
    std::lock_guard lock(script.mutex);
    return script.calls;
}

SourceRunner::SessionFactory factory(Script& script, const std::shared_ptr<SourceState>& state) {
    return [&script, state] {
        std::lock_guard lock(script.mutex);
        ++script.calls;
        Attempt a = script.fallback;
        if (!script.attempts.empty()) {
            a = script.attempts.front();
            script.attempts.pop_front();
        }
        return std::make_unique<ScriptedSession>(a, state);
    };
}

} // namespace

TEST_CASE("a source that keeps failing gives up after max_retries retries", "[recorder][retry]") {
    Script script;
    auto state = std::make_shared<SourceState>(initial());
    SourceRunner runner(config(3), state, factory(script, state));
    CHECK(run_until_given_up(runner, script) == 4); // the first attempt and three retries
    const auto s = state->snapshot();
    CHECK(s.state == RunState::failed);
    CHECK(s.error == "device gone");
}

TEST_CASE("an attempt that recorded for a minute resets the failure count", "[recorder][retry]") {
    Script script;
    // Two failures, a long recording that then fails, two more failures, then failures only.
    script.attempts = {{}, {}, {SourceRunner::kResetAfterSeconds + 1}, {}, {}};
    auto state = std::make_shared<SourceState>(initial());
    SourceRunner runner(config(2), state, factory(script, state));
    // Without the reset: gives up at the 3rd call. With it: the long attempt counts as failure 1
    // of a fresh run, so calls 3, 4, 5 are failures 1-3 and the runner gives up after call 5.
    CHECK(run_until_given_up(runner, script) == 5);
    CHECK(state->snapshot().state == RunState::failed);
}

TEST_CASE("a short recording does not reset the failure count", "[recorder][retry]") {
    Script script;
    script.attempts = {{}, {5}, {}};
    auto state = std::make_shared<SourceState>(initial());
    SourceRunner runner(config(2), state, factory(script, state));
    CHECK(run_until_given_up(runner, script) == 3);
}

TEST_CASE("max_retries = 0 retries for ever, until stopped", "[recorder][retry]") {
    Script script;
    auto state = std::make_shared<SourceState>(initial());
    SourceRunner runner(config(0), state, factory(script, state));
    runner.start();
    REQUIRE(wait_until([&] {
        std::lock_guard lock(script.mutex);
        return script.calls > 50;
    }));
    CHECK_FALSE(runner.finished());
    CHECK(state->snapshot().state != RunState::failed);
    runner.request_stop();
    runner.join();
    CHECK(runner.finished());
    CHECK(state->snapshot().state == RunState::stopped);
}

TEST_CASE("a clean end of input is retried and counted as a reconnect when audio came back",
          "[recorder][retry]") {
    Script script;
    script.attempts = {{10, false}, {10, false}};
    script.fallback = {0, true, "stream gone"};
    auto state = std::make_shared<SourceState>(initial());
    SourceRunner runner(config(1), state, factory(script, state));
    // Two clean ends (failures 1 and 2 of max_retries 1 → the second ends it).
    CHECK(run_until_given_up(runner, script) == 2);
    const auto s = state->snapshot();
    CHECK(s.reconnects == 1);
    CHECK(s.state == RunState::failed);
    CHECK(s.error->find("the input ended after 10.0 s") == 0);
}

namespace {

// Records until stopped, counting its runs.
class UntilStopped : public SourceSession {
public:
    UntilStopped(std::atomic<int>& runs, std::shared_ptr<SourceState> state)
        : runs_(runs), state_(std::move(state)) {}
    void run(std::stop_token stop) override {
        ++runs_;
        state_->recording();
        while (!stop.stop_requested())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    double recorded_seconds() const noexcept override { return 1; }

private:
    std::atomic<int>& runs_;
    std::shared_ptr<SourceState> state_;
};

template <class Predicate> bool eventually(Predicate p) {
    for (int i = 0; i < 2000 && !p(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return p();
}

} // namespace

TEST_CASE("SourceRunner: pause ends the session and waits, resume starts a new one", "[runner]") {
    auto state = std::make_shared<SourceState>(initial());
    std::atomic<int> runs{0};
    SourceRunner runner(config(3), state,
                        [&] { return std::make_unique<UntilStopped>(runs, state); });
    runner.start();
    REQUIRE(eventually([&] { return state->snapshot().state == RunState::recording; }));
    CHECK(runner.pause());
    CHECK_FALSE(runner.pause()); // already paused
    REQUIRE(eventually([&] { return state->snapshot().state == RunState::paused; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(runs == 1); // no retry while paused
    CHECK(runner.resume());
    CHECK_FALSE(runner.resume());
    REQUIRE(eventually([&] { return runs == 2; }));
    REQUIRE(eventually([&] { return state->snapshot().state == RunState::recording; }));
    CHECK_FALSE(state->snapshot().error.has_value()); // a pause is no failure
    runner.request_stop();
    runner.join();
    CHECK(state->snapshot().state == RunState::stopped);
}

TEST_CASE("SourceRunner: resume starts a source that had given up", "[runner]") {
    auto state = std::make_shared<SourceState>(initial());
    std::atomic<int> calls{0};
    SourceRunner runner(config(1), state, [&]() -> std::unique_ptr<SourceSession> {
        ++calls;
        return std::make_unique<ScriptedSession>(Attempt{}, state);
    });
    runner.start();
    REQUIRE(eventually([&] { return runner.finished(); }));
    CHECK(state->snapshot().state == RunState::failed);
    CHECK(calls == 2);
    CHECK_FALSE(runner.pause()); // nothing runs to pause
    CHECK(runner.resume());
    REQUIRE(eventually([&] { return calls == 4; }));
    REQUIRE(eventually([&] { return runner.finished(); }));
}

TEST_CASE("SourceRunner: waiting on purpose is marked for the watchdog, and nothing else is",
          "[runner][systemd]") {
    auto state = std::make_shared<SourceState>(initial());
    CHECK_FALSE(state->liveness().attempted);
    std::atomic<int> runs{0};
    std::atomic<bool> fail{true};
    auto cfg = config(0);
    cfg.retry_delay_seconds = 60; // the test ends the wait with a pause, then a stop
    SourceRunner runner(cfg, state, [&]() -> std::unique_ptr<SourceSession> {
        if (fail)
            return std::make_unique<ScriptedSession>(Attempt{}, state);
        return std::make_unique<UntilStopped>(runs, state);
    });
    runner.start();
    // The first attempt fails: the thread waits for the retry delay, on purpose.
    REQUIRE(eventually([&] { return state->snapshot().state == RunState::retrying; }));
    REQUIRE(eventually([&] { return state->liveness().waiting; }));
    CHECK(state->liveness().attempted);
    // A pause ends the retry wait; paused is waiting on purpose too.
    fail = false;
    CHECK(runner.pause());
    REQUIRE(eventually([&] { return state->snapshot().state == RunState::paused; }));
    CHECK(state->liveness().waiting);
    // Recording: not waiting, and the sign of life is recent.
    CHECK(runner.resume());
    REQUIRE(eventually([&] { return runs == 1 && !state->liveness().waiting; }));
    CHECK(mono_now() - state->liveness().alive_mono < 2);
    runner.request_stop();
    runner.join();
    CHECK(state->liveness().waiting); // the thread has ended
}
