#include "common/status_file.hpp"

#include <catch2/catch.hpp>

using namespace isr;

TEST_CASE("status.json carries a source's last loud event and its event counters", "[common]") {
    Status s;
    SourceStatus garden;
    garden.name = "garden";
    garden.last_event = LoudEventStatus{"2026-11-21T03:12:07.250+01:00", 2.3, 24.1, true};
    garden.events_total = 7;
    garden.events_suppressed = 3;
    s.sources.push_back(garden);
    s.sources.push_back(SourceStatus{});
    const auto json = to_json(s);
    CHECK_THAT(json, Catch::Contains(R"("last_event":null)"));
    const auto back = parse_status(json);
    REQUIRE(back);
    const auto& g = back->sources.at(0);
    REQUIRE(g.last_event);
    CHECK(g.last_event->start == "2026-11-21T03:12:07.250+01:00");
    CHECK(g.last_event->duration == 2.3);
    CHECK(g.last_event->score == 24.1);
    CHECK(g.last_event->ongoing);
    CHECK(g.events_total == 7);
    CHECK(g.events_suppressed == 3);
    CHECK_FALSE(back->sources.at(1).last_event);
    CHECK(back->sources.at(1).events_total == 0);
}
