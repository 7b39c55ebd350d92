#include "recorder/alarm_watch.hpp"

#include "common/time_format.hpp"
#include "recorder/source_state.hpp"

#include <catch2/catch.hpp>

using isr::rec::AlarmWatch;

TEST_CASE("silence below the threshold for the alarm's seconds raises it once, sound clears it",
          "[recorder][alarm]") {
    AlarmWatch w(30, -60, true, 0);
    double t = 0;
    for (; t < 10; t += 1)
        w.heard(t, -20.0); // loud
    REQUIRE(w.check(t, true).empty());
    for (; t < 38; t += 1)
        w.heard(t, -70.0); // silent from second 9 on (the level covers the second before)
    REQUIRE(w.check(t, true).empty());
    w.heard(t, -70.0);
    auto changes = w.check(t + 1, true);
    REQUIRE(changes.size() == 1);
    REQUIRE(changes[0].raised);
    REQUIRE(changes[0].kind == "silence");
    REQUIRE(changes[0].since == Approx(9));
    REQUIRE(changes[0].message.find("-60.0 dBFS") != std::string::npos);
    REQUIRE(w.check(t + 2, true).empty()); // raised once
    w.heard(t + 3, -65.0);
    REQUIRE(w.check(t + 3, true).empty());
    w.heard(t + 4, -12.0);
    changes = w.check(t + 5, true);
    REQUIRE(changes.size() == 1);
    REQUIRE_FALSE(changes[0].raised);
    REQUIRE(changes[0].kind == "silence");
    REQUIRE(w.raised() == std::nullopt);
}

TEST_CASE("no data for the alarm's seconds raises no_data, before silence, and data clears it",
          "[recorder][alarm]") {
    AlarmWatch w(10, -60, true, 100);
    REQUIRE(w.check(109, true).empty());
    auto changes = w.check(110, true); // nothing ever arrived
    REQUIRE(changes.size() == 1);
    REQUIRE(changes[0].kind == "no_data");
    REQUIRE(changes[0].since == Approx(100));
    w.heard(111, -90.0);
    for (double t = 112; t < 125; t += 1)
        w.heard(t, -90.0);
    // Data again but silent: no_data clears and silence is raised, in one check.
    changes = w.check(125, true);
    REQUIRE(changes.size() == 2);
    REQUIRE_FALSE(changes[0].raised);
    REQUIRE(changes[0].kind == "no_data");
    REQUIRE(changes[1].raised);
    REQUIRE(changes[1].kind == "silence");
    // The source stops delivering: silence becomes no_data.
    changes = w.check(136, true);
    REQUIRE(changes.size() == 2);
    REQUIRE(changes[1].kind == "no_data");
}

TEST_CASE("a stream has only the no_data alarm, and 0 seconds means no alarm",
          "[recorder][alarm]") {
    AlarmWatch stream(5, -60, false, 0);
    for (double t = 0; t < 20; t += 1)
        stream.heard(t, -100.0);
    REQUIRE(stream.check(20, true).empty());
    REQUIRE(stream.check(25, true).size() == 1);
    AlarmWatch off(0, -60, true, 0);
    REQUIRE(off.check(1e6, true).empty());
}

TEST_CASE("a paused source has no alarm and starts counting again when it resumes",
          "[recorder][alarm]") {
    AlarmWatch w(10, -60, true, 0);
    REQUIRE(w.check(10, true).size() == 1); // no data
    auto changes = w.check(12, false);
    REQUIRE(changes.size() == 1);
    REQUIRE_FALSE(changes[0].raised);
    REQUIRE(w.check(100, false).empty());
    REQUIRE(w.check(101, true).empty()); // resumed: counted from here
    REQUIRE(w.check(110, true).empty());
    REQUIRE(w.check(111, true).size() == 1);
}

TEST_CASE("SourceState shows a raised alarm in status.json and clears it", "[recorder][alarm]") {
    isr::SourceConfig cfg;
    cfg.name = "mic";
    cfg.silence_alarm_seconds = 5;
    isr::SourceStatus initial;
    initial.name = "mic";
    isr::rec::SourceState state(initial);
    state.watch_alarms(cfg, 0);
    state.recording();
    REQUIRE(state.check_alarms(4, 1'800'000'000).empty());
    REQUIRE(state.check_alarms(6, 1'800'000'000).size() == 1);
    auto snap = state.snapshot();
    REQUIRE(snap.alarm.has_value());
    REQUIRE(snap.alarm->kind == "no_data");
    REQUIRE(isr::parse_iso8601(snap.alarm->since).value() == Approx(1'800'000'000.0));
    isr::Status status;
    status.sources.push_back(snap);
    const auto parsed = isr::parse_status(isr::to_json(status));
    REQUIRE(parsed->sources.at(0).alarm->kind == "no_data");
    REQUIRE(parsed->sources.at(0).alarm->since == snap.alarm->since);
    state.heard(-10.0, 7);
    REQUIRE(state.check_alarms(8, 1'800'000'000).size() == 1);
    REQUIRE_FALSE(state.snapshot().alarm.has_value());
}
