// isrd against hostile or broken stream servers: redirects that fish for credentials, heads that
// never end, odd but legal answers, and bodies that are not what they claim.
#include "tests/integration/support/audio_files.hpp"
#include "tests/integration/support/isrd_run.hpp"
#include "tests/integration/support/script_server.hpp"
#include "tests/integration/support/stream_fixture.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <mutex>
#include <random>
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
        if (r.rfind("GET " + path + " ", 0) == 0)
            return r;
    }
    return {};
}

std::size_t count_lines_with(const std::string& log, const std::string& needle) {
    std::istringstream lines(log);
    std::size_t n = 0;
    for (std::string line; std::getline(lines, line);)
        n += line.find(needle) != std::string::npos ? 1 : 0;
    return n;
}

} // namespace

TEST_CASE("credentials follow a redirect only to the same scheme, host and port, and https never "
          "downgrades",
          "[integration][stream]") {
    TempDir dir("isr-auth");
    const auto mp3 =
        make_stream(dir.path(), "s.mp3", "-c:a libmp3lame -b:a 64k -id3v2_version 0 -f mp3", 20);
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
            c.send("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic "
                   "realm=\"radio\"\r\nContent-Length: 0\r\n\r\n");
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
        sources +=
            stream_source(c.name, c.start.url("/start-" + c.name),
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
        REQUIRE(wait_until(
            [&] {
                const auto s = run.status_of(c.name);
                return s && s->error;
            },
            15s));
        const auto error = *run.status_of(c.name)->error;
        if (c.outcome == withheld) {
            CHECK_THAT(error,
                       Catch::Contains("HTTP 401") &&
                           Catch::Contains("credentials are only sent to " + c.start.url("")));
        } else {
            CHECK_THAT(error, Catch::Contains("redirect from https to plain http") &&
                                  Catch::Contains("refused"));
        }
    }
    REQUIRE(run.process->stop() == 0);
    for (const auto& c : cases) {
        INFO("case " << c.name);
        // The configured URL itself gets the credentials.
        CHECK_THAT(request_for(c.start, "/start-" + c.name),
                   Catch::Contains("Authorization: Basic "));
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

TEST_CASE("a response head trickled line by line fails after connect_timeout_seconds",
          "[integration][stream]") {
    ScriptServer server([](ScriptServer::Connection& c) {
        c.send("HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n");
        // One more header line every 1.5 s, for ever: each read gets something in time.
        for (int i = 0; !*c.stopping; ++i) {
            for (int k = 0; k < 15 && !*c.stopping; ++k)
                std::this_thread::sleep_for(100ms);
            if (!c.send("X-Filler-" + std::to_string(i) + ": nothing to see\r\n"))
                return;
        }
    });
    IsrdRun run;
    run.write_config(
        "split_interval = 1h\nretry_delay_seconds = 60",
        stream_source("slowloris", server.url("/live"), "connect_timeout_seconds = 3"));
    const auto started = std::chrono::steady_clock::now();
    run.start();
    REQUIRE(wait_until(
        [&] {
            const auto s = run.status_of("slowloris");
            return s && s->error;
        },
        12s));
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK(took < 8.0); // 3 s, plus start-up and the status interval
    const auto s = run.status_of("slowloris");
    CHECK(s->state == RunState::retrying);
    CHECK_THAT(*s->error,
               Catch::Contains("no complete response head within 3 s (connect_timeout_seconds)") &&
                   Catch::Contains("HTTP/1.0 200 OK"));
    REQUIRE(run.process->stop() == 0);
}

TEST_CASE("100 Continue before the answer, a body with a Content-Length, a 204 and an empty 200",
          "[integration][stream]") {
    TempDir media("isr-media");
    const auto mp3 =
        make_stream(media.path(), "s.mp3", "-c:a libmp3lame -b:a 64k -id3v2_version 0 -f mp3", 4);
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
            c.send("HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nContent-Length: " +
                   std::to_string(mp3.bytes.size()) + "\r\n\r\n");
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
                     stream_source("continue", server.url("/continue")) +
                         stream_source("finite", server.url("/finite")) +
                         stream_source("nothing", server.url("/nothing")) +
                         stream_source("empty", server.url("/empty")));
    run.start();
    // Each body is 4 s long; then every source has said why it stopped.
    REQUIRE(wait_until(
        [&] {
            for (const char* name : {"continue", "finite", "nothing", "empty"}) {
                const auto s = run.status_of(name);
                if (!s || !s->error)
                    return false;
            }
            return true;
        },
        15s));
    CHECK_THAT(*run.status_of("continue")->error, Catch::Contains("the input ended after"));
    CHECK_THAT(*run.status_of("finite")->error,
               Catch::Contains("finite body (Content-Length: " + std::to_string(mp3.bytes.size()) +
                               " bytes") &&
                   Catch::Contains("recorded to its end"));
    CHECK_THAT(*run.status_of("nothing")->error,
               Catch::Contains("HTTP 204 No Content: the server answered without any content"));
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
    const auto mp3 =
        make_stream(media.path(), "s.mp3", "-c:a libmp3lame -b:a 32k -id3v2_version 0 -f mp3", 6);
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
    run.write_config("split_interval = 1h\nretry_delay_seconds = 60",
                     stream_source("chatty", server.url("/live")));
    run.start();
    REQUIRE(run.wait_for_state("chatty", "recording", 10s));
    REQUIRE(wait_until(
        [&] {
            const auto s = run.status_of("chatty");
            return s && s->error; // the 6 s body ended
        },
        20s));
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
        for (int i = 0; body.size() < 80 * 1024; ++i)
            body += "<track>song " + std::to_string(i) + "</track>";
        for (std::size_t at = 0; at < body.size() && !*c.stopping; at += 1000) {
            if (!c.send(body.substr(at, 1000)))
                return;
            std::this_thread::sleep_for(10ms);
        }
        c.hold();
    });
    IsrdRun run;
    run.write_config("split_interval = 1h\nretry_delay_seconds = 60",
                     stream_source("xml", server.url("/live")));
    run.start();
    REQUIRE(wait_until(
        [&] {
            const auto s = run.status_of("xml");
            return s && s->error;
        },
        15s));
    CHECK_THAT(*run.status_of("xml")->error,
               Catch::Contains("no audio frames in the first 64 KiB of the body (it starts with "
                               "\"<?xml version=\"1.0\"?><playlist>"));
    REQUIRE(run.process->stop() == 0);
}

