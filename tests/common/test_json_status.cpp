#include "common/json.hpp"
#include "common/status_file.hpp"
#include "common/time_format.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace isr;

TEST_CASE("JSON writer output", "[common]") {
    JsonWriter w;
    w.begin_object()
        .member("s", "a\"b")
        .member("n", 3)
        .member("d", 1.23456)
        .member("nan", std::nan(""))
        .member("none", std::optional<int>{})
        .member("some", std::optional<std::string>{"x"})
        .end_object();
    CHECK(w.str() == R"({"s":"a\"b","n":3,"d":1.235,"nan":null,"none":null,"some":"x"})");
    CHECK(json_quote("é\n") == "\"é\\n\"");
}

TEST_CASE("status.json round-trips and tolerates missing fields", "[common]") {
    Status s;
    s.updated = "2026-11-21T14:03:05+01:00";
    s.pid = 4242;
    s.active = {"radio1/2026/11/21/radio1_140000.mp3", "mic_140000.flac"};
    SourceStatus src;
    src.name = "radio1";
    src.type = SourceType::stream;
    src.state = RunState::recording;
    src.file = s.active[0];
    src.format = "mp3";
    src.bytes = 1234567;
    src.level_dbfs = -18.5;
    s.sources.push_back(src);
    const auto parsed = parse_status(to_json(s));
    REQUIRE(parsed);
    CHECK(parsed->pid == 4242);
    CHECK(parsed->active == s.active);
    REQUIRE(parsed->sources.size() == 1);
    CHECK(parsed->sources[0].bytes == 1234567);
    CHECK(parsed->sources[0].level_dbfs == Approx(-18.5));
    CHECK_FALSE(parsed->sources[0].error);
    CHECK_FALSE(parsed->sources[0].alarm);
    CHECK_FALSE(parsed->alarm);

    const auto partial = parse_status(R"({"active":["a.wav"],"sources":[{"name":"x"}],"extra":1})");
    REQUIRE(partial);
    CHECK(partial->active == std::vector<std::string>{"a.wav"});
    CHECK(partial->sources.at(0).name == "x");
    CHECK(partial->sources.at(0).bytes == 0);
    CHECK_FALSE(parse_status("not json"));
    CHECK_FALSE(parse_status("[1,2]"));
}

TEST_CASE("status.json carries alarms and the bytes written since start", "[common]") {
    Status s;
    s.updated = "2026-11-30T03:12:07+01:00";
    SourceStatus src;
    src.name = "garden";
    src.bytes = 100;
    src.bytes_total = 5000000000ull;
    src.alarm = Alarm{"silence", "2026-11-30T03:02:07+01:00", "garden: silent for 600 s"};
    s.sources.push_back(src);
    s.alarm = Alarm{"disk_low", "2026-11-30T03:00:00+01:00", "3 % free"};
    const auto text = to_json(s);
    const auto parsed = parse_status(text);
    REQUIRE(parsed);
    REQUIRE(parsed->alarm);
    CHECK(parsed->alarm->kind == "disk_low");
    CHECK(parsed->alarm->message == "3 % free");
    REQUIRE(parsed->sources.at(0).alarm);
    CHECK(parsed->sources[0].alarm->since == "2026-11-30T03:02:07+01:00");
    CHECK(parsed->sources[0].alarm->message == "garden: silent for 600 s");
    CHECK(parsed->sources[0].bytes_total == 5000000000ull);

    s.alarm.reset();
    s.sources[0].alarm.reset();
    const auto cleared = parse_status(to_json(s));
    REQUIRE(cleared);
    CHECK_FALSE(cleared->alarm);
    CHECK_FALSE(cleared->sources.at(0).alarm);
}

TEST_CASE("status.json is written atomically and read back with staleness", "[common]") {
    const auto dir = std::filesystem::temp_directory_path() / "isr_test_status";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto path = dir / "status.json";

    CHECK_FALSE(read_status_file(path).present);

    const auto now = std::chrono::system_clock::now();
    Status s;
    s.updated = iso8601(now - std::chrono::seconds(3));
    write_status_file(path, s);
    auto r = read_status_file(path, now);
    CHECK(r.present);
    CHECK(r.status);
    CHECK(r.age_seconds == Approx(3).margin(0.01));
    CHECK_FALSE(r.stale);

    s.updated = iso8601(now - std::chrono::seconds(30));
    write_status_file(path, s);
    r = read_status_file(path, now);
    CHECK(r.stale);
    // No temp files are left next to it.
    int files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir))
        ++files;
    CHECK(files == 1);

    std::ofstream(path) << "{garbage";
    r = read_status_file(path, now);
    CHECK(r.present);
    CHECK_FALSE(r.status);
    std::filesystem::remove_all(dir);
}
