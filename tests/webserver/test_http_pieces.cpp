#include "common/time_zone.hpp"
#include "webserver/archive/name_time.hpp"
#include "webserver/archive/recordings_root.hpp"
#include "webserver/byte_range.hpp"
#include "webserver/handlers/params.hpp"
#include "webserver/request.hpp"
#include "webserver/router.hpp"

#include <catch2/catch.hpp>

using namespace isr;
using namespace isr::web;

TEST_CASE("Range headers", "[web]") {
    const auto range = [](const char* h, std::uint64_t size) { return parse_range(h, size); };
    CHECK(std::holds_alternative<NoRange>(range("", 100)));
    CHECK(std::get<ByteRange>(range("bytes=0-1", 100)).last == 1);
    CHECK(std::get<ByteRange>(range("bytes=-10", 100)).first == 90);
    CHECK(std::get<ByteRange>(range("bytes=95-200", 100)).last == 99);
    CHECK(std::get<ByteRange>(range(" BYTES = 5 - ", 100)).first == 5);
    CHECK(std::holds_alternative<NoRange>(range("bytes=0-1,4-5", 100)));
    // A unit other than bytes is ignored (RFC 9110 14.2): the whole file, not a 416.
    CHECK(std::holds_alternative<NoRange>(range("items=0-1", 100)));
    CHECK(std::holds_alternative<NoRange>(range("lines=5-", 100)));
    for (const char* bad :
         {"bytes=100-", "bytes=5-1", "bytes=x-1", "bytes=-0", "bytes=-", "bytes"}) {
        INFO(bad);
        CHECK(std::holds_alternative<UnsatisfiableRange>(range(bad, 100)));
    }
}

TEST_CASE("request targets decode once", "[web]") {
    std::string path;
    std::map<std::string, std::string, std::less<>> query;
    REQUIRE(parse_target("/stream/a%20b.wav?file=x%2By&margin=12&flag", path, query));
    CHECK(path == "/stream/a b.wav");
    CHECK(query["file"] == "x+y");
    CHECK(query["margin"] == "12");
    CHECK(query.count("flag") == 1);
    REQUIRE(parse_target("/x?q=a+b", path, query));
    CHECK(query["q"] == "a b");
    CHECK_FALSE(parse_target("/bad%zz", path, query));
    CHECK_FALSE(parse_target("http://example.com/", path, query));
    REQUIRE(parse_target("/%252e%252e", path, query));
    CHECK(path == "/%2e%2e"); // decoded once only
}

TEST_CASE("the route table matches methods and rest patterns", "[web]") {
    const auto ok = [](auto&, auto& p) {
        Response r;
        r.body = p.empty() ? "-" : p[0];
        return r;
    };
    Router router({{Method::get, "/api/files", ok},
                   {Method::delete_, "/api/files/{path*}", ok},
                   {Method::get, "/stream/{path*}", ok}});
    auto m = router.match(Method::get, "/stream/a/b.wav");
    REQUIRE(m.route);
    CHECK(m.params == std::vector<std::string>{"a/b.wav"});
    CHECK(router.match(Method::head, "/api/files").route); // GET routes answer HEAD
    m = router.match(Method::post, "/api/files");
    CHECK_FALSE(m.route);
    CHECK(m.allowed == std::vector<std::string>{"GET", "HEAD"});
    CHECK_FALSE(router.match(Method::get, "/stream/").route);
    Request q;
    q.method = Method::post;
    q.path = "/api/files";
    CHECK(router.handle(q, router.match(q.method, q.path)).status == 405);
    q.path = "/nothing";
    CHECK(router.handle(q, router.match(q.method, q.path)).status == 404);
}

TEST_CASE("safe names from URLs", "[web]") {
    // Names are decoded once, then taken literally: "%41" is three characters of a file name
    // (the listing shows it so), never a second round of decoding.
    for (const char* good : {"a.wav", "radio/2026/11/21/r_1.mp3", "a b.flac", "ü.ogg", "x%41.wav",
                             "%2e%2e.wav", "h#1.wav",
                             "f\xef\xbc\x83"
                             "2.wav",
                             "q\"uote.wav", "back\\slash.wav"}) {
        INFO(good);
        CHECK(RecordingsRoot::safe_name(good));
    }
    for (const char* bad :
         {"", "/abs.wav", "../x.wav", "a/../b.wav", "a//b.wav", "./a.wav", ".hidden.wav",
          "a/.b/c.wav", "..\\..\\x.wav", "x\x01.wav", "x\x7f.wav", "a/\n.wav"}) {
        INFO(bad);
        CHECK_FALSE(RecordingsRoot::safe_name(bad));
    }
    CHECK_FALSE(RecordingsRoot::safe_name(std::string("a\0b.wav", 7)));
}

TEST_CASE("times in query parameters", "[web]") {
    CHECK(parse_time("65.5") == 65.5);
    CHECK(parse_time("1:05.5") == 65.5);
    CHECK(parse_time("1:00:05") == 3605);
    CHECK(parse_time(" 0:30 ") == 30);
    CHECK(parse_time("8784:00:00") == kMaxTimeSeconds);
    for (const char* bad : {"", "abc", "1:60", "1:2:3:4", "-5", "1.5:00", "1::0", "1e15",
                            "1e308:00:00", "8784:00:01", "inf", "nan", "0x10"}) {
        INFO(bad);
        CHECK_FALSE(parse_time(bad));
    }
    CHECK(format_time(65.5) == "1:05.5");
    CHECK(format_time(3605) == "1:00:05");
}

TEST_CASE("start times from the usual file name patterns", "[web]") {
    const auto& utc = *TimeZone::locate("UTC");
    const std::int64_t t = 1795271400; // 2026-11-21 14:30:00 UTC
    struct Row {
        const char* name;
        std::int64_t expected;
    };
    const Row rows[] = {
        {"20261121_143000.wav", t},
        {"radio1_20261121_143000.mp3", t},
        {"radio_2026-11-21_1430.mp3", t},
        {"2026/11/21/rec_143000.flac", t},
        {"radio1/2026/11/21/radio1_143000_1.mp3", t},
        {"x_20261121T143000.ogg", t},
        {"20261121143000.wav", t},
        {"mic/2026-11-21/14-30-00.wav", t},
    };
    for (const auto& r : rows) {
        INFO(r.name);
        CHECK(start_time_from_name(r.name, utc) == r.expected);
    }
    for (const char* none :
         {"recording.wav", "radio1_143000.mp3", "20261341_143000.wav", "2026.wav"}) {
        INFO(none);
        CHECK_FALSE(start_time_from_name(none, utc));
    }
    // The repeated hour in Berlin: the hint (from mtime) picks which of the two 02:30s.
    const auto& berlin = *TimeZone::locate("Europe/Berlin");
    const std::int64_t cest = 1792888200; // 2026-10-25 02:30 CEST = 00:30 UTC
    CHECK(start_time_from_name("rec_20261025_023000.wav", berlin, cest + 100.0) == cest);
    CHECK(start_time_from_name("rec_20261025_023000.wav", berlin, cest + 3700.0) == cest + 3600);
}