namespace {

std::string noise_bytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string out(n, '\0');
    for (auto& c : out)
        c = static_cast<char>(rng());
    return out;
}

// Waits until the source's one connection has ended (its error says so); returns its status.
SourceStatus after_the_stream(const IsrdRun& run, const std::string& source,
                              std::chrono::seconds timeout) {
    REQUIRE(wait_until(
        [&] {
            const auto s = run.status_of(source);
            return s && s->error && s->error->find("the input ended") != std::string::npos;
        },
        timeout));
    return *run.status_of(source);
}

double total_seconds(const std::vector<fs::path>& files) {
    double total = 0;
    for (const auto& f : files)
        total += decoded_seconds(f);
    return total;
}

} // namespace

TEST_CASE("junk in the middle of a stream is skipped, counted and logged, and the splits go on",
          "[integration][stream]") {
    TempDir media("isr-media");
    const std::string options = "-c:a libmp3lame -b:a 64k -id3v2_version 0 -write_xing 0 -f mp3";
    const auto before = make_stream(media.path(), "a.mp3", options, 6);
    const auto after = make_stream(media.path(), "b.mp3", options, 8);
    const auto junk = noise_bytes(24000, 42); // 3 s at the stream's rate
    std::atomic<bool> served{false};
    ScriptServer server([&](ScriptServer::Connection& c) {
        if (served.exchange(true))
            return;
        c.send(ok_head("audio/mpeg"));
        c.send_paced(before.bytes, before.rate()) && c.send_paced(junk, before.rate()) &&
            c.send_paced(after.bytes, after.rate());
    });
    IsrdRun run;
    run.write_config("split_interval = 3s\nretry_delay_seconds = 60",
                     stream_source("radio", server.url("/live")));
    run.start();
    const auto s = after_the_stream(run, "radio", 40s);
    REQUIRE(run.process->stop() == 0);
    INFO("skipped_bytes " << s.skipped_bytes << ", resyncs " << s.resyncs);
    CHECK(s.skipped_bytes >= junk.size() - 1500); // a chance frame header in the noise may pass
    CHECK(s.skipped_bytes <= junk.size() + 1500);
    CHECK(s.resyncs >= 1);
    const auto log = run.process->log();
    const auto reports =
        count_lines_with(log, "bytes that were not mp3 frames (damaged or foreign data");
    CHECK(reports >= 1);
    CHECK(reports <= 3); // at most once a minute, and at the end
    CHECK_THAT(log, Catch::Contains("s of the stream's audio were junk"));
    const auto files = files_with_extension(run.recordings / "radio", ".mp3");
    CHECK(files.size() >= 5); // the splits went on: no file took the junk and everything after it
    for (const auto& f : files) {
        INFO(f.filename());
        CHECK(decode_errors(f) == "");
        // At most the interval, and the few frames a split skipped to leave no runt.
        CHECK(decoded_seconds(f) < 3.0 + 0.75 + 0.1);
    }
    CHECK(total_seconds(files) == Approx(14).margin(0.4)); // the audio, all of it
}

