// LiveEvents: what a source's live loud events do to its status, with the hook's cooldown.
#include "recorder/levels/live_events.hpp"

#include <catch2/catch.hpp>

using namespace isr;
using namespace isr::rec;

namespace {

// Windows from `from` to `to` seconds at `db`, starting at UTC `t0`.
void feed(LiveEvents& live, double t0, double from, double to, float db) {
    for (double t = from; t < to - 1e-9; t += kWindowSeconds)
        live.add(db, t0 + t);
}

} // namespace

TEST_CASE("live events: ongoing in status once confirmed, counted when over, the cooldown "
          "counts what it holds back",
          "[recorder][levels]") {
    SourceConfig cfg;
    cfg.name = "garden";
    cfg.live_events = true;
    cfg.event_cooldown_seconds = 30;
    auto state = std::make_shared<SourceState>(SourceStatus{});
    const Logger log("garden");
    LiveEvents live(cfg, state, log);
    const double t0 = 1790812800; // 2026-10-01 00:00:00 UTC

    feed(live, t0, 0, 10, -50);
    feed(live, t0, 10, 10.6, -25); // confirmed at 10.5 s
    auto s = state->snapshot();
    REQUIRE(s.last_event);
    CHECK(s.last_event->ongoing);
    CHECK(s.events_total == 0);
    feed(live, t0, 10.6, 11, -25);
    feed(live, t0, 11, 13.1, -50); // 2 s of quiet: over
    s = state->snapshot();
    REQUIRE(s.last_event);
    CHECK_FALSE(s.last_event->ongoing);
    CHECK(s.last_event->duration == Approx(1.0));
    CHECK(s.last_event->score == Approx(25).margin(0.1));
    CHECK(s.events_total == 1);
    CHECK(s.events_suppressed == 0);

    feed(live, t0, 13.1, 20, -50);
    feed(live, t0, 20, 21, -20); // 10 s after the first: within the cooldown
    feed(live, t0, 21, 30, -50);
    s = state->snapshot();
    CHECK(s.events_total == 2);
    CHECK(s.events_suppressed == 1);
    CHECK(s.last_event->score == Approx(30).margin(0.1));

    feed(live, t0, 30, 50, -50);
    feed(live, t0, 50, 51, -20); // 40 s after the first hook: runs again
    live.finish();               // reported although min_gap has not passed
    s = state->snapshot();
    CHECK(s.events_total == 3);
    CHECK(s.events_suppressed == 1);
}
