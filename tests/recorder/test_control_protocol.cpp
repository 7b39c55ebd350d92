// The control protocol: every command parsed, every refusal a sentence, replies one line each.
#include "recorder/control/protocol.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace isr;
using namespace isr::rec;

namespace {

std::string refusal(std::string_view line) {
    try {
        const auto command = parse_command(line);
        return "accepted as " + std::string(command_name(command));
    } catch (const ProtocolError& e) {
        return e.what();
    }
}

std::string refusal(const Command& command) {
    try {
        check_command(command);
        return "accepted";
    } catch (const ProtocolError& e) {
        return e.what();
    }
}

} // namespace

TEST_CASE("control protocol: every command parses into its type", "[recorder][control]") {
    const auto save = parse_command(R"({"cmd":"save","source":"mic","seconds":20,"label":"dog",)"
                                    R"("post_seconds":5,"since_last":false})");
    REQUIRE(std::holds_alternative<SaveCommand>(save));
    const auto& s = std::get<SaveCommand>(save);
    CHECK(s.source == "mic");
    CHECK(s.seconds == 20.0);
    CHECK(s.label == "dog");
    CHECK(s.post_seconds == 5.0);
    CHECK_FALSE(s.since_last);

    CHECK(parse_command(R"({"cmd":"save"})") == Command{SaveCommand{}});
    CHECK(parse_command(R"({"cmd":"save","since_last":true,"seconds":2.5})") ==
          Command{SaveCommand{std::nullopt, 2.5, std::nullopt, 0, true}});
    CHECK(parse_command(R"({"cmd":"status"})") == Command{StatusCommand{}});
    CHECK(parse_command(R"(  {"cmd":"sources"}  )") == Command{SourcesCommand{}});
    CHECK(parse_command(R"({"cmd":"pause","source":"mic"})") == Command{PauseCommand{"mic"}});
    CHECK(parse_command(R"({"cmd":"pause"})") == Command{PauseCommand{}});
    CHECK(parse_command(R"({"cmd":"resume","source":"radio"})") == Command{ResumeCommand{"radio"}});
    CHECK(parse_command(R"({"cmd":"resume"})") == Command{ResumeCommand{}});
    CHECK(parse_command(R"({"cmd":"quit"})") == Command{QuitCommand{}});
    // null means "not given", for clients that serialise optional values.
    CHECK(parse_command(R"({"cmd":"pause","source":null})") == Command{PauseCommand{}});
    CHECK(parse_command(R"({"cmd":"save","seconds":null,"label":null})") == Command{SaveCommand{}});
    // The limits themselves are allowed.
    CHECK(parse_command(R"({"cmd":"save","post_seconds":300,"label":")" +
                        std::string(kMaxLabelBytes, 'x') + "\"}") ==
          Command{SaveCommand{std::nullopt, std::nullopt, std::string(kMaxLabelBytes, 'x'), 300}});
    CHECK(parse_command(R"({"cmd":"save","label":"Amsel – früh"})") ==
          Command{SaveCommand{std::nullopt, std::nullopt, "Amsel – früh"}});
}

