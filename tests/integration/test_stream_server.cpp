// isrd against a scripted HTTP server that sends known bytes and misbehaves on cue.
#include "tests/integration/support/audio_files.hpp"
#include "tests/integration/support/isrd_run.hpp"
#include "tests/integration/support/script_server.hpp"
#include "tests/integration/support/stream_fixture.hpp"
#include "tests/integration/support/web_fixture.hpp"

#include <catch2/catch.hpp>

#include <mutex>
#include <set>
#include <sstream>
#include <thread>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST_CASE("concatenated files give back exactly the audio bytes received",
          "[integration][stream]") {
    TempDir media("isr-media");
    struct Case {
        std::string name;
        std::string content_type;
        std::string ext;
        Stream stream;
        std::size_t metaint;
    };
    std::vector<Case> cases = {
        {"mp3", "audio/mpeg", ".mp3",
         make_stream(media.path(), "s.mp3", "-c:a libmp3lame -b:a 128k -id3v2_version 0 -f mp3",
                     9.5),
         8192},
        {"aac", "audio/aacp", ".aac",
         make_stream(media.path(), "s.aac", "-c:a aac -b:a 96k -f adts", 9.5), 0},
        {"vorbis", "application/ogg", ".ogg",
         make_stream(media.path(), "s.ogg", "-c:a libvorbis -page_duration 250000 -f ogg", 9.5), 0},
        {"opus", "audio/ogg", ".opus",
         make_stream(media.path(), "s.opus", "-c:a libopus -b:a 64k -page_duration 250000 -f ogg",
                     9.5),
         0},
        {"flac", "audio/flac", ".flac",
         make_stream(media.path(), "s.flac", "-c:a flac -f flac", 9.5), 0},
    };
    std::mutex served_mutex;
    std::set<std::string> served; // each stream is sent once; reconnections get a 404
    ScriptServer server([&](ScriptServer::Connection& c) {
        for (const auto& k : cases) {
            if (c.path != "/" + k.name)
                continue;
            {
                std::lock_guard lock(served_mutex);
                if (!served.insert(k.name).second)
                    break;
            }
            const auto extra = k.metaint ? "icy-metaint: " + std::to_string(k.metaint) +
                                               "\r\nicy-name: Test FM\r\n"
                                         : "";
            c.send(ok_head(k.content_type, "HTTP/1.0 200 OK", extra));
            c.send_paced(k.stream.bytes, k.stream.rate(), k.metaint);
            return; // then EOF, like Icecast when its source goes away
        }
        c.send("HTTP/1.0 404 Not Found\r\n\r\n");
    });
    IsrdRun run;
    std::string sources;
    for (const auto& k : cases)
        sources += stream_source(k.name, server.url("/" + k.name), "max_retries = 1");
    run.write_config("split_interval = 3s\nretry_delay_seconds = 0.5", sources);
    run.start();
    // The stream ends after ~9.5 s; the retries then get 404s and the sources give up.
    REQUIRE(run.process->wait(40s) == 1);

    for (const auto& k : cases) {
        INFO("format " << k.name);
        const auto files = files_with_extension(run.recordings / k.name, k.ext);
        REQUIRE(files.size() >= 3);
        for (const auto& f : files)
            CHECK(decode_errors(f) == "");
        if (k.name == "vorbis" || k.name == "opus") {
            // Ogg: every page's packet data in order, the header pages injected into later
            // files set aside; granules restart in every file.
            std::vector<OggPage> got;
            std::size_t headers = 0;
            for (std::size_t i = 0; i < files.size(); ++i) {
                auto pages = ogg_pages(read_file(files[i])).value();
                if (i == 0) {
                    for (const auto& p : pages)
                        headers += p.granule == 0 ? 1 : 0;
                } else {
                    pages.erase(pages.begin(),
                                pages.begin() + static_cast<std::ptrdiff_t>(headers));
                    CHECK(pages.front().granule < 48000 * 2);
                    CHECK(ffprobe_duration(files[i]) < 5.0);
                }
                got.insert(got.end(), pages.begin(), pages.end());
            }
            // A page that straddles a boundary is split between its packets into two, so
            // pages may differ in number; their lacing values and bodies, in order, may not.
            const auto sent = ogg_pages(k.stream.bytes).value();
            const auto packets = [](const std::vector<OggPage>& pages) {
                std::string lacing;
                std::string body;
                for (const auto& p : pages) {
                    const auto n = static_cast<std::uint8_t>(p.payload[0]);
                    lacing += p.payload.substr(1, n);
                    body += p.payload.substr(1 + n);
                }
                return std::pair{lacing, body};
            };
            for (const auto& p : got)
                CHECK(p.serial == sent.front().serial);
            CHECK(got.size() >= sent.size());
            CHECK(packets(got) == packets(sent));
        } else if (k.name == "flac") {
            // Native FLAC: every file starts with "fLaC" and the metadata; the frames follow.
            const auto header = k.stream.bytes.find("\xff\xf8");
            std::string frames;
            for (const auto& f : files) {
                const auto bytes = read_file(f);
                REQUIRE(bytes.compare(0, 4, "fLaC") == 0);
                frames += bytes.substr(bytes.find("\xff\xf8"));
            }
            CHECK(frames == k.stream.bytes.substr(header));
        } else {
            std::string all;
            for (const auto& f : files)
                all += read_file(f);
            CHECK(all.size() == k.stream.bytes.size());
            CHECK(all == k.stream.bytes); // ICY metadata stripped, nothing lost, nothing doubled
        }
    }
    const auto log = run.process->log();
    // Titles change every 1.5 s here: the first is logged, later ones at most every 10 s, and
    // the last one when the connection ends, saying how many were left out.
    CHECK_THAT(log, Catch::Contains("now playing: Artist 0 - Song") &&
                        Catch::Contains("other titles in the last"));
    CHECK_THAT(log, Catch::Contains("\"Test FM\""));
    // isrd says who it is and does not ask for ICY metadata.
    for (const auto& request : server.requests()) {
        CHECK_THAT(request, Catch::Contains("User-Agent: isr/"));
        CHECK_THAT(request, !Catch::Contains("Icy-MetaData"));
    }
}

