// Names from URLs cannot leave the recordings folder; deletes cannot come from other sites.
#include "common/status_file.hpp"
#include "common/time_format.hpp"
#include "tests/integration/support/web_fixture.hpp"

#include <catch2/catch.hpp>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST_CASE("path traversal attempts get a plain 404 or 400 and no file outside the root",
          "[integration][web]") {
    TempDir dir("isr-web-traversal");
    const auto rec = dir / "rec";
    TestArchive::build(rec);
    // Symlinks out of the root: a file and a folder.
    fs::create_directories(dir / "outside");
    write_file(dir / "outside" / "secret.wav", "RIFF-secret-outside");
    fs::create_symlink("/etc/passwd", rec / "passwd.wav");
    fs::create_symlink(dir / "outside", rec / "escape");
    fs::create_symlink(dir / "outside" / "secret.wav", rec / "secret.wav");
    // A symlink that stays inside is fine.
    fs::create_symlink("radio/radio_20261121_160000.mp3", rec / "alias.mp3");
    WebServer web(rec);

    const std::vector<std::string> attacks = {
        "/stream/../notes.txt",
        "/stream/..%2fnotes.txt",
        "/stream/%2e%2e/%2e%2e/etc/passwd",
        "/stream/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/stream/%252e%252e%252fetc%252fpasswd",
        "/stream/..%252f..%252fetc%252fpasswd",
        "/stream/%25252e%25252e/etc/passwd",
        "/stream//etc/passwd",
        "/stream/%2fetc%2fpasswd",
        "/stream/..\\..\\etc\\passwd",
        "/stream/..%5c..%5cetc%5cpasswd",
        "/stream/%2e%2e%5c%2e%2e%5cetc%5cpasswd",
        "/stream/radio/../../notes.txt",
        "/stream/radio/%2e%2e/%2e%2e/etc/passwd",
        "/stream/radio%2f..%2f..%2fnotes.txt",
        "/stream/2026/11/21/../../../../etc/passwd",
        "/stream/./radio/radio_20261121_160000.mp3",
        "/stream/radio/./radio_20261121_160000.mp3",
        "/stream/radio//radio_20261121_160000.mp3",
        "/stream/....//....//etc/passwd",
        "/stream/..;/notes.txt",
        "/stream/%00",
        "/stream/notes.txt%00.wav",
        "/stream/rec.wav%00",
        "/stream/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
        "/stream/..%c0%af..%c0%afetc%c0%afpasswd",
        "/stream/%u002e%u002e/etc/passwd",
        "/stream/~/.ssh/id_rsa",
        "/stream/.hidden.wav",
        "/stream/analyses/radio/cached.wav",
        "/stream/status.json",
        "/stream/notes.txt",
        "/stream/passwd.wav",
        "/stream/escape/secret.wav",
        "/stream/secret.wav",
        "/download/../../etc/passwd",
        "/download/%2e%2e/%2e%2e/etc/passwd",
        "/download/escape/secret.wav",
        "/stream/" + rec.string() + "/2026/11/21/rec_140000.wav",
        "/stream/%2F" + rec.string().substr(1) + "/2026/11/21/rec_140000.wav",
    };
    REQUIRE(attacks.size() >= 30);
    for (const auto& target : attacks) {
        INFO(target);
        const auto r = web.get(target);
        CHECK((r.status == 404 || r.status == 400));
        CHECK_THAT(r.body, Catch::StartsWith("{\"error\":"));
        CHECK_THAT(r.body, !Catch::Contains("root:") && !Catch::Contains("RIFF-secret") &&
                               !Catch::Contains(dir.path().string()));
    }
    for (const std::string target :
         {"/api/files/../notes.txt", "/api/files/%2e%2e/notes.txt", "/api/files/escape/secret.wav",
          "/api/files/passwd.wav", "/api/files/analyses/radio/cached.wav"}) {
        INFO("DELETE " << target);
        const auto r = http_request(web.port(), "DELETE", target);
        CHECK((r.status == 404 || r.status == 400));
    }
    CHECK(fs::exists(rec / "notes.txt"));
    CHECK(fs::exists(dir / "outside" / "secret.wav"));
    CHECK(fs::exists("/etc/passwd"));
    CHECK(web.get("/stream/alias.mp3").status == 200);
    // The listing does not include what cannot be served.
    const auto list = web.get("/api/files").body;
    CHECK_THAT(list, !Catch::Contains("secret") && !Catch::Contains("passwd") &&
                         !Catch::Contains("hidden"));
    CHECK_THAT(list, Catch::Contains("alias.mp3"));
}

