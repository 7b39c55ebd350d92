// GET /api/events: the continuity ledger of a day, read safely whatever the files hold.
#include "common/json.hpp"
#include "tests/integration/support/web_fixture.hpp"

#include <catch2/catch.hpp>

using namespace isr;
using namespace isr::test;
namespace fs = std::filesystem;

namespace {

const std::string kLedger =
    // A gap that began the day before and ended on the day asked for.
    R"({"time":"2026-11-30T00:00:30.000+01:00","event":"gap","source":"mic","reason":"device_lost","detail":"unplugged","start":"2026-11-29T23:59:50.000+01:00","seconds":40})"
    "\n"
    R"({"time":"2026-11-30T08:00:00.000+01:00","event":"start","version":"1","pid":1,"sources":2})"
    "\n"
    "not json at all\n" +
    std::string(100000, '{') + "\n" + "\x01\xff\xfe binary\n" +
    R"({"time":"nope","event":"gap"})"
    "\n"
    R"({"time":"2026-11-30T09:00:00.000+01:00","event":"gap","source":"radio","reason":"reconnect","start":"2026-11-30T08:59:57.500+01:00","seconds":2.5})"
    "\n"
    R"({"time":"2026-11-29T12:00:00.000+01:00","event":"file_closed","source":"mic","path":"a.wav","seconds":1,"bytes":2})"
    "\n"
    // Being written when isrd was killed: whole JSON without its newline still counts.
    R"({"time":"2026-11-30T10:00:00.000+01:00","event":"alarm","source":"mic","kind":"silence","since":"2026-11-30T09:59:00.000+01:00","message":"quiet"})";

} // namespace

TEST_CASE("/api/events returns a day's ledger events and gaps, skipping hostile lines",
          "[integration][web][ledger]") {
    TempDir dir("isr-web-events");
    const auto rec = dir / "rec";
    fs::create_directories(rec / "events");
    write_file(rec / "events" / "2026-11.jsonl", kLedger);
    WebServer web(rec);

    auto r = web.get("/api/events?date=2026-11-30");
    REQUIRE(r.status == 200);
    auto doc = parse_json(r.body);
    CHECK(doc["events"].Size() == 4);
    CHECK(doc["skipped_lines"].GetInt() == 4);
    REQUIRE(doc["gaps"].Size() == 2);
    CHECK(std::string(doc["gaps"][0]["reason"].GetString()) == "device_lost");
    CHECK(std::string(doc["gaps"][0]["detail"].GetString()) == "unplugged");
    CHECK(doc["gaps"][1]["seconds"].GetDouble() == Approx(2.5));
    CHECK(doc["gap_seconds"].GetDouble() == Approx(42.5));
    CHECK_FALSE(doc["truncated"].GetBool());

    // One source: its events and isrd's own.
    r = web.get("/api/events?date=2026-11-30&source=radio");
    doc = parse_json(r.body);
    REQUIRE(doc["events"].Size() == 2);
    CHECK(std::string(doc["events"][0]["event"].GetString()) == "start");
    CHECK(doc["gaps"].Size() == 1);

    // The day before sees the gap that began on it; a day without a ledger has nothing.
    doc = parse_json(web.get("/api/events?date=2026-11-29").body);
    CHECK(doc["events"].Size() == 2);
    CHECK(doc["gaps"].Size() == 1);
    doc = parse_json(web.get("/api/events?date=2026-12-01").body);
    CHECK(doc["events"].Size() == 0);
    CHECK(doc["gaps"].Size() == 0);

    for (const auto* bad :
         {"/api/events", "/api/events?date=2026-02-30", "/api/events?date=2026-11-30&source=../x",
          "/api/events?date=2026-11-30&source=a%20b"}) {
        INFO(bad);
        r = web.get(bad);
        CHECK(r.status == 400);
        CHECK(parse_json(r.body).HasMember("error"));
    }
}

TEST_CASE("/api/events follows no symbolic link out of the events folder",
          "[integration][web][ledger]") {
    TempDir dir("isr-web-events-link");
    const auto rec = dir / "rec";
    const auto outside = dir / "outside";
    fs::create_directories(rec);
    fs::create_directories(outside / "events");
    write_file(outside / "events" / "2026-11.jsonl", kLedger);
    write_file(outside / "2026-11.jsonl", kLedger);
    fs::create_directory_symlink(outside / "events", rec / "events");
    WebServer web(rec);
    auto doc = parse_json(web.get("/api/events?date=2026-11-30").body);
    CHECK(doc["events"].Size() == 0);

    fs::remove(rec / "events");
    fs::create_directories(rec / "events");
    fs::create_symlink(outside / "2026-11.jsonl", rec / "events" / "2026-11.jsonl");
    doc = parse_json(web.get("/api/events?date=2026-11-30").body);
    CHECK(doc["events"].Size() == 0);
}
