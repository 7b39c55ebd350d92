#include "common/status_file.hpp"
#include "common/time_format.hpp"
#include "recorder/ledger/downtime.hpp"
#include "tests/recorder/scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace isr;
using namespace isr::rec;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

constexpr double kNow = 1796000000; // 2026-11-30

} // namespace

TEST_CASE("downtime: a status.json left behind is a run that ended without stopping",
          "[recorder][ledger]") {
    isr::test::ScratchDir scratch("isr-downtime");
    const auto status = scratch.path / "status.json";
    const auto events = scratch.path / "events";
    CHECK_FALSE(previous_downtime(status, events, kNow)); // a first start

    Status s;
    s.updated = iso8601(std::chrono::system_clock::time_point(std::chrono::seconds(1795999000)));
    write_status_file(status, s);
    // Even with a clean stop in the ledger (an older run's): status.json is the newer sign.
    write(events / "2026-11.jsonl", R"({"time":"2026-11-30T00:00:00.000+00:00","event":"stop"})"
                                    "\n");
    const auto down = previous_downtime(status, events, kNow);
    REQUIRE(down);
    CHECK(down->reason == "not_running");
    CHECK(down->start_utc == Approx(1795999000));
    CHECK_THAT(down->detail, Catch::Contains("killed"));
    // A clock set back: nothing to say.
    CHECK_FALSE(previous_downtime(status, events, 1795998000));
}

TEST_CASE("downtime: a stop as the ledger's last line is a clean stop, anything else says nothing",
          "[recorder][ledger]") {
    isr::test::ScratchDir scratch("isr-downtime-stop");
    const auto status = scratch.path / "status.json";
    const auto events = scratch.path / "events";
    write(events / "2026-10.jsonl",
          R"({"time":"2026-10-31T23:00:00.000+00:00","event":"stop","reason":"SIGINT"})"
          "\n");
    write(events / "2026-11.jsonl",
          R"({"time":"2026-11-29T10:00:00.000+00:00","event":"start"})"
          "\n"
          R"({"time":"2026-11-29T12:00:00.500+00:00","event":"stop","reason":"SIGTERM"})"
          "\n");
    write(events / "notes.jsonl", R"({"time":"2026-12-01T00:00:00+00:00","event":"stop"})"
                                  "\n");
    const auto down = previous_downtime(status, events, kNow);
    REQUIRE(down);
    CHECK(down->reason == "stopped");
    CHECK(down->detail == "isrd was stopped (SIGTERM)");
    CHECK(down->start_utc == Approx(*parse_iso8601("2026-11-29T12:00:00.500+00:00")));

    // A last line cut by a crash (no newline) is not whole: the one before is not the last.
    write(events / "2026-11.jsonl", R"({"time":"2026-11-29T12:00:00.500+00:00","event":"stop"})"
                                    "\n"
                                    R"({"time":"2026-11-29T13:00:00.000+00:00","event":"file_op)");
    CHECK_FALSE(previous_downtime(status, events, kNow));
    // The last whole line is no stop: nothing to say (a killed run leaves status.json instead).
    write(events / "2026-11.jsonl",
          R"({"time":"2026-11-29T13:00:00.000+00:00","event":"file_opened"})"
          "\n");
    CHECK_FALSE(previous_downtime(status, events, kNow));
    // A link in place of the month file is not followed.
    fs::remove(events / "2026-11.jsonl");
    fs::create_symlink(events / "2026-10.jsonl", events / "2026-11.jsonl");
    CHECK_FALSE(previous_downtime(status, events, kNow));
}