TEST_CASE("a stream that turns from MP3 into AAC continues in .aac files",
          "[integration][stream]") {
    TempDir media("isr-media");
    const auto mp3 =
        make_stream(media.path(), "s.mp3", "-c:a libmp3lame -b:a 64k -id3v2_version 0 -f mp3", 5);
    const auto aac = make_stream(media.path(), "s.aac", "-c:a aac -b:a 64k -f adts", 6);
    std::atomic<bool> served{false};
    ScriptServer server([&](ScriptServer::Connection& c) {
        if (served.exchange(true))
            return;
        c.send(ok_head("audio/mpeg"));
        c.send_paced(mp3.bytes, mp3.rate()) && c.send_paced(aac.bytes, aac.rate());
    });
    IsrdRun run;
    run.write_config("split_interval = 1h\nretry_delay_seconds = 60",
                     stream_source("radio", server.url("/live")));
    run.start();
    const auto s = after_the_stream(run, "radio", 30s);
    CHECK(s.format == "aac");
    REQUIRE(run.process->stop() == 0);
    CHECK_THAT(run.process->log(),
               Catch::Contains("WARNING  [radio] the stream changed from mp3 to aac"));
    // One file of each, unless the test runs across the top of an hour (then a split as well).
    double mp3_seconds = 0;
    double aac_seconds = 0;
    for (const auto& [ext, total] :
         {std::pair{".mp3", &mp3_seconds}, std::pair{".aac", &aac_seconds}}) {
        const auto files = files_with_extension(run.recordings / "radio", ext);
        REQUIRE(!files.empty());
        REQUIRE(files.size() <= 2);
        for (const auto& f : files) {
            CHECK(decode_errors(f) == "");
            *total += decoded_seconds(f);
        }
    }
    CHECK(mp3_seconds == Approx(5).margin(0.2));
    CHECK(aac_seconds == Approx(6).margin(0.2));
    CHECK(s.skipped_bytes < 1000); // nothing of either stream was lost at the change
}

TEST_CASE("an Ogg stream chained from Vorbis to Opus continues in .opus files",
          "[integration][stream]") {
    TempDir media("isr-media");
    const auto vorbis = make_stream(
        media.path(), "v.ogg", "-c:a libvorbis -page_duration 250000 -serial_offset 1 -f ogg", 5);
    const auto opus = make_stream(media.path(), "s.opus",
                                  "-c:a libopus -page_duration 250000 -serial_offset 2 -f ogg", 5);
    std::atomic<bool> served{false};
    ScriptServer server([&](ScriptServer::Connection& c) {
        if (served.exchange(true))
            return;
        c.send(ok_head("application/ogg"));
        c.send_paced(vorbis.bytes, vorbis.rate()) && c.send_paced(opus.bytes, opus.rate());
    });
    IsrdRun run;
    run.write_config("split_interval = 1h\nretry_delay_seconds = 60",
                     stream_source("radio", server.url("/live")));
    run.start();
    const auto s = after_the_stream(run, "radio", 30s);
    CHECK(s.format == "opus");
    REQUIRE(run.process->stop() == 0);
    CHECK_THAT(run.process->log(), Catch::Contains("the stream changed from vorbis to opus"));
    const auto ogg_files = files_with_extension(run.recordings / "radio", ".ogg");
    const auto opus_files = files_with_extension(run.recordings / "radio", ".opus");
    REQUIRE(ogg_files.size() == 1);
    REQUIRE(opus_files.size() == 1);
    for (const auto& f : {ogg_files[0], opus_files[0]}) {
        INFO(f.filename());
        CHECK(decode_errors(f) == "");
        CHECK(decoded_seconds(f) == Approx(5).margin(0.3));
    }
}

