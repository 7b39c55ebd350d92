// isr-web as a server: socket activation, idle exit, slow clients, limits, graceful shutdown.
#include "tests/integration/support/web_fixture.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>

#include <sys/socket.h>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST_CASE("socket activation serves on the passed socket and --idle-exit ends it",
          "[integration][web]") {
    TempDir dir("isr-web-activate");
    const auto rec = dir / "rec";
    TestArchive::build(rec);
    const int port = free_port();
    // Debian's systemd-socket-activate listens, and on the first connection execs isr-web
    // with LISTEN_FDS, exactly as a systemd .socket unit would.
    ChildProcess activator({"/usr/bin/systemd-socket-activate", "-l",
                            "127.0.0.1:" + std::to_string(port), isr_web_path().string(), "--dir",
                            rec.string(), "--idle-exit", "2"},
                           dir / "activate.log");
    REQUIRE(wait_for_port(port, 5000));
    const auto r = http_get(port, "/api/config");
    CHECK(r.status == 200);
    CHECK(http_get(port, "/stream/2026/11/21/rec_140000.wav", {{"Range", "bytes=0-3"}}).body ==
          "RIFF");
    // No connection for 2 s: it exits cleanly, ready to be started again on demand.
    const auto exit = activator.wait(10s);
    REQUIRE(exit);
    CHECK(*exit == 0);
    CHECK_THAT(activator.log(),
               Catch::Contains("socket passed by systemd") && Catch::Contains("--idle-exit"));
}

TEST_CASE("a client that sends its request too slowly is cut off", "[integration][web]") {
    TempDir dir("isr-web-slow");
    fs::create_directories(dir / "rec");
    WebServer web(dir / "rec");
    RawConnection slow(web.port());
    slow.send("GET /api/config HTTP/1.1\r\n");
    const auto start = std::chrono::steady_clock::now();
    bool closed = false;
    for (int i = 0; i < 15 && !closed; ++i) {
        try {
            slow.send("X"); // a slow-loris trickle: one byte a second
        } catch (const std::exception&) {
            closed = true;
            break;
        }
        closed = slow.closed_by_peer(1000);
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(closed);
    CHECK(elapsed < 13s);
    CHECK(elapsed > 8s);
    // Meanwhile everybody else is served.
    CHECK(web.get("/api/config").status == 200);
}

TEST_CASE("limits: huge headers, bodies, pipelined requests", "[integration][web]") {
    TempDir dir("isr-web-limits");
    fs::create_directories(dir / "rec");
    WebServer web(dir / "rec");
    const auto big = web.get("/api/config", {{"X-Big", std::string(20000, 'a')}});
    CHECK(big.status == 431);
    {
        RawConnection c(web.port());
        c.send("DELETE /api/files/x.wav HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
        std::string got;
        while (auto chunk = c.receive(5000)) {
            if (chunk->empty())
                break;
            got += *chunk;
        }
        CHECK_THAT(got, Catch::StartsWith("HTTP/1.1 413"));
    }
    {
        // Two requests in one packet, two responses in order on the same connection.
        RawConnection c(web.port());
        c.send("GET /api/config HTTP/1.1\r\nHost: x\r\n\r\nGET /api/nothing HTTP/1.1\r\nHost: "
               "x\r\nConnection: close\r\n\r\n");
        std::string got;
        while (auto chunk = c.receive(5000)) {
            if (chunk->empty())
                break;
            got += *chunk;
        }
        const auto second = got.find("HTTP/1.1 404");
        CHECK(got.rfind("HTTP/1.1 200", 0) == 0);
        CHECK(second != std::string::npos);
    }
}

TEST_CASE("clients that abort downloads do not hurt the server", "[integration][web]") {
    TempDir dir("isr-web-abort");
    const auto rec = dir / "rec";
    fs::create_directories(rec);
    {
        std::ofstream big(rec / "big.wav", std::ios::binary);
        std::string block(1 << 20, '\x33');
        for (int i = 0; i < 20; ++i)
            big << block;
    }
    WebServer web(rec);
    for (int i = 0; i < 5; ++i) {
        RawConnection c(web.port());
        c.send("GET /download/big.wav HTTP/1.1\r\nHost: x\r\n\r\n");
        REQUIRE(c.receive(5000));
        // Close with a reset while the server is still sending, as a browser does when the
        // user seeks or leaves the page.
        const linger reset{1, 0};
        ::setsockopt(c.fd(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    }
    std::this_thread::sleep_for(300ms);
    CHECK(web.process().running());
    CHECK(web.get("/api/config").status == 200);
}

TEST_CASE("SIGTERM lets a download in flight finish, then exits", "[integration][web]") {
    TempDir dir("isr-web-graceful");
    const auto rec = dir / "rec";
    fs::create_directories(rec);
    {
        std::ofstream big(rec / "big.wav", std::ios::binary);
        std::string block(1 << 20, '\x11');
        for (int i = 0; i < 50; ++i)
            big << block;
    }
    WebServer web(rec);
    RawConnection c(web.port());
    c.send("GET /download/big.wav HTTP/1.1\r\nHost: x\r\n\r\n");
    auto first = c.receive(5000);
    REQUIRE(first);
    REQUIRE_FALSE(first->empty());
    std::size_t received = first->size();
    web.process().signal(SIGTERM);
    // New connections are refused at once…
    std::this_thread::sleep_for(300ms);
    CHECK_THROWS(http_get(web.port(), "/api/config"));
    // …while the download in flight completes.
    while (auto chunk = c.receive(5000)) {
        if (chunk->empty())
            break;
        received += chunk->size();
    }
    CHECK(received > 50u * (1 << 20));
    const auto exit = web.process().wait(6s);
    REQUIRE(exit);
    CHECK(*exit == 0);
}

TEST_CASE("SIGTERM cuts a stalled client after 5 s", "[integration][web]") {
    TempDir dir("isr-web-stalled");
    const auto rec = dir / "rec";
    fs::create_directories(rec);
    {
        std::ofstream big(rec / "big.wav", std::ios::binary);
        std::string block(1 << 20, '\x22');
        for (int i = 0; i < 50; ++i)
            big << block;
    }
    WebServer web(rec);
    RawConnection c(web.port());
    c.send("GET /download/big.wav HTTP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE(c.receive(5000));
    // Never read again: the socket buffers fill and the server waits on us.
    std::this_thread::sleep_for(500ms);
    const auto start = std::chrono::steady_clock::now();
    web.process().signal(SIGTERM);
    const auto exit = web.process().wait(10s);
    REQUIRE(exit);
    CHECK(*exit == 0);
    CHECK(std::chrono::steady_clock::now() - start < 7s);
}
