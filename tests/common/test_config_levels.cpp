// The `levels` key (record-time levels), for every source type.
#include "common/config.hpp"

#include <catch2/catch.hpp>

using namespace isr;

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
