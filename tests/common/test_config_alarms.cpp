#include "common/config.hpp"
#include "common/strings.hpp"

#include <catch2/catch.hpp>

using namespace isr;

namespace {

std::string error_of(const std::string& text) {
    try {
        parse_config(text, "test.ini");
    } catch (const ConfigError& e) {
        return join(e.errors(), " | ");
    }
    return {};
}

} // namespace

TEST_CASE("alarm and hook keys: defaults, inheritance and command splitting", "[common][config]") {
    const auto c = parse_config(R"([general]
silence_alarm_seconds = 30
on_file_closed = sh -c 'exec rclone copyto "$1" "offsite:isr/${1#/srv/rec/}"' sh   # comment
on_alarm = /usr/local/bin/notify "two words"
[mic]
type = soundcard
silence_threshold_dbfs = -45.5
hook_timeout_seconds = 600
[radio]
type = stream
url = http://127.0.0.1/live
silence_alarm_seconds = 0
)",
                                "t.ini");
    const auto& mic = c.sources.at(0);
    CHECK(mic.silence_alarm_seconds == 30);
    CHECK(mic.silence_threshold_dbfs == -45.5);
    CHECK(mic.hook_timeout_seconds == 600);
    CHECK(mic.on_file_closed ==
          std::vector<std::string>{
              "sh", "-c", "exec rclone copyto \"$1\" \"offsite:isr/${1#/srv/rec/}\"", "sh"});
    CHECK(mic.on_alarm == std::vector<std::string>{"/usr/local/bin/notify", "two words"});
    CHECK(mic.on_alarm_clear.empty());
    const auto& radio = c.sources.at(1);
    CHECK(radio.silence_alarm_seconds == 0);
    CHECK(radio.silence_threshold_dbfs == -60);
    CHECK(radio.hook_timeout_seconds == 60);
    const auto described = describe_config(c);
    CHECK_THAT(described, Catch::Contains("silence_alarm_seconds = 30") &&
                              Catch::Contains("silence_threshold_dbfs = -45.5") &&
                              Catch::Contains("on_alarm = /usr/local/bin/notify 'two words'") &&
                              Catch::Contains("hook_timeout_seconds = 600"));
}

TEST_CASE("alarm and hook keys refuse what they cannot use", "[common][config]") {
    const std::string mic = "[mic]\ntype = soundcard\n";
    CHECK_THAT(error_of(mic + "silence_alarm_seconds = 1\n"), Catch::Contains("too short"));
    CHECK_THAT(error_of(mic + "silence_alarm_seconds = -3\n"), Catch::Contains("out of range"));
    CHECK_THAT(error_of(mic + "silence_threshold_dbfs = 3\n"), Catch::Contains("-120 to 0"));
    CHECK_THAT(error_of(mic + "hook_timeout_seconds = 0\n"), Catch::Contains("out of range"));
    CHECK_THAT(error_of(mic + "on_alarm = notify 'unclosed\n"), Catch::Contains("on_alarm"));
    CHECK_THAT(error_of("[radio]\ntype = stream\nurl = http://x/\nsilence_threshold_dbfs = -50\n"),
               Catch::Contains("silence_threshold_dbfs"));
}
