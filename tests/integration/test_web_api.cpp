// isr-web's JSON API over real HTTP: listing, status, storage, config, errors, the UI.
#include "common/json.hpp"
#include "common/status_file.hpp"
#include "common/time_format.hpp"
#include "tests/integration/support/web_fixture.hpp"

#include <catch2/catch.hpp>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const rapidjson::Value* find_file(const rapidjson::Document& list, const std::string& name) {
    for (const auto& f : list.GetArray()) {
        if (f["name"].GetString() == name)
            return &f;
    }
    return nullptr;
}

} // namespace

TEST_CASE("/api/files lists every recording with durations that agree with ffprobe",
          "[integration][web]") {
    TempDir dir("isr-web-files");
    const auto rec = dir / "rec";
    TestArchive::build(rec);
    WebServer web(rec, {"--timezone", "UTC"});

    const auto r = web.get("/api/files");
    REQUIRE(r.status == 200);
    CHECK_THAT(r.header("content-type"), Catch::StartsWith("application/json"));
    const auto list = parse_json(r.body);
    REQUIRE(list.IsArray());
    CHECK(list.Size() == TestArchive::files().size()); // no notes.txt, hidden file or cache
    for (const auto& f : TestArchive::files()) {
        INFO(f.name);
        const auto* e = find_file(list, f.name);
        REQUIRE(e);
        const auto path = rec / f.name;
        CHECK((*e)["size"].GetUint64() == fs::file_size(path));
        CHECK((*e)["sample_rate"].GetInt() == f.rate);
        CHECK((*e)["channels"].GetInt() == f.channels);
        CHECK((*e)["recording"].GetBool() == false);
        CHECK((*e)["analyses"].IsArray());
        REQUIRE((*e)["duration"].IsNumber());
        const double probe = ffprobe_duration(path);
        CHECK((*e)["duration"].GetDouble() == Approx(probe).margin(0.06));
        CHECK((*e)["duration"].GetDouble() == Approx(f.seconds).margin(0.1));
        CHECK((*e)["start_from_name"].GetBool());
    }
    // Start times come from the names, in the server's zone.
    CHECK(std::string((*find_file(list, "2026/11/21/rec_140000.wav"))["date"].GetString()) ==
          "2026-11-21T14:00:00+00:00");
    CHECK(
        std::string((*find_file(list, "garden/garden_2026-11-20_2330.wav"))["date"].GetString()) ==
        "2026-11-20T23:30:00+00:00");
    CHECK(
        std::string((*find_file(list, "radio/radio_20261121_190000.aac"))["format"].GetString()) ==
        "aac");
    // Newest first.
    CHECK(std::string(list[0]["name"].GetString()) == "radio/radio_20261121_190000.aac");

    // Filters for scripts.
    const auto day = parse_json(web.get("/api/files?date=2026-11-20").body);
    REQUIRE(day.Size() == 1);
    CHECK(std::string(day[0]["name"].GetString()) == "garden/garden_2026-11-20_2330.wav");
    CHECK(parse_json(web.get("/api/files?q=radio_").body).Size() == 4);
    const auto bad = web.get("/api/files?date=yesterday");
    CHECK(bad.status == 400);
    CHECK_THAT(bad.body, Catch::Contains("\"error\""));
}

TEST_CASE("/api/status passes status.json through and says when it is stale or missing",
          "[integration][web]") {
    TempDir dir("isr-web-status");
    const auto rec = dir / "rec";
    fs::create_directories(rec);
    WebServer web(rec);

    auto doc = parse_json(web.get("/api/status").body);
    CHECK(doc["running"].GetBool() == false);
    CHECK(doc["active"].Size() == 0);

    Status s;
    s.updated = iso8601_now();
    s.pid = 42;
    s.active = {"a.wav"};
    SourceStatus src;
    src.name = "mic";
    src.state = RunState::recording;
    s.sources.push_back(src);
    write_status_file(rec / "status.json", s);
    std::this_thread::sleep_for(600ms); // the server re-reads it twice a second
    doc = parse_json(web.get("/api/status").body);
    CHECK(doc["running"].GetBool());
    CHECK_FALSE(doc["stale"].GetBool());
    CHECK(doc["pid"].GetInt() == 42);
    CHECK(std::string(doc["sources"][0]["name"].GetString()) == "mic");

    s.updated = iso8601(std::chrono::system_clock::now() - 60s);
    write_status_file(rec / "status.json", s);
    std::this_thread::sleep_for(600ms);
    doc = parse_json(web.get("/api/status").body);
    CHECK(doc["stale"].GetBool());
    CHECK_FALSE(doc["running"].GetBool());
    CHECK(doc["age_seconds"].GetDouble() > 55);
}

