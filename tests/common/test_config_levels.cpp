#include "common/config.hpp"
#include "common/strings.hpp"

#include <catch2/catch.hpp>

using namespace isr;

namespace {

std::string error_of(const std::string& text) {
    try {
        parse_config(text, "test.ini");
    } catch (const ConfigError& e) {
        return join(e.errors(), " | ");
    }
    return {};
}

} // namespace

TEST_CASE("analyses_directory: [general] only, default inside output_directory, given to every "
          "source",
          "[common][config]") {
    auto c = parse_config("[general]\noutput_directory = /srv/rec\n[mic]\ntype = generator\n", "t");
    CHECK(c.general.analyses() == "/srv/rec/analyses");
    CHECK(c.sources.at(0).analyses_directory == "/srv/rec/analyses");
    CHECK_THAT(describe_config(c), Catch::Contains("analyses_directory = /srv/rec/analyses  #"));

    c = parse_config("[general]\nanalyses_directory = cache\n[mic]\ntype = generator\n", "t");
    CHECK(c.sources.at(0).analyses_directory == "cache");
    CHECK_THAT(describe_config(c), Catch::Contains("analyses_directory = cache\n"));

    CHECK_THAT(error_of("[mic]\ntype = generator\nanalyses_directory = x\n"),
               Catch::Contains("analyses_directory can only be set in [general]"));
    CHECK_THAT(error_of("[general]\nanalyses_directory =\n[mic]\ntype = generator\n"),
               Catch::Contains("must not be empty"));
}

TEST_CASE("levels and live event keys: defaults, ranges, the on_event command",
          "[common][config]") {
    auto c = parse_config("[general]\nlive_events = yes\n[a]\ntype = generator\n[b]\ntype = "
                          "soundcard\nlevels = no\nevent_margin = 20\nevent_min_duration = 1\n"
                          "event_min_gap = 10\nevent_cooldown_seconds = 0\n"
                          "on_event = notify-send \"Loud: $1\"\n",
                          "t");
    const auto& a = c.sources.at(0);
    CHECK(a.levels);
    CHECK(a.live_events);
    CHECK(a.event_margin == 12);
    CHECK(a.event_min_duration == 0.5);
    CHECK(a.event_min_gap == 2);
    CHECK(a.event_cooldown_seconds == 60);
    CHECK(a.on_event.empty());
    const auto& b = c.sources.at(1);
    CHECK_FALSE(b.levels);
    CHECK(b.event_margin == 20);
    CHECK(b.event_min_duration == 1);
    CHECK(b.event_min_gap == 10);
    CHECK(b.event_cooldown_seconds == 0);
    CHECK(b.on_event == std::vector<std::string>{"notify-send", "Loud: $1"});
    const auto text = describe_config(c);
    CHECK_THAT(text, Catch::Contains("levels = no\n"));
    CHECK_THAT(text, Catch::Contains("event_margin = 20\n"));
    CHECK_THAT(text, Catch::Contains("on_event = "));

    CHECK_THAT(error_of("[a]\ntype = generator\nevent_margin = 0\n"),
               Catch::Contains("out of range (1 to 60 dB)"));
    CHECK_THAT(error_of("[a]\ntype = generator\nevent_min_gap = 0\n"),
               Catch::Contains("event_min_gap = 0: out of range"));
    CHECK_THAT(error_of("[a]\ntype = generator\nlive_events = maybe\n"),
               Catch::Contains("not a yes/no value"));

    c = parse_config("[a]\ntype = generator\nrecord = no\nreplay_seconds = 10\nlive_events = "
                     "yes\n",
                     "t");
    REQUIRE(c.warnings.size() == 1);
    CHECK_THAT(c.warnings[0], Catch::Contains("live_events = yes has no effect with record = no"));
}
TEST_CASE("levels: yes by default, no per source or from [general], refused when not yes/no",
          "[common][config]") {
    const auto c = parse_config("[general]\nlevels = no\n"
                                "[radio]\ntype = stream\nurl = http://radio.example/live\n"
                                "[studio]\ntype = stream\nurl = http://radio.example/studio\n"
                                "levels = yes\n",
                                "test.ini");
    REQUIRE(c.sources.size() == 2);
    CHECK_FALSE(c.sources[0].levels);
    CHECK(c.sources[1].levels);
    CHECK_THAT(describe_config(c), Catch::Contains("[radio]") && Catch::Contains("levels = no") &&
                                       Catch::Contains("levels = yes"));
    CHECK(parse_config("[gen]\ntype = generator\n", "test.ini").sources[0].levels);
    try {
        parse_config("[radio]\ntype = stream\nurl = http://radio.example/live\nlevels = maybe\n",
                     "test.ini");
        FAIL("levels = maybe was accepted");
    } catch (const ConfigError& e) {
        REQUIRE(e.errors().size() == 1);
        CHECK_THAT(e.errors()[0], Catch::Contains("test.ini:4") && Catch::Contains("levels") &&
                                      Catch::Contains("yes, no"));
    }
}
