#include "common/status_file.hpp"

#include <catch2/catch.hpp>

using namespace isr;

TEST_CASE("status.json carries the recorder-wide disk_low alarm and null without one", "[common]") {
    Status s;
    s.updated = "2026-11-21T14:03:05+01:00";
    CHECK_FALSE(parse_status(to_json(s))->alarm);
    CHECK(to_json(s).find("\"alarm\":") != std::string::npos);
    s.alarm = Alarm{"disk_low", "2026-11-21T14:00:00+01:00", "only 1 % free"};
    const auto parsed = parse_status(to_json(s));
    REQUIRE(parsed);
    REQUIRE(parsed->alarm);
    CHECK(parsed->alarm->kind == "disk_low");
    CHECK(parsed->alarm->since == "2026-11-21T14:00:00+01:00");
    CHECK(parsed->alarm->message == "only 1 % free");
    CHECK_FALSE(parse_status(R"({"alarm": "garbage"})")->alarm);
}
