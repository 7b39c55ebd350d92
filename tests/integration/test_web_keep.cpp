// POST/DELETE /api/keep/<name>: the .keep marker isrd's retention honours, behind the same rules
// as DELETE (same origin, --read-only, names inside the root).
#include "tests/integration/support/small_filesystem.hpp"
#include "tests/integration/support/web_fixture.hpp"

#include <catch2/catch.hpp>

using namespace isr::test;
namespace fs = std::filesystem;

namespace {

// The `kept` flag the listing gives `name`.
bool listed_as_kept(const WebServer& web, const std::string& name) {
    const auto r = web.get("/api/files");
    REQUIRE(r.status == 200);
    const auto doc = parse_json(r.body);
    for (const auto& f : doc.GetArray()) {
        if (f["name"].GetString() == name)
            return f["kept"].GetBool();
    }
    FAIL("not listed: " << name);
    return false;
}

} // namespace

TEST_CASE("keep endpoints create and remove the .keep marker, same origin only",
          "[integration][web]") {
    TempDir dir("isr-web-keep");
    const auto rec = dir / "rec";
    const std::string name = "radio1/2026/10/01/radio1_000000.mp3";
    write_file(rec / name, std::string(4096, '\0'));
    write_file(dir / "outside.mp3", "x");
    fs::create_symlink(dir / "outside.mp3", rec / "radio1/link.mp3");
    WebServer web(rec);
    const auto port = web.port();
    const auto marker = rec / (name + ".keep");
    CHECK_FALSE(listed_as_kept(web, name));

    // Other sites cannot keep, and nothing is created.
    CHECK(http_request(port, "POST", "/api/keep/" + name, {{"Origin", "http://evil.example"}})
              .status == 403);
    CHECK(http_request(port, "POST", "/api/keep/" + name, {{"Sec-Fetch-Site", "cross-site"}})
              .status == 403);
    CHECK_FALSE(fs::exists(marker));

    const auto origin = "http://127.0.0.1:" + std::to_string(port);
    const auto kept = http_request(port, "POST", "/api/keep/" + name,
                                   {{"Origin", origin}, {"Sec-Fetch-Site", "same-origin"}});
    CHECK(kept.status == 200);
    CHECK(kept.body == "{\"kept\":true,\"name\":\"" + name + "\"}");
    CHECK(fs::is_regular_file(fs::symlink_status(marker)));
    CHECK(fs::file_size(marker) == 0);
    CHECK(listed_as_kept(web, name));
    // Twice is fine; the marker is not served as a recording.
    CHECK(http_request(port, "POST", "/api/keep/" + name).status == 200);
    CHECK(web.get("/stream/" + name + ".keep").status == 404);

    const auto unkept = http_request(port, "DELETE", "/api/keep/" + name);
    CHECK(unkept.status == 200);
    CHECK(unkept.body == "{\"kept\":false,\"name\":\"" + name + "\"}");
    CHECK_FALSE(fs::exists(marker));
    CHECK(fs::exists(rec / name));
    CHECK_FALSE(listed_as_kept(web, name));
    CHECK(http_request(port, "DELETE", "/api/keep/" + name).status == 200);

    // Unknown and unsafe names: 404, nothing created anywhere.
    CHECK(http_request(port, "POST", "/api/keep/radio1/none.mp3").status == 404);
    const auto traversal = http_request(port, "POST", "/api/keep/../outside.mp3").status;
    CHECK((traversal == 404 || traversal == 400));
    CHECK(http_request(port, "POST", "/api/keep/status.json").status == 404);
    CHECK(http_request(port, "POST", "/api/keep/radio1/link.mp3").status == 404);
    CHECK_FALSE(fs::exists(dir / "outside.mp3.keep"));
    CHECK_FALSE(fs::exists(rec / "radio1/link.mp3.keep"));

    // Deleting a kept recording by hand takes its marker along, and the emptied folders.
    REQUIRE(http_request(port, "POST", "/api/keep/" + name).status == 200);
    CHECK(http_request(port, "DELETE", "/api/files/" + name).status == 200);
    CHECK_FALSE(fs::exists(marker));
    CHECK_FALSE(fs::exists(rec / "radio1/2026"));
}

TEST_CASE("read-only mode (--read-only) refuses keep with 403", "[integration][web]") {
    TempDir dir("isr-web-keep-ro");
    const auto rec = dir / "rec";
    const std::string name = "radio1_20261001_000000.mp3";
    write_file(rec / name, std::string(4096, '\0'));
    WebServer web(rec, {"--read-only"});
    const auto r = http_request(web.port(), "POST", "/api/keep/" + name);
    CHECK(r.status == 403);
    CHECK_THAT(r.body, Catch::Contains("read-only"));
    CHECK(http_request(web.port(), "DELETE", "/api/keep/" + name).status == 403);
    CHECK_FALSE(fs::exists(rec / (name + ".keep")));
}

TEST_CASE("a read-only recordings folder: keep marks go to the analysis cache and delete is off",
          "[integration][web]") {
    TempDir dir("isr-web-keep-ro");
    SmallFilesystem small(dir / "rec", "1m");
    if (!small.mounted())
        return;
    const auto rec = small.path();
    const std::string name = "radio1/2026/10/01/radio1_000000.mp3";
    write_file(rec / name, std::string(4096, '\0'));
    write_file(rec / (name + ".keep"), ""); // by hand, before the folder went read-only
    const std::string other = "radio1/2026/10/01/radio1_010000.mp3";
    write_file(rec / other, std::string(4096, '\0'));
    REQUIRE(small.make_read_only());
    const auto cache = dir / "cache";
    WebServer web(rec, {"--analyses-dir", cache.string()});
    const auto port = web.port();

    const auto config = parse_json(web.get("/api/config").body);
    CHECK_FALSE(config["read_only"].GetBool()); // replay saves still work
    CHECK_FALSE(config["can_delete"].GetBool());
    CHECK(http_request(port, "DELETE", "/api/files/" + other).status == 403);

    CHECK_FALSE(listed_as_kept(web, other));
    const auto kept = http_request(port, "POST", "/api/keep/" + other);
    CHECK(kept.status == 200);
    const auto mark = cache / (other + ".keep");
    CHECK(fs::is_regular_file(fs::symlink_status(mark)));
    CHECK(listed_as_kept(web, other));
    CHECK(http_request(port, "DELETE", "/api/keep/" + other).status == 200);
    CHECK_FALSE(fs::exists(mark));
    CHECK_FALSE(listed_as_kept(web, other));

    // The marker beside the recording is listed, and unkeeping it says what to do.
    CHECK(listed_as_kept(web, name));
    const auto stays = http_request(port, "DELETE", "/api/keep/" + name);
    CHECK(stays.status == 409);
    CHECK(stays.body.find("remove that file") != std::string::npos);
    CHECK(listed_as_kept(web, name));
}
