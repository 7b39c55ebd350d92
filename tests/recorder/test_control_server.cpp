// ControlServer over a real socket with a fake handler: replies in order however late, slow
// commands holding up nobody, and every limit a client can run into.
#include "recorder/control/control_server.hpp"
#include "tests/recorder/test_control_support.hpp"

#include <catch2/catch.hpp>

using namespace isr;
using namespace isr::rec;
using namespace isr::rec::test;
using Clock = std::chrono::steady_clock;

namespace {

// A server on a scratch socket with a FakeHandler, started.
struct Fixture {
    explicit Fixture(ControlLimits limits = {}, bool start = true)
        : server(dir / "isrd.sock", handler, limits) {
        if (start)
            server.start();
    }
    std::filesystem::path socket() const { return server.path(); }

    QuietLog quiet;
    ScratchDir dir;
    FakeHandler handler;
    ControlServer server;
};

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace

TEST_CASE("control server: a request gets its reply", "[recorder][control]") {
    Fixture f;
    CHECK(ask(f.socket(), R"({"cmd":"status"})") == R"({"ok":true,"cmd":"status"})");
    CHECK(ask(f.socket(), R"({"cmd":"save","source":"mic","seconds":20,"label":"dog"})") ==
          R"({"ok":true,"source":"mic","seconds":20.0,"path":"replays/dog.wav"})");
    // CRLF line ends (a client on another system) are fine; blank lines are skipped.
    RawClient client(f.socket());
    REQUIRE(client.send("\r\n  \n{\"cmd\":\"quit\"}\r\n"));
    CHECK(client.line() == R"({"ok":true,"cmd":"quit"})");
}

TEST_CASE("control server: pipelined requests are answered in order", "[recorder][control]") {
    Fixture f;
    RawClient client(f.socket());
    std::string lines;
    const std::vector<std::string> words{"status", "sources", "pause", "resume", "quit"};
    for (int round = 0; round < 10; ++round) {
        for (const auto& word : words)
            lines += R"({"cmd":")" + word + "\"}\n";
    }
    REQUIRE(client.send(lines)); // 50 requests in one write, more than the pipeline takes at once
    for (int round = 0; round < 10; ++round) {
        for (const auto& word : words)
            CHECK(client.line() == R"({"ok":true,"cmd":")" + word + "\"}");
    }
}

TEST_CASE("control server: a slow reply keeps its place and holds up no other client",
          "[recorder][control]") {
    Fixture f;
    RawClient slow(f.socket());
    const auto start = Clock::now();
    REQUIRE(slow.send(R"({"cmd":"save","label":"late","post_seconds":0.6})"
                      "\n"
                      R"({"cmd":"status"})"
                      "\n"
                      R"({"cmd":"save","label":"early","post_seconds":0.1})"
                      "\n"));
    // Another client is answered while the save waits.
    CHECK(ask(f.socket(), R"({"cmd":"sources"})") == R"({"ok":true,"cmd":"sources"})");
    CHECK(seconds_since(start) < 0.5);
    // The first connection's replies come in request order, the slow one first.
    CHECK_THAT(slow.line().value_or(""), Catch::Contains("replays/late.wav"));
    CHECK(seconds_since(start) >= 0.6);
    CHECK(slow.line() == R"({"ok":true,"cmd":"status"})");
    CHECK_THAT(slow.line().value_or(""), Catch::Contains("replays/early.wav"));
}

TEST_CASE("control server: bad requests get error replies and the connection goes on",
          "[recorder][control]") {
    Fixture f;
    RawClient client(f.socket());
    REQUIRE(client.send("{\"cmd\":\"save\"\n{\"cmd\":\"dance\"}\n[]\n{\"cmd\":\"status\"}\n"));
    CHECK(client.line() == R"({"ok":false,"error":"malformed JSON at byte 13: Missing a comma )"
                           R"(or '}' after an object member."})");
    CHECK(client.line() == R"({"ok":false,"error":"unknown command \"dance\"; known commands: )"
                           R"(save, status, sources, pause, resume, quit"})");
    CHECK(client.line() == R"({"ok":false,"error":"a request is a JSON object such as )"
                           R"({\"cmd\":\"status\"}, not an array"})");
    CHECK(client.line() == R"({"ok":true,"cmd":"status"})");
    CHECK(f.handler.calls == 1); // refused requests never reach the handler
}