TEST_CASE("SHOUTcast's ICY 200 OK, a missing Content-Type, redirects and chunked bodies",
          "[integration][stream]") {
    TempDir media("isr-media");
    const auto mp3 =
        make_stream(media.path(), "s.mp3", "-c:a libmp3lame -b:a 64k -id3v2_version 0 -f mp3", 60);
    const auto aac = make_stream(media.path(), "s.aac", "-c:a aac -b:a 64k -f adts", 60);
    ScriptServer server([&](ScriptServer::Connection& c) {
        if (c.path == "/icy") {
            c.send("ICY 200 OK\r\nicy-name:Old "
                   "School\r\ncontent-type:audio/mpeg\r\nicy-metaint:4096\r\n\r\n");
            c.send_paced(mp3.bytes, mp3.rate(), 4096);
        } else if (c.path == "/untyped") {
            c.send(ok_head(""));
            c.send_paced(aac.bytes, aac.rate());
        } else if (c.path == "/old") {
            c.send(
                "HTTP/1.1 301 Moved Permanently\r\nLocation: /older\r\nContent-Length: 0\r\n\r\n");
        } else if (c.path == "/older") {
            c.send("HTTP/1.1 302 Found\r\nLocation: new/stream?x=1\r\nContent-Length: 0\r\n\r\n");
        } else if (c.path == "/new/stream?x=1") {
            c.send("HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nTransfer-Encoding: "
                   "chunked\r\n\r\n");
            // Chunked, in chunks that do not respect frame boundaries.
            std::size_t at = 0;
            const auto start = std::chrono::steady_clock::now();
            while (at < mp3.bytes.size() && !*c.stopping) {
                const auto n = std::min<std::size_t>(1000 + at % 777, mp3.bytes.size() - at);
                char size[16];
                std::snprintf(size, sizeof size, "%zx\r\n", n);
                if (!c.send(size + mp3.bytes.substr(at, n) + "\r\n"))
                    return;
                at += n;
                std::this_thread::sleep_until(
                    start + std::chrono::duration<double>(static_cast<double>(at) / mp3.rate()));
            }
        } else if (c.path == "/loop") {
            c.send("HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n");
        } else {
            c.send("HTTP/1.0 404 Not Found\r\n\r\n");
        }
    });
    IsrdRun run;
    run.write_config("split_interval = 1h\nretry_delay_seconds = 1",
                     stream_source("icy", server.url("/icy")) +
                         stream_source("untyped", server.url("/untyped")) +
                         stream_source("moved", server.url("/old")) +
                         stream_source("loop", server.url("/loop"), "max_retries = 0"));
    run.start();
    for (const char* name : {"icy", "untyped", "moved"})
        REQUIRE(run.wait_for_state(name, "recording", 15s));
    REQUIRE(wait_until([&] { return run.status_of("loop") && run.status_of("loop")->error; }, 15s));
    std::this_thread::sleep_for(4s);
    const auto icy = run.status_of("icy");
    REQUIRE(icy->stream_title);
    CHECK_THAT(*icy->stream_title, Catch::Matches("Artist \\d+ - Song"));
    CHECK_THAT(*run.status_of("loop")->error, Catch::Contains("more than 5 redirects"));
    REQUIRE(run.process->stop() == 0);
    const auto icy_files = files_with_extension(run.recordings / "icy", ".mp3");
    REQUIRE(icy_files.size() == 1);
    const auto recorded = read_file(icy_files[0]);
    CHECK(recorded == mp3.bytes.substr(0, recorded.size())); // metadata stripped
    CHECK(recorded.size() > 16000);
    // No Content-Type: the format comes from the bytes, and the extension follows it.
    const auto untyped = files_with_extension(run.recordings / "untyped", ".aac");
    REQUIRE(untyped.size() == 1);
    CHECK(decode_errors(untyped[0]) == "");
    const auto moved = files_with_extension(run.recordings / "moved", ".mp3");
    REQUIRE(moved.size() == 1);
    const auto moved_bytes = read_file(moved[0]);
    CHECK(moved_bytes == mp3.bytes.substr(0, moved_bytes.size()));
}