TEST_CASE(
    "an Ogg stream whose header page fails its CRC leaves no unplayable file, and is reconnected",
    "[integration][stream]") {
    TempDir media("isr-media");
    const auto vorbis =
        make_stream(media.path(), "v.ogg", "-c:a libvorbis -page_duration 250000 -f ogg", 12);
    // The second page carries the comment and setup headers: flip a byte in its body.
    auto damaged = vorbis.bytes;
    const auto page_size = [&](std::size_t at) {
        const auto segments = static_cast<std::uint8_t>(damaged[at + 26]);
        std::size_t size = 27 + segments;
        for (std::size_t i = 0; i < segments; ++i)
            size += static_cast<std::uint8_t>(damaged[at + 27 + i]);
        return size;
    };
    const auto second = page_size(0);
    REQUIRE(damaged.compare(second, 4, "OggS") == 0);
    damaged[second + page_size(second) - 5] ^= 0x20;
    std::atomic<int> connection{0};
    ScriptServer server([&](ScriptServer::Connection& c) {
        const auto& body = connection++ == 0 ? damaged : vorbis.bytes;
        c.send(ok_head("application/ogg"));
        c.send_paced(body, vorbis.rate());
    });
    IsrdRun run;
    run.write_config("split_interval = 1h\nretry_delay_seconds = 0.5\nmax_retries = 0",
                     stream_source("radio", server.url("/live"), "stall_timeout_seconds = 3"));
    run.start();
    REQUIRE(wait_until([&] { return connection.load() >= 2; }, 15s));
    REQUIRE(run.wait_for_state("radio", "recording", 10s));
    REQUIRE(run.process->stop() == 0);
    const auto log = run.process->log();
    CHECK_THAT(log, Catch::Contains("ERROR    [radio] no usable Ogg pages for 3 s") &&
                        Catch::Contains("header pages were damaged"));
    // Only the second connection made a file, and it decodes.
    const auto files = files_with_extension(run.recordings / "radio", ".ogg");
    REQUIRE(files.size() == 1);
    CHECK(decode_errors(files[0]) == "");
    CHECK(decoded_seconds(files[0]) > 1.0);
}

TEST_CASE("no runt files at splits: a file a split would leave with a few frames is merged",
          "[integration][stream]") {
    TempDir media("isr-media");
    const auto mp3 =
        make_stream(media.path(), "s.mp3", "-c:a libmp3lame -b:a 64k -id3v2_version 0 -f mp3", 10);
    constexpr int kConnections = 5;
    std::atomic<int> connection{0};
    ScriptServer server([&](ScriptServer::Connection& c) {
        const int i = connection++;
        if (i >= kConnections) {
            c.send("HTTP/1.0 404 Not Found\r\n\r\n");
            return;
        }
        // Each connection ends a few frames after a 2 s boundary (as the receiver's clock will
        // place it: the pacing runs 50 ms ahead), each by a little more.
        const double now =
            std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        const double boundary = std::ceil((now + 2.2) / 2) * 2;
        const double seconds = boundary - now + 0.05 + 0.02 + 0.025 * i;
        c.send(ok_head("audio/mpeg"));
        c.send_paced(mp3.bytes.substr(0, static_cast<std::size_t>(seconds * mp3.rate())),
                     mp3.rate());
    });
    IsrdRun run;
    run.write_config("split_interval = 2s\nretry_delay_seconds = 0.3\nmax_retries = 0",
                     stream_source("radio", server.url("/live")));
    run.start();
    REQUIRE(wait_until([&] { return connection.load() > kConnections; }, 40s));
    REQUIRE(run.process->stop() == 0);
    const auto files = files_with_extension(run.recordings / "radio", ".mp3");
    CHECK(files.size() >= kConnections);
    for (const auto& f : files) {
        INFO(f.filename());
        CHECK(decode_errors(f) == "");    // ffmpeg recognises every file as MP3…
        CHECK(decoded_seconds(f) > 0.45); // …as none is a runt of a few frames
    }
}
