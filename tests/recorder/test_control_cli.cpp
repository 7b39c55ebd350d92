// `isrd COMMAND`: arguments to requests, replies to text, and the exit codes, against a real
// ControlServer with a fake handler.
#include "recorder/control/control_cli.hpp"
#include "recorder/control/control_server.hpp"
#include "recorder/control/reply_text.hpp"
#include "recorder/control/socket_path.hpp"
#include "tests/recorder/test_control_support.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>

using namespace isr;
using namespace isr::rec;
using namespace isr::rec::test;
namespace fs = std::filesystem;

namespace {

std::string usage_error(const std::vector<std::string>& args) {
    try {
        static_cast<void>(parse_cli(args));
        return "accepted";
    } catch (const CliUsageError& e) {
        return e.what();
    }
}

struct Run {
    int status = -1;
    std::string out;
    std::string err;
};

Run run(std::vector<std::string> args) {
    std::ostringstream out;
    std::ostringstream err;
    Run r;
    r.status = run_control_cli(args, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

std::string describe(const Command& command, const std::string& reply) {
    return describe_reply(command, parse_reply(reply).doc);
}

} // namespace

TEST_CASE("control cli: arguments become requests", "[recorder][control]") {
    CHECK(is_control_command("save"));
    CHECK(is_control_command("quit"));
    CHECK_FALSE(is_control_command("config.ini"));
    CHECK_FALSE(is_control_command("--help"));

    const auto save =
        parse_cli({"save", "--source", "mic", "--seconds", "20", "--label", "dog", "--post", "5",
                   "--since-last", "--socket", "/tmp/i.sock", "--json"});
    CHECK(save.command == Command{SaveCommand{"mic", 20.0, "dog", 5.0, true}});
    CHECK(save.socket == "/tmp/i.sock");
    CHECK(save.json);
    CHECK_FALSE(save.help);
    CHECK(parse_cli({"save"}).command == Command{SaveCommand{}});
    CHECK(parse_cli({"status", "-c", "isrd.ini"}).config == "isrd.ini");
    CHECK(parse_cli({"sources"}).command == Command{SourcesCommand{}});
    CHECK(parse_cli({"pause"}).command == Command{PauseCommand{}});
    CHECK(parse_cli({"pause", "mic"}).command == Command{PauseCommand{"mic"}});
    CHECK(parse_cli({"resume", "mic"}).command == Command{ResumeCommand{"mic"}});
    CHECK(parse_cli({"quit", "--help"}).help);
}

TEST_CASE("control cli: usage errors", "[recorder][control]") {
    CHECK_THAT(usage_error({"save", "--seconds", "many"}),
               Catch::Contains("the argument ('many') for option '--seconds' is invalid"));
    CHECK(usage_error({"save", "--seconds", "0"}) ==
          "\"seconds\" must be greater than 0 (got 0); leave it out to save all the ring holds");
    CHECK(usage_error({"save", "--seconds", "nan"}) == "\"seconds\" must be a finite number");
    CHECK_THAT(usage_error({"save", "--post", "301"}),
               Catch::StartsWith("\"post_seconds\" must be between 0 and 300"));
    CHECK(usage_error({"save", "--label", "AC/DC"}) == "accepted"); // the namer makes it safe
    CHECK_THAT(usage_error({"save", "--seconds"}), Catch::Contains("--seconds"));
    CHECK_THAT(usage_error({"status", "--label", "x"}), Catch::Contains("--label"));
    CHECK(usage_error({"status", "extra"}) == "unexpected argument 'extra'");
    CHECK(usage_error({"pause", "a", "b"}) == "unexpected argument 'b'");
    CHECK(usage_error({"save", "mic"}) == "unexpected argument 'mic'");
    CHECK(usage_error({"pause", "--source", "mic"}) != "accepted");
}

TEST_CASE("control cli: the reply timeout grows with --post", "[recorder][control]") {
    using std::chrono::seconds;
    CHECK(reply_timeout(StatusCommand{}) == seconds(30));
    CHECK(reply_timeout(SaveCommand{}) == seconds(30));
    CHECK(reply_timeout(SaveCommand{"mic", 10.0, std::nullopt, 120}) == seconds(150));
    CHECK(reply_timeout(SaveCommand{"mic", 10.0, std::nullopt, 0.2}) == seconds(31));
}

TEST_CASE("control cli: replies in words", "[recorder][control]") {
    CHECK(describe(SaveCommand{},
                   R"({"ok":true,"source":"mic","seconds":20,"path":"replays/2026-11-30/)"
                   R"(143052_mic_dog.wav"})") ==
          "saved 20.0 s of mic to replays/2026-11-30/143052_mic_dog.wav\n");
    // A save reply without those members is shown member by member.
    CHECK(describe(SaveCommand{}, R"({"ok":true,"files":3})") == "files: 3\n");
    CHECK(describe(PauseCommand{"mic"}, R"({"ok":true})") == "paused mic\n");
    CHECK(describe(PauseCommand{}, R"({"ok":true})") == "paused every source\n");
    CHECK(describe(ResumeCommand{}, R"({"ok":true})") == "resumed every source\n");
    CHECK(describe(QuitCommand{}, R"({"ok":true})") == "isrd is stopping\n");
    CHECK(describe(StatusCommand{},
                   R"({"ok":true,"pid":4242,"version":"0.1.0","uptime_seconds":3600.5,)"
                   R"("saves":[],"sources":[)"
                   R"({"name":"mic","state":"recording","paused":false,"buffered_seconds":60.0},)"
                   R"({"name":"radio1","state":"retrying","paused":true,"error":null,)"
                   R"("buffered_seconds":12.25}]})") ==
          "pid: 4242\n"
          "version: 0.1.0\n"
          "uptime_seconds: 3600.5\n"
          "saves: none\n"
          "\n"
          "name    state      paused  buffered_seconds  error\n"
          "mic     recording  no      60.0              -\n"
          "radio1  retrying   yes     12.25             -\n");
    CHECK(describe(SourcesCommand{}, R"({"ok":true,"sources":[{"name":"mic","ring":[1,2]}]})") ==
          "name  ring\n"
          "mic   [1,2]\n");
}