TEST_CASE("control server: handler failures still answer", "[recorder][control]") {
    Fixture f;
    RawClient client(f.socket());
    REQUIRE(client.send(R"({"cmd":"pause","source":"boom"})"
                        "\n"
                        R"({"cmd":"save","label":"drop"})"
                        "\n"
                        R"({"cmd":"save","label":"twice"})"
                        "\n"
                        R"({"cmd":"status"})"
                        "\n"));
    CHECK(client.line() == R"({"ok":false,"error":"no source is called boom"})");
    CHECK(client.line() == R"({"ok":false,"error":"isrd dropped this command without )"
                           R"(answering; see its log"})");
    CHECK(client.line() == R"({"ok":true,"path":"first"})");
    CHECK(client.line() == R"({"ok":true,"cmd":"status"})");
}

TEST_CASE("control server: a line over 64 KiB gets an error, then the connection closes",
          "[recorder][control]") {
    Fixture f;
    SECTION("no newline at all") {
        RawClient client(f.socket());
        REQUIRE(client.send(std::string(kMaxControlLineBytes + 100, ' ')));
        CHECK(client.line() == R"({"ok":false,"error":"request line longer than 65536 bytes; a )"
                               R"(request is one JSON object on one line"})");
        CHECK(client.closed_within(2s));
    }
    SECTION("one byte too many, after a good request") {
        RawClient client(f.socket());
        const std::string status = R"({"cmd":"status"})";
        REQUIRE(client.send(status + "\n" + status +
                            std::string(kMaxControlLineBytes + 1 - status.size(), ' ') + "\n" +
                            status + "\n"));
        CHECK(client.line() == R"({"ok":true,"cmd":"status"})");
        CHECK_THAT(client.line().value_or(""), Catch::Contains("request line longer than 65536"));
        CHECK(client.closed_within(2s)); // the request after it is not read
        CHECK(f.handler.calls == 1);
    }
    SECTION("exactly 64 KiB is a request") {
        RawClient client(f.socket());
        const std::string status = R"({"cmd":"status"})";
        REQUIRE(
            client.send(status + std::string(kMaxControlLineBytes - status.size(), ' ') + "\n"));
        CHECK(client.line() == R"({"ok":true,"cmd":"status"})");
    }
}

TEST_CASE("control server: an idle client is closed, a waiting one is not", "[recorder][control]") {
    ControlLimits limits;
    limits.idle_timeout = 300ms;
    Fixture f(limits);
    RawClient silent(f.socket());
    RawClient trickle(f.socket());
    RawClient waiting(f.socket());
    REQUIRE(waiting.send(R"({"cmd":"save","label":"long","post_seconds":0.8})"
                         "\n"));
    const auto start = Clock::now();
    // A byte at a time never completes a line: that is no progress.
    for (const char c : std::string(R"({"cmd":)")) {
        static_cast<void>(trickle.send(std::string(1, c))); // fails once closed: expected
        std::this_thread::sleep_for(50ms);
    }
    CHECK(silent.closed_within(2s));
    CHECK(trickle.closed_within(2s));
    CHECK(seconds_since(start) < 1.5);
    CHECK_THAT(waiting.line().value_or(""), Catch::Contains("replays/long.wav"));
    CHECK(waiting.closed_within(2s)); // idle again once answered
}

TEST_CASE("control server: a client that half-closes still gets its replies",
          "[recorder][control]") {
    Fixture f;
    RawClient client(f.socket());
    REQUIRE(client.send("{\"cmd\":\"status\"}\n{\"cmd\":\"sources\"}")); // last line unterminated
    client.shutdown_write();
    CHECK(client.line() == R"({"ok":true,"cmd":"status"})");
    CHECK(client.line() == R"({"ok":true,"cmd":"sources"})");
    CHECK(client.closed_within(2s));
}