TEST_CASE("/api/storage and /api/config", "[integration][web]") {
    TempDir dir("isr-web-storage");
    const auto rec = dir / "rec";
    TestArchive::build(rec);
    WebServer web(rec, {"--margin", "15", "--min-gap", "3", "--min-duration", "1", "--read-only"});
    const auto storage = parse_json(web.get("/api/storage").body);
    CHECK(storage["total_bytes"].GetUint64() > 0);
    CHECK(storage["free_bytes"].GetUint64() <= storage["total_bytes"].GetUint64());
    CHECK(storage["recordings_count"].GetUint64() == TestArchive::files().size());
    std::uint64_t bytes = 0;
    for (const auto& f : TestArchive::files())
        bytes += fs::file_size(rec / f.name);
    CHECK(storage["recordings_bytes"].GetUint64() == bytes);

    const auto config = parse_json(web.get("/api/config").body);
    CHECK(config["margin"].GetDouble() == 15);
    CHECK(config["min_gap"].GetDouble() == 3);
    CHECK(config["min_duration"].GetDouble() == 1);
    CHECK(config["read_only"].GetBool());
}

TEST_CASE("errors are JSON with the right status", "[integration][web]") {
    TempDir dir("isr-web-errors");
    const auto rec = dir / "rec";
    TestArchive::build(rec);
    WebServer web(rec);
    struct Row {
        std::string method;
        std::string target;
        int status;
    };
    const Row rows[] = {
        {"GET", "/api/nothing", 404},
        {"GET", "/stream/missing.wav", 404},
        {"GET", "/download/notes.txt", 404},
        {"POST", "/api/files", 405},
        {"PUT", "/stream/2026/11/21/rec_140000.wav", 405},
        {"GET", "/stream/%zz", 400},
        {"DELETE", "/api/files/missing.wav", 404},
    };
    for (const auto& row : rows) {
        INFO(row.method << ' ' << row.target);
        const auto r = http_request(web.port(), row.method, row.target);
        CHECK(r.status == row.status);
        CHECK_THAT(r.header("content-type"), Catch::StartsWith("application/json"));
        CHECK_THAT(r.body, Catch::StartsWith("{\"error\":\""));
        if (row.status == 405)
            CHECK_THAT(r.header("allow"), Catch::Contains("GET"));
    }
    // HEAD answers every GET route, with the GET's headers and no body.
    for (const std::string target :
         {"/api/files", "/api/status", "/api/config", "/api/storage", "/",
          "/stream/2026/11/21/rec_140000.wav", "/download/radio/radio_20261121_160000.mp3"}) {
        INFO(target);
        const auto get = web.get(target);
        const auto head = http_request(web.port(), "HEAD", target);
        CHECK(head.status == 200);
        CHECK(head.body.empty());
        CHECK(head.header("content-type") == get.header("content-type"));
        CHECK(head.header("content-length") == std::to_string(get.body.size()));
    }
    // Bad command lines: a clear message and exit code 2.
    for (const std::string args :
         {"--port 99999", "--margin -1", "--min-gap abc", "--idle-exit 0", "--bogus"}) {
        INFO(args);
        const auto r = run_command("'" + isr_web_path().string() + "' " + args);
        CHECK(r.status == 2);
        CHECK_THAT(r.output, Catch::StartsWith("isr-web: "));
    }
    const auto missing_dir =
        run_command("'" + isr_web_path().string() + "' --dir /nonexistent/rec --port 0");
    CHECK(missing_dir.status == 1);
    CHECK_THAT(missing_dir.output, Catch::Contains("/nonexistent/rec does not exist"));
}

TEST_CASE("the web UI is served from the binary with types and revalidation",
          "[integration][web]") {
    TempDir dir("isr-web-ui");
    fs::create_directories(dir / "rec");
    WebServer web(dir / "rec");
    const auto index = web.get("/");
    REQUIRE(index.status == 200);
    CHECK(index.header("content-type") == "text/html; charset=utf-8");
    CHECK(index.header("cache-control") == "no-cache");
    CHECK_THAT(index.body, Catch::Contains("<html") || Catch::Contains("<!doctype html"));
    const auto again = web.get("/", {{"If-None-Match", index.header("etag")}});
    CHECK(again.status == 304);
    CHECK(again.body.empty());
    const auto js = web.get("/app.js");
    CHECK(js.status == 200);
    CHECK(js.header("content-type") == "text/javascript; charset=utf-8");
    CHECK(web.get("/style.css").header("content-type") == "text/css; charset=utf-8");
}