TEST_CASE("DELETE removes the recording and its analysis cache, refuses other sites",
          "[integration][web]") {
    TempDir dir("isr-web-delete");
    const auto rec = dir / "rec";
    TestArchive::build(rec);
    const std::string name = "radio/radio_20261121_160000.mp3";
    write_file(rec / "analyses" / (name + ".levels"), "x");
    write_file(rec / "analyses" / (name + ".analysis.json"), "{}");
    // An orphan in the cache (its recording is gone) is pruned at start-up.
    write_file(rec / "analyses" / "gone" / "old.wav.levels", "x");
    WebServer web(rec);
    CHECK_FALSE(fs::exists(rec / "analyses" / "gone"));
    CHECK(fs::exists(rec / "analyses" / (name + ".levels")));

    const auto port = web.port();
    const auto origin = "http://127.0.0.1:" + std::to_string(port);
    CHECK(http_request(port, "DELETE", "/api/files/" + name, {{"Origin", "http://evil.example"}})
              .status == 403);
    CHECK(http_request(port, "DELETE", "/api/files/" + name, {{"Origin", "null"}}).status == 403);
    CHECK(http_request(port, "DELETE", "/api/files/" + name, {{"Sec-Fetch-Site", "cross-site"}})
              .status == 403);
    CHECK(http_request(port, "DELETE", "/api/files/" + name, {{"Sec-Fetch-Site", "same-site"}})
              .status == 403);
    REQUIRE(fs::exists(rec / name));

    const auto ok = http_request(port, "DELETE", "/api/files/" + name,
                                 {{"Origin", origin}, {"Sec-Fetch-Site", "same-origin"}});
    CHECK(ok.status == 200);
    CHECK(ok.body == "{\"deleted\":\"" + name + "\"}");
    CHECK_FALSE(fs::exists(rec / name));
    CHECK_FALSE(fs::exists(rec / "analyses" / (name + ".levels")));
    CHECK_FALSE(fs::exists(rec / "analyses" / (name + ".analysis.json")));
    CHECK(web.get("/stream/" + name).status == 404);
    CHECK(http_request(port, "DELETE", "/api/files/" + name).status == 404);

    // curl and scripts send no Origin: allowed. The emptied folder goes too.
    CHECK(http_request(port, "DELETE", "/api/files/garden/garden_2026-11-20_2330.wav").status ==
          200);
    CHECK_FALSE(fs::exists(rec / "garden"));
    CHECK(fs::exists(rec));

    // A file being recorded cannot be deleted.
    mark_recording(rec, {"2026/11/21/rec_140000.wav"});
    std::this_thread::sleep_for(600ms);
    const auto busy = http_request(port, "DELETE", "/api/files/2026/11/21/rec_140000.wav");
    CHECK(busy.status == 409);
    CHECK_THAT(busy.body, Catch::Contains("still being recorded"));
    CHECK(fs::exists(rec / "2026/11/21/rec_140000.wav"));
}

TEST_CASE("read-only mode (--read-only) refuses DELETE with 403", "[integration][web]") {
    TempDir dir("isr-web-ro");
    const auto rec = dir / "rec";
    TestArchive::build(rec);
    WebServer web(rec, {"--read-only"});
    const auto r = http_request(web.port(), "DELETE", "/api/files/2026/11/21/rec_140000.wav");
    CHECK(r.status == 403);
    CHECK_THAT(r.body, Catch::Contains("read-only"));
    CHECK(fs::exists(rec / "2026/11/21/rec_140000.wav"));
}