TEST_CASE("control server: a client that leaves before its reply costs nothing",
          "[recorder][control]") {
    Fixture f;
    {
        RawClient gone(f.socket());
        REQUIRE(gone.send(R"({"cmd":"save","label":"orphan","post_seconds":0.2})"
                          "\n"));
    }
    {
        // Replies written to a closed socket: EPIPE, not SIGPIPE (which would end this test).
        RawClient gone(f.socket());
        std::string many;
        for (int i = 0; i < 200; ++i)
            many += "{\"cmd\":\"status\"}\n";
        REQUIRE(gone.send(many));
    }
    std::this_thread::sleep_for(400ms); // the orphan's reply has come and been dropped
    CHECK(ask(f.socket(), R"({"cmd":"status"})") == R"({"ok":true,"cmd":"status"})");
}

TEST_CASE("control server: beyond 64 clients newcomers are told and closed, the others served",
          "[recorder][control]") {
    Fixture f;
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 100; ++i)
        clients.push_back(std::make_unique<RawClient>(f.socket()));
    for (std::size_t i = 64; i < clients.size(); ++i) {
        INFO(i);
        CHECK(clients[i]->line() == R"({"ok":false,"error":"isrd already serves 64 control )"
                                    R"(clients; try again later"})");
        CHECK(clients[i]->closed_within(2s));
    }
    for (std::size_t i = 0; i < 64; ++i)
        REQUIRE(clients[i]->send("{\"cmd\":\"status\"}\n"));
    for (std::size_t i = 0; i < 64; ++i) {
        INFO(i);
        CHECK(clients[i]->line() == R"({"ok":true,"cmd":"status"})");
    }
    // Room again once some leave.
    clients.resize(10);
    CHECK(wait_for(
        [&] { return ask(f.socket(), R"({"cmd":"status"})") == R"({"ok":true,"cmd":"status"})"; }));
}

TEST_CASE("control server: clients that ask and hang up keep no newcomer out, and what they "
          "asked is done",
          "[recorder][control]") {
    // Not started yet: everyone waits in the backlog (16 deep), so the server meets them all in
    // one go, the newcomer right behind more clients that have already hung up than it has room
    // for.
    ControlLimits limits;
    limits.max_clients = 4;
    Fixture f(limits, false);
    for (int i = 0; i < 12; ++i) {
        RawClient gone(f.socket());
        REQUIRE(gone.send("{\"cmd\":\"status\"}\n"));
    }
    RawClient newcomer(f.socket());
    REQUIRE(newcomer.send("{\"cmd\":\"status\"}\n"));
    f.server.start();
    CHECK(newcomer.line() == R"({"ok":true,"cmd":"status"})");
    CHECK(wait_for([&] { return f.handler.calls == 13; }));
    CHECK(f.handler.calls == 13);
}

TEST_CASE("control server: a client that never reads is closed once its replies pile up",
          "[recorder][control]") {
    ControlLimits limits;
    limits.max_unsent_bytes = 64 * 1024;
    Fixture f(limits);
    f.handler.pad_bytes = 16 * 1024;
    RawClient hoarder(f.socket());
    std::string many;
    for (int i = 0; i < 200; ++i) // 3.2 MB of replies, far beyond socket buffer and limit
        many += "{\"cmd\":\"sources\"}\n";
    REQUIRE(hoarder.send(many));
    // The others are served meanwhile.
    CHECK(ask(f.socket(), R"({"cmd":"status"})") == R"({"ok":true,"cmd":"status"})");
    std::this_thread::sleep_for(300ms);
    std::size_t lines = 0;
    CHECK(hoarder.closed_within(5s, &lines));
    CHECK(lines < 200);
    CHECK(f.handler.answered < 150); // it stopped taking the hoarder's requests
}

TEST_CASE("control server: stop() is prompt and writes the replies already given",
          "[recorder][control]") {
    Fixture f;
    RawClient idle(f.socket());
    RawClient pending(f.socket());
    REQUIRE(pending.send(R"({"cmd":"save","label":"never","post_seconds":1})"
                         "\n"));
    RawClient answered(f.socket());
    REQUIRE(answered.send(R"({"cmd":"status"})"
                          "\n"));
    REQUIRE(wait_for([&] { return f.handler.answered == 1; }));
    const auto start = Clock::now();
    f.server.stop();
    CHECK(seconds_since(start) < 0.5);
    CHECK(answered.line() == R"({"ok":true,"cmd":"status"})");
    CHECK(idle.closed_within(1s));
    CHECK(pending.closed_within(1s));
    CHECK_FALSE(std::filesystem::exists(f.socket()));
    f.server.stop(); // again: nothing happens
}