TEST_CASE("control cli: exit codes and output against a running server", "[recorder][control]") {
    QuietLog quiet;
    ScratchDir dir;
    const auto socket = (dir / "isrd.sock").string();

    SECTION("3 when nothing listens, naming the path") {
        const auto r = run({"status", "--socket", socket});
        CHECK(r.status == kCliNoDaemon);
        CHECK(r.out.empty());
        CHECK(r.err == "isrd status: no isrd answers at " + socket +
                           " (from --socket): No such file or directory; is isrd running? Start "
                           "it with `isrd CONFIG`, or point to its socket with --socket PATH or "
                           "-c CONFIG\n");
    }
    SECTION("2 on a usage error, before connecting") {
        const auto r = run({"save", "--seconds", "-1", "--socket", socket});
        CHECK(r.status == kCliUsage);
        CHECK_THAT(r.err, Catch::StartsWith("isrd save: \"seconds\" must be greater than 0"));
        CHECK_THAT(r.err, Catch::EndsWith("Try 'isrd save --help'.\n"));
        CHECK(run({"status", "--socket", "/tmp/" + std::string(200, 'x')}).status == kCliUsage);
        CHECK(run({"status", "-c", (dir / "missing.ini").string()}).status == kCliUsage);
    }
    SECTION("0 and 1 from the replies") {
        FakeHandler handler;
        ControlServer server(socket, handler);
        server.start();
        auto r = run(
            {"save", "--source", "mic", "--seconds", "20", "--label", "dog", "--socket", socket});
        CHECK(r.status == kCliOk);
        CHECK(r.out == "saved 20.0 s of mic to replays/dog.wav\n");
        CHECK(r.err.empty());

        r = run({"save", "--label", "twice", "--json", "--socket", socket});
        CHECK(r.status == kCliOk);
        CHECK(r.out == "{\"ok\":true,\"path\":\"first\"}\n");

        r = run({"pause", "boom", "--socket", socket});
        CHECK(r.status == kCliErrorReply);
        CHECK(r.out.empty());
        CHECK(r.err == "isrd pause: no source is called boom\n");

        r = run({"pause", "boom", "--json", "--socket", socket});
        CHECK(r.status == kCliErrorReply);
        CHECK(r.out == "{\"ok\":false,\"error\":\"no source is called boom\"}\n");

        r = run({"status", "--help"});
        CHECK(r.status == kCliOk);
        CHECK_THAT(r.out, Catch::Contains("isrd save [--source S]"));
    }
}

TEST_CASE("control socket path: --socket, else $XDG_RUNTIME_DIR, else the recordings folder",
          "[recorder][control]") {
    const char* saved = std::getenv("XDG_RUNTIME_DIR");
    const std::optional<std::string> previous =
        saved ? std::optional<std::string>(saved) : std::nullopt;
    Config config;
    config.file = "isrd.ini";
    config.general.output_directory = "/srv/rec";

    ::setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
    CHECK(control_socket_path(fs::path("/tmp/x.sock"), nullptr).path == "/tmp/x.sock");
    CHECK(control_socket_path(fs::path("/tmp/x.sock"), nullptr).origin == "--socket");
    CHECK(control_socket_path(std::nullopt, nullptr).path == "/run/user/1000/isrd.sock");
    CHECK(control_socket_path(std::nullopt, &config).path == "/run/user/1000/isrd.sock");
    CHECK(control_socket_path(std::nullopt, nullptr).origin == "$XDG_RUNTIME_DIR");

    ::setenv("XDG_RUNTIME_DIR", "relative/dir", 1); // ignored, as the XDG spec says
    CHECK(control_socket_path(std::nullopt, nullptr).path == "recordings/.isrd.sock");
    ::unsetenv("XDG_RUNTIME_DIR");
    CHECK(control_socket_path(std::nullopt, nullptr).path == "recordings/.isrd.sock");
    CHECK(control_socket_path(std::nullopt, nullptr).origin == "the default");
    CHECK(control_socket_path(std::nullopt, &config).path == "/srv/rec/.isrd.sock");
    CHECK(control_socket_path(std::nullopt, &config).origin == "output_directory of isrd.ini");

    if (previous)
        ::setenv("XDG_RUNTIME_DIR", previous->c_str(), 1);
}
