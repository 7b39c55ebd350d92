#include "common/source_kinds.hpp"
#include "common/status_file.hpp"

#include <catch2/catch.hpp>

using namespace isr;

TEST_CASE("source types and run states are words only at the boundaries", "[common]") {
    for (const auto type : {SourceType::stream, SourceType::soundcard, SourceType::generator}) {
        INFO(to_string(type));
        CHECK(parse_source_type(to_string(type)) == type);
    }
    const auto states = {RunState::starting, RunState::connecting, RunState::recording,
                         RunState::retrying, RunState::failed,     RunState::paused,
                         RunState::stopped};
    std::vector<std::string_view> words;
    for (const auto state : states) {
        INFO(to_string(state));
        CHECK(parse_run_state(to_string(state)) == state);
        words.emplace_back(to_string(state));
    }
    // The words are status.json's contract: exactly these.
    CHECK(words == std::vector<std::string_view>{"starting", "connecting", "recording", "retrying",
                                                 "failed", "paused", "stopped"});
    CHECK_FALSE(parse_source_type("Stream"));
    CHECK_FALSE(parse_run_state(""));
    CHECK_FALSE(parse_run_state("sleeping"));
}

TEST_CASE("status.json carries the words, and a word it does not know keeps the default",
          "[common]") {
    Status s;
    SourceStatus src;
    src.name = "radio";
    src.type = SourceType::stream;
    src.state = RunState::retrying;
    s.sources.push_back(src);
    const auto json = to_json(s);
    CHECK_THAT(json,
               Catch::Contains("\"type\":\"stream\"") && Catch::Contains("\"state\":\"retrying\""));
    const auto back = parse_status(json);
    REQUIRE(back);
    CHECK(back->sources.at(0).type == SourceType::stream);
    CHECK(back->sources.at(0).state == RunState::retrying);
    const auto newer =
        parse_status(R"({"sources":[{"name":"x","type":"satellite","state":"dreaming"}]})");
    REQUIRE(newer);
    CHECK(newer->sources.at(0).type == SourceType::soundcard);
    CHECK(newer->sources.at(0).state == RunState::starting);
}