TEST_CASE("HTML pages, stalls, 404 and 500 are errors that say what to check",
          "[integration][stream]") {
    TempDir media("isr-media");
    const auto mp3 =
        make_stream(media.path(), "s.mp3", "-c:a libmp3lame -b:a 64k -id3v2_version 0 -f mp3", 30);
    // 1 KB/s: slower than a stall timeout's worth of the reads a 128 kbit/s stream gets.
    const auto slow =
        make_stream(media.path(), "slow.mp3",
                    "-ar 8000 -ac 1 -c:a libmp3lame -b:a 8k -id3v2_version 0 -f mp3", 6);
    std::atomic<bool> slow_served{false};
    ScriptServer server([&](ScriptServer::Connection& c) {
        if (c.path == "/slow" && !slow_served.exchange(true)) {
            c.send(ok_head("audio/mpeg"));
            c.send_paced(slow.bytes, slow.rate());
        } else if (c.path == "/html") {
            c.send(ok_head("text/html; charset=utf-8") +
                   "<!DOCTYPE html><html><body>Stream offline</body></html>");
        } else if (c.path == "/stall") {
            c.send(ok_head("audio/mpeg"));
            c.send(mp3.bytes.substr(0, 20000));
            std::this_thread::sleep_for(300ms);
            c.send(mp3.bytes.substr(20000, 1000)); // a last morsel, less than a read wakes up for
            c.hold();                              // then nothing, connection open
        } else if (c.path == "/error") {
            c.send("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
        } else {
            c.send("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        }
    });
    IsrdRun run;
    run.write_config("split_interval = 1h\nretry_delay_seconds = 0.5\nmax_retries = 2",
                     stream_source("html", server.url("/html")) +
                         stream_source("stall", server.url("/stall"), "stall_timeout_seconds = 2") +
                         stream_source("missing", server.url("/nothing.mp3")) +
                         stream_source("error", server.url("/error")) +
                         stream_source("slow", server.url("/slow"), "stall_timeout_seconds = 2"));
    run.start();
    REQUIRE(run.process->wait(40s) == 1); // every source gives up after 3 attempts
    const auto html = run.status_of("html");
    CHECK(html->state == RunState::failed);
    CHECK_THAT(*html->error, Catch::Contains("text/html") && Catch::Contains("not audio") &&
                                 Catch::Contains("<!DOCTYPE html>"));
    CHECK_FALSE(fs::exists(run.recordings / "html"));
    const auto stall = run.status_of("stall");
    CHECK_THAT(*stall->error, Catch::Contains("stalled"));
    const auto stalled_files = files_with_extension(run.recordings / "stall", ".mp3");
    CHECK(stalled_files.size() == 3); // a new file per connection
    for (const auto& f : stalled_files) {
        // Every complete frame that came before the silence is kept (the last, cut-off frame of
        // the 21000 bytes is not).
        CHECK(fs::file_size(f) > 21000 - 2 * 210);
        CHECK(decode_errors(f) == "");
    }
    // A stream trickling in at 1 KB/s is slow, not stalled: all of it is recorded, in one piece.
    const auto slow_files = files_with_extension(run.recordings / "slow", ".mp3");
    REQUIRE(slow_files.size() == 1);
    CHECK(read_file(slow_files[0]) == slow.bytes);
    CHECK_THAT(*run.status_of("missing")->error,
               Catch::Contains("HTTP 404") && Catch::Contains("check the mount point"));
    CHECK_THAT(*run.status_of("error")->error, Catch::Contains("HTTP 500"));
    const auto log = run.process->log();
    CHECK_THAT(log, Catch::Contains("giving up after 3 consecutive failures (max_retries = 2)"));
    CHECK_THAT(log,
               Catch::Contains("ERROR    [missing] " + server.url("/nothing.mp3") + ": HTTP 404"));
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        if (line.find("[slow]") != std::string::npos)
            CHECK_THAT(line, !Catch::Contains("stalled"));
    }
}

TEST_CASE("HTTPS: a self-signed server is refused unless tls_verify = no",
          "[integration][stream]") {
    TempDir dir("isr-tls");
    const auto mp3 =
        make_stream(dir.path(), "live.mp3", "-c:a libmp3lame -b:a 64k -id3v2_version 0 -f mp3", 20);
    REQUIRE(run_command("cd '" + dir.path().string() +
                        "' && openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem "
                        "-out cert.pem -days 2 -subj /CN=127.0.0.1")
                .status == 0);
    const int port = free_port();
    // openssl's -WWW mode serves files of its working directory over HTTPS.
    ChildProcess tls({"/usr/bin/openssl", "s_server", "-quiet", "-WWW", "-accept",
                      std::to_string(port), "-cert", (dir / "cert.pem").string(), "-key",
                      (dir / "key.pem").string()},
                     dir / "openssl.log", {}, dir.path());
    REQUIRE(wait_for_port(port, 5000));
    IsrdRun run;
    const auto url = "https://127.0.0.1:" + std::to_string(port) + "/live.mp3";
    run.write_config("split_interval = 1h\nretry_delay_seconds = 0.5\nmax_retries = 0",
                     stream_source("strict", url) +
                         stream_source("lenient", url, "tls_verify = no\nformat = mp3"));
    run.start();
    REQUIRE(
        wait_until([&] { return run.status_of("strict") && run.status_of("strict")->error; }, 15s));
    CHECK_THAT(*run.status_of("strict")->error,
               Catch::Contains("TLS handshake failed") && Catch::Contains("tls_verify = no"));
    REQUIRE(wait_until(
        [&] { return !files_with_extension(run.recordings / "lenient", ".mp3").empty(); }, 15s));
    std::this_thread::sleep_for(1s);
    REQUIRE(run.process->stop() == 0);
    const auto files = files_with_extension(run.recordings / "lenient", ".mp3");
    REQUIRE_FALSE(files.empty());
    const auto got = read_file(files[0]);
    CHECK(got == mp3.bytes.substr(0, got.size()));
}