TEST_CASE("control protocol: a refused request says why in a sentence", "[recorder][control]") {
    const std::string long_label(kMaxLabelBytes + 1, 'x');
    const std::vector<std::pair<std::string, std::string>> cases{
        // Not JSON, with RapidJSON's offset and reason.
        {R"({"cmd":"save")",
         "malformed JSON at byte 13: Missing a comma or '}' after an object member."},
        {"", "malformed JSON at byte 0: The document is empty."},
        {R"({"cmd":"status"} {"cmd":"quit"})",
         "malformed JSON at byte 17: The document root must not be followed by other values."},
        {R"({"cmd":"save","seconds":1e999})", "malformed JSON at byte 24: Number too big"},
        {"{\"cmd\":\"save\",\"label\":\"\xff\"}", "malformed JSON at byte 23: Invalid encoding"},
        {"{'cmd':'status'}", "malformed JSON at byte 1: Missing a name for object member."},
        // Not an object.
        {"[1,2]", R"(a request is a JSON object such as {"cmd":"status"}, not an array)"},
        {R"("status")", "not a string"},
        {"42", "not a number"},
        {"null", "not null"},
        // The command.
        {"{}", R"(missing "cmd": name the command, as in {"cmd":"status"} (save, status, )"
               "sources, pause, resume, quit)"},
        {R"({"command":"status"})", R"(missing "cmd")"},
        {R"({"cmd":7})", R"("cmd" must be a string naming the command (save, status, sources, )"
                         "pause, resume, quit), not a number"},
        {R"({"cmd":"dance"})",
         R"(unknown command "dance"; known commands: save, status, sources, pause, resume, quit)"},
        {R"({"cmd":"STATUS"})", R"(unknown command "STATUS")"},
        // Keys.
        {R"({"cmd":"status","verbose":true})",
         R"(unknown key "verbose" for "status" (it accepts cmd))"},
        {R"({"cmd":"save","secs":2,"tag":"x"})",
         R"(unknown keys "secs", "tag" for "save" (it accepts cmd, source, seconds, label, )"
         "post_seconds, since_last)"},
        {R"({"cmd":"quit","source":"mic"})", R"(unknown key "source" for "quit")"},
        {R"({"cmd":"status","cmd":"quit"})", R"(key "cmd" appears twice)"},
        {R"({"cmd":"save","seconds":1,"seconds":2})", R"(key "seconds" appears twice)"},
        // Types.
        {R"({"cmd":"save","seconds":"20"})", R"("seconds" must be a number of seconds, not a )"
                                             "string"},
        {R"({"cmd":"save","post_seconds":[5]})", R"("post_seconds" must be a number of seconds, )"
                                                 "not an array"},
        {R"({"cmd":"save","source":5})", R"("source" must be a string, not a number)"},
        {R"({"cmd":"pause","source":{"name":"mic"}})", R"("source" must be a string, not an )"
                                                       "object"},
        {R"({"cmd":"save","label":true})", R"("label" must be a string, not a boolean)"},
        {R"({"cmd":"save","since_last":1})", R"("since_last" must be true or false, not a )"
                                             "number"},
        // Ranges.
        {R"({"cmd":"save","seconds":0})", R"("seconds" must be greater than 0 (got 0); leave it )"
                                          "out to save all the ring holds"},
        {R"({"cmd":"save","seconds":-3})", R"("seconds" must be greater than 0 (got -3))"},
        {R"({"cmd":"save","post_seconds":-1})",
         R"("post_seconds" must be between 0 and 300 (got -1))"},
        {R"({"cmd":"save","post_seconds":300.5})",
         R"("post_seconds" must be between 0 and 300 (got 300.5))"},
        {R"({"cmd":"save","label":")" + long_label + "\"}",
         R"("label" is 101 bytes long; at most 100 are allowed)"},
        {R"({"cmd":"save","label":""})", R"("label" must not be empty)"},
        {R"({"cmd":"save","source":""})", R"("source" must not be empty; leave it out to mean )"
                                          "every source"},
        {R"({"cmd":"resume","source":""})", R"("source" must not be empty)"},
        {R"({"cmd":"pause","source":")" + std::string(kMaxSourceNameBytes + 1, 's') + "\"}",
         R"("source" is 201 bytes long)"},
        {R"({"cmd":"pause","source":"m\tic"})", R"("source" must not contain control characters)"},
    };
    for (const auto& [line, expected] : cases) {
        INFO(line);
        CHECK_THAT(refusal(line), Catch::Contains(expected));
    }
}

TEST_CASE("control protocol: quoted client text is cut short", "[recorder][control]") {
    const auto message = refusal(R"({"cmd":")" + std::string(5000, 'z') + "\"}");
    CHECK_THAT(message, Catch::StartsWith("unknown command \"zzzz"));
    CHECK(message.size() < 200);
}

TEST_CASE("control protocol: a deeply nested line is refused without deep recursion",
          "[recorder][control]") {
    const std::string nested(kMaxControlLineBytes, '[');
    CHECK_THAT(refusal(nested), Catch::StartsWith("malformed JSON at byte 65536"));
    const std::string objects = [] {
        std::string s;
        for (int i = 0; i < 10000; ++i)
            s += R"({"a":)";
        return s;
    }();
    CHECK_THAT(refusal(objects), Catch::StartsWith("malformed JSON"));
}

