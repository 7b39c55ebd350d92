// isrd against hostile or broken stream servers: redirects that fish for credentials, heads that
// never end, odd but legal answers, and bodies that are not what they claim.
#include "tests/integration/support/audio_files.hpp"
#include "tests/integration/support/isrd_run.hpp"
#include "tests/integration/support/script_server.hpp"
#include "tests/integration/support/stream_fixture.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string on_localhost(std::string url) {
    return std::regex_replace(url, std::regex("127\\.0\\.0\\.1"), "localhost");
}

// The request a server received for `path` ("GET /path HTTP/1.1…"), or empty.
std::string request_for(const ScriptServer& server, const std::string& path) {
    for (const auto& r : server.requests()) {
        if (r.rfind("GET " + path + " ", 0) == 0) return r;
    }
    return {};
}

std::size_t count_lines_with(const std::string& log, const std::string& needle) {
    std::istringstream lines(log);
    std::size_t n = 0;
    for (std::string line; std::getline(lines, line);) n += line.find(needle) != std::string::npos ? 1 : 0;
    return n;
}

} // namespace

TEST_CASE("credentials follow a redirect only to the same scheme, host and port, and https never downgrades",
          "[integration][stream]") {
    TempDir dir("isr-auth");
    const auto mp3 = make_stream(dir.path(), "s.mp3", "-c:a libmp3lame -b:a 64k -id3v2_version 0 -f mp3", 20);
    const auto cert = make_self_signed_certificate(dir.path());
    // Every server redirects /start-<case> to that case's Location, and answers /target-<case>
    // with the stream when the request has credentials and with a 401 when it has none.
    std::mutex mutex;
    std::map<std::string, std::string> locations;
    const auto handler = [&](ScriptServer::Connection& c) {
        if (c.path.rfind("/start-", 0) == 0) {
            std::string location;
            {
                std::lock_guard lock(mutex);
                location = locations.at(c.path.substr(7));
            }
            c.send("HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nContent-Length: 0\r\n\r\n");
        } else if (c.path.rfind("/target-", 0) == 0 && c.headers.count("authorization")) {
            c.send(ok_head("audio/mpeg"));
            c.send_paced(mp3.bytes, mp3.rate());
        } else if (c.path.rfind("/target-", 0) == 0) {
            c.send("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"radio\"\r\nContent-Length: 0\r\n\r\n");
        } else {
            c.send("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        }
    };
    ScriptServer plain(handler);
    ScriptServer other_plain(handler);
    ScriptServer tls(handler, cert);
    ScriptServer other_tls(handler, cert);
    enum Outcome { sent, withheld, refused };
    struct Case {
        std::string name;
        const ScriptServer& start;
        std::string location;
        const ScriptServer& target;
        Outcome outcome;
    };
    const std::vector<Case> cases = {
        {"same", plain, "/target-same", plain, sent},
        {"port", plain, other_plain.url("/target-port"), other_plain, withheld},
        {"host", plain, on_localhost(plain.url("/target-host")), plain, withheld},
        {"upgrade", plain, tls.url("/target-upgrade"), tls, withheld}, // another scheme and port
        {"tls-same", tls, tls.url("/target-tls-same"), tls, sent},
        {"tls-port", tls, other_tls.url("/target-tls-port"), other_tls, withheld},
        {"tls-host", tls, on_localhost(tls.url("/target-tls-host")), tls, withheld},
        {"downgrade", tls, plain.url("/target-downgrade"), plain, refused},
    };
    IsrdRun run;
    std::string sources;
    for (const auto& c : cases) {
        locations[c.name] = c.location;
        sources += stream_source(c.name, c.start.url("/start-" + c.name),
                                 "username = listener\npassword = pw-" + c.name + "\ntls_verify = no");
    }
    run.write_config("split_interval = 1h\nretry_delay_seconds = 60\nmax_retries = 0", sources);
    run.start();
    for (const auto& c : cases) {
        INFO("case " << c.name);
        if (c.outcome == sent) {
            CHECK(run.wait_for_state(c.name, "recording", 15s));
            continue;
        }
        REQUIRE(wait_until([&] {
            const auto s = run.status_of(c.name);
            return s && s->error;
        }, 15s));
        const auto error = *run.status_of(c.name)->error;
        if (c.outcome == withheld) {
            CHECK_THAT(error, Catch::Contains("HTTP 401") &&
                                  Catch::Contains("credentials are only sent to " + c.start.url("")));
        } else {
            CHECK_THAT(error, Catch::Contains("redirect from https to plain http") && Catch::Contains("refused"));
        }
    }
    REQUIRE(run.process->stop() == 0);
    for (const auto& c : cases) {
        INFO("case " << c.name);
        // The configured URL itself gets the credentials.
        CHECK_THAT(request_for(c.start, "/start-" + c.name), Catch::Contains("Authorization: Basic "));
        const auto target = request_for(c.target, "/target-" + c.name);
        if (c.outcome == refused) {
            CHECK(target.empty()); // not even asked, let alone with the password
        } else if (c.outcome == sent) {
            CHECK_THAT(target, Catch::Contains("Authorization: Basic "));
        } else {
            REQUIRE_FALSE(target.empty());
            CHECK_THAT(target, !Catch::Contains("Authorization"));
        }
    }
    CHECK_THAT(run.process->log(), !Catch::Contains("pw-"));
}

TEST_CASE("a response head trickled line by line fails after connect_timeout_seconds", "[integration][stream]") {
    ScriptServer server([](ScriptServer::Connection& c) {
        c.send("HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n");
        // One more header line every 1.5 s, for ever: each read gets something in time.
        for (int i = 0; !*c.stopping; ++i) {
            for (int k = 0; k < 15 && !*c.stopping; ++k) std::this_thread::sleep_for(100ms);
            if (!c.send("X-Filler-" + std::to_string(i) + ": nothing to see\r\n")) return;
        }
    });
    IsrdRun run;
    run.write_config("split_interval = 1h\nretry_delay_seconds = 60",
                     stream_source("slowloris", server.url("/live"), "connect_timeout_seconds = 3"));
    const auto started = std::chrono::steady_clock::now();
    run.start();
    REQUIRE(wait_until([&] {
        const auto s = run.status_of("slowloris");
        return s && s->error;
    }, 12s));
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK(took < 8.0); // 3 s, plus start-up and the status interval
    const auto s = run.status_of("slowloris");
    CHECK(s->state == "retrying");
    CHECK_THAT(*s->error, Catch::Contains("no complete response head within 3 s (connect_timeout_seconds)") &&
                              Catch::Contains("HTTP/1.0 200 OK"));
    REQUIRE(run.process->stop() == 0);
}

TEST_CASE("100 Continue before the answer, a body with a Content-Length, a 204 and an empty 200",
          "[integration][stream]") {
    TempDir media("isr-media");
    const auto mp3 = make_stream(media.path(), "s.mp3", "-c:a libmp3lame -b:a 64k -id3v2_version 0 -f mp3", 4);
    std::mutex mutex;
    std::map<std::string, int> served;
    ScriptServer server([&](ScriptServer::Connection& c) {
        {
            std::lock_guard lock(mutex);
            if (served[c.path]++ > 0) {
                c.send("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                return;
            }
        }
        if (c.path == "/continue") {
            c.send("HTTP/1.1 100 Continue\r\n\r\n");
            c.send("HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\n\r\n");
            c.send_paced(mp3.bytes, mp3.rate());
        } else if (c.path == "/finite") {
            c.send("HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nContent-Length: " + std::to_string(mp3.bytes.size()) +
                   "\r\n\r\n");
            c.send_paced(mp3.bytes, mp3.rate());
            c.hold(); // a keep-alive server: the body ends, the connection does not
        } else if (c.path == "/nothing") {
            c.send("HTTP/1.1 204 No Content\r\n\r\n");
            c.hold();
        } else if (c.path == "/empty") {
            c.send("HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nContent-Length: 0\r\n\r\n");
            c.hold();
        }
    });
    IsrdRun run;
    run.write_config("split_interval = 1h\nretry_delay_seconds = 60",
                     stream_source("continue", server.url("/continue")) + stream_source("finite", server.url("/finite")) +
                         stream_source("nothing", server.url("/nothing")) + stream_source("empty", server.url("/empty")));
    run.start();
    // Each body is 4 s long; then every source has said why it stopped.
    REQUIRE(wait_until([&] {
        for (const char* name : {"continue", "finite", "nothing", "empty"}) {
            const auto s = run.status_of(name);
            if (!s || !s->error) return false;
        }
        return true;
    }, 15s));
    CHECK_THAT(*run.status_of("continue")->error, Catch::Contains("the input ended after"));
    CHECK_THAT(*run.status_of("finite")->error,
               Catch::Contains("finite body (Content-Length: " + std::to_string(mp3.bytes.size()) + " bytes") &&
                   Catch::Contains("recorded to its end"));
    CHECK_THAT(*run.status_of("nothing")->error, Catch::Contains("HTTP 204 No Content: the server answered without any content"));
    CHECK_THAT(*run.status_of("empty")->error, Catch::Contains("empty body (Content-Length: 0)"));
    REQUIRE(run.process->stop() == 0);
    for (const char* name : {"continue", "finite"}) {
        INFO(name);
        const auto files = files_with_extension(run.recordings / name, ".mp3");
        REQUIRE(files.size() == 1);
        CHECK(read_file(files[0]) == mp3.bytes); // all of it, and nothing of the interim head
    }
    CHECK_FALSE(fs::exists(run.recordings / "nothing"));
    CHECK_FALSE(fs::exists(run.recordings / "empty"));
}

TEST_CASE("a title change in every metadata block (icy-metaint 1) costs a log line per interval",
          "[integration][stream]") {
    TempDir media("isr-media");
    const auto mp3 = make_stream(media.path(), "s.mp3", "-c:a libmp3lame -b:a 32k -id3v2_version 0 -f mp3", 6);
    std::atomic<bool> served{false};
    ScriptServer server([&](ScriptServer::Connection& c) {
        if (served.exchange(true)) {
            c.send("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
            return;
        }
        // send_paced changes the title every third block: with metaint 1, every third byte.
        c.send(ok_head("audio/mpeg", "ICY 200 OK", "icy-metaint: 1\r\n"));
        c.send_paced(mp3.bytes, mp3.rate(), 1);
    });
    IsrdRun run;
    run.write_config("split_interval = 1h\nretry_delay_seconds = 60", stream_source("chatty", server.url("/live")));
    run.start();
    REQUIRE(run.wait_for_state("chatty", "recording", 10s));
    REQUIRE(wait_until([&] {
        const auto s = run.status_of("chatty");
        return s && s->error; // the 6 s body ended
    }, 20s));
    const auto status = run.status_of("chatty");
    REQUIRE(status->stream_title);
    CHECK_THAT(*status->stream_title, Catch::Matches("Artist \\d+ - Song"));
    REQUIRE(run.process->stop() == 0);
    const auto log = run.process->log();
    // About 8000 title changes: the first is logged, the last at the end, the rest counted.
    CHECK(count_lines_with(log, "now playing: ") <= 3);
    CHECK_THAT(log, Catch::Contains("now playing: Artist 0 - Song"));
    CHECK_THAT(log, Catch::Contains("other titles in the last"));
    const auto files = files_with_extension(run.recordings / "chatty", ".mp3");
    REQUIRE(files.size() == 1);
    CHECK(read_file(files[0]) == mp3.bytes); // every metadata byte removed
}

TEST_CASE("a body without audio frames is quoted from its first bytes", "[integration][stream]") {
    ScriptServer server([](ScriptServer::Connection& c) {
        c.send(ok_head("audio/mpeg"));
        // A playlist document where the stream should be, sent in pieces as a slow server would.
        std::string body = "<?xml version=\"1.0\"?><playlist>";
        for (int i = 0; body.size() < 80 * 1024; ++i) body += "<track>song " + std::to_string(i) + "</track>";
        for (std::size_t at = 0; at < body.size() && !*c.stopping; at += 1000) {
            if (!c.send(body.substr(at, 1000))) return;
            std::this_thread::sleep_for(10ms);
        }
        c.hold();
    });
    IsrdRun run;
    run.write_config("split_interval = 1h\nretry_delay_seconds = 60", stream_source("xml", server.url("/live")));
    run.start();
    REQUIRE(wait_until([&] {
        const auto s = run.status_of("xml");
        return s && s->error;
    }, 15s));
    CHECK_THAT(*run.status_of("xml")->error,
               Catch::Contains("no audio frames in the first 64 KiB of the body (it starts with \"<?xml version=\"1.0\"?><playlist>"));
    REQUIRE(run.process->stop() == 0);
}