TEST_CASE("control protocol: commands built in code get the same range checks",
          "[recorder][control]") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    CHECK(refusal(SaveCommand{}) == "accepted");
    CHECK(refusal(SaveCommand{.source = "mic", .seconds = nan}) ==
          "\"seconds\" must be a finite number");
    CHECK(refusal(SaveCommand{.source = "mic", .seconds = inf}) ==
          "\"seconds\" must be a finite number");
    CHECK_THAT(refusal(SaveCommand{"mic", 1.0, std::nullopt, nan}),
               Catch::StartsWith("\"post_seconds\" must be between 0 and 300 (got nan"));
    CHECK_THAT(refusal(SaveCommand{"mic", 1.0, std::nullopt, inf}),
               Catch::StartsWith("\"post_seconds\" must be between 0 and 300 (got inf"));
    CHECK_THAT(refusal(PauseCommand{""}), Catch::StartsWith("\"source\" must not be empty"));
    CHECK(refusal(StatusCommand{}) == "accepted");
}

TEST_CASE("control protocol: encoded commands parse back equal", "[recorder][control]") {
    const std::vector<Command> commands{
        SaveCommand{},
        SaveCommand{"mic", 20.0, "dog", 5.0, false},
        SaveCommand{"garten \"süd\"", 0.25, "a\\b", 299.999, true},
        SaveCommand{std::nullopt, 1e-300, std::nullopt, 0, true},
        StatusCommand{},
        SourcesCommand{},
        PauseCommand{},
        PauseCommand{"mic"},
        ResumeCommand{},
        ResumeCommand{"mic"},
        QuitCommand{},
    };
    for (const auto& command : commands) {
        const auto line = encode_command(command);
        INFO(line);
        CHECK(line.find('\n') == std::string::npos);
        CHECK(parse_command(line) == command);
    }
    CHECK(encode_command(StatusCommand{}) == R"({"cmd":"status"})");
    // RapidJSON reads numbers without full precision (see protocol.cpp): a zero with a large
    // exponent is zero, and 0.1 + 0.2 comes back within a unit in the last place.
    CHECK(refusal(R"({"cmd":"save","seconds":0e99})") ==
          "\"seconds\" must be greater than 0 (got 0); leave it out to save all the ring holds");
    const auto inexact =
        std::get<SaveCommand>(parse_command(encode_command(SaveCommand{.seconds = 0.1 + 0.2})));
    CHECK(*inexact.seconds == Approx(0.1 + 0.2).epsilon(1e-15));
    CHECK(encode_command(SaveCommand{"mic", 20.0, "dog", 5.0, true}) ==
          R"({"cmd":"save","source":"mic","seconds":20.0,"label":"dog","post_seconds":5.0,)"
          R"("since_last":true})");
}

TEST_CASE("control protocol: replies are one JSON object on one line", "[recorder][control]") {
    CHECK(Reply::success().line() == R"({"ok":true})");
    CHECK(Reply::success().ok());
    const auto saved = Reply::success([](JsonWriter& w) {
        w.member("source", "mic").member("seconds", 20.0).member("path", "replays/a.wav");
    });
    CHECK(saved.line() == R"({"ok":true,"source":"mic","seconds":20.0,"path":"replays/a.wav"})");
    const auto failed = Reply::failure("no source \"x\"\nhere");
    CHECK_FALSE(failed.ok());
    CHECK(failed.line() == R"({"ok":false,"error":"no source \"x\"\nhere"})");

    const auto ok = parse_reply(saved.line());
    CHECK(ok.ok);
    CHECK(json_string(ok.doc, "path") == "replays/a.wav");
    const auto error = parse_reply(failed.line());
    CHECK_FALSE(error.ok);
    CHECK(error.error == "no source \"x\"\nhere");
    CHECK_THROWS_WITH(parse_reply("hello"), Catch::StartsWith("the reply is not JSON"));
    CHECK_THROWS_WITH(parse_reply(R"({"status":1})"), Catch::StartsWith("the reply has no \"ok\""));
    CHECK_THROWS_WITH(parse_reply(R"({"ok":false})"),
                      Catch::StartsWith("the error reply has no \"error\""));
}
