// The instant-replay keys of config.ini: replay_seconds, record, replay_template, on_save and
// control_socket.
#include "common/config.hpp"
#include "common/strings.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace isr;

namespace {

std::vector<std::string> errors_of(const std::string& text) {
    try {
        parse_config(text, "test.ini");
    } catch (const ConfigError& e) {
        return e.errors();
    }
    return {};
}

std::string only_error(const std::string& text) {
    const auto errors = errors_of(text);
    if (errors.size() == 1)
        return errors.front();
    return cat(errors.size(), " errors: ", join(errors, " | "));
}

const SourceConfig& source(const Config& c, const std::string& name) {
    for (const auto& s : c.sources) {
        if (s.name == name)
            return s;
    }
    FAIL("no source " << name);
    throw;
}

using Words = std::vector<std::string>;

} // namespace

TEST_CASE("replay keys: defaults keep replay off and recording on", "[common][config][replay]") {
    const auto c = parse_config("[mic]\ntype = soundcard\n", "t.ini");
    const auto& mic = c.sources.at(0);
    CHECK(mic.replay_seconds == 0);
    CHECK(mic.record);
    CHECK(mic.replay_template.text() == ReplayTemplate::kDefault);
    CHECK(mic.on_save.empty());
    CHECK(mic.replay_pcm_bytes() == 0);
    CHECK(c.general.control_socket.empty());
}

TEST_CASE("replay keys: set in [general], inherited, overridden", "[common][config][replay]") {
    const auto c = parse_config(R"([general]
replay_seconds = 30
on_save = notify-send "isr saved" 'a b'  # a comment
control_socket = /run/isrd/control.sock
replay_template = %(source)s/%(date)s/%(counter)03d_%(label|x)s.%(ext)s

[mic]
type = soundcard
sample_rate = 48000
record = no

[radio]
type = stream
url = http://x/
replay_seconds = 7.5
on_save =
replay_template = r/%(time)s.%(ext)s

[gen]
type = generator
on_save = "/opt/my tools/tag" --source "Take #1" ; a comment
record = yes
)",
                                "t.ini");
    CHECK(c.general.control_socket == "/run/isrd/control.sock");
    const auto& mic = source(c, "mic");
    CHECK(mic.replay_seconds == 30);
    CHECK_FALSE(mic.record);
    CHECK(mic.on_save == Words{"notify-send", "isr saved", "a b"});
    CHECK(mic.replay_template.text() == "%(source)s/%(date)s/%(counter)03d_%(label|x)s.%(ext)s");
    CHECK(mic.replay_pcm_bytes() == 48000ull * 30 * 2 * 2); // 5.5 MB
    const auto& radio = source(c, "radio");
    CHECK(radio.replay_seconds == 7.5);
    CHECK(radio.record);
    CHECK(radio.on_save.empty());
    CHECK(radio.replay_template.text() == "r/%(time)s.%(ext)s");
    CHECK(radio.replay_pcm_bytes() == 0); // a stream's ring follows its bit rate
    const auto& gen = source(c, "gen");
    CHECK(gen.replay_seconds == 30);
    CHECK(gen.on_save == Words{"/opt/my tools/tag", "--source", "Take #1"});
}

TEST_CASE("replay keys: every error names file, line, section, key and what is accepted",
          "[common][config][replay]") {
    struct Row {
        std::string text;
        std::string expected;
    };
    const std::string mic = "[m]\ntype = soundcard\n";
    const Row rows[] = {
        {mic + "replay_seconds = 7200\n",
         "test.ini:3: [m] replay_seconds = 7200: out of range (0 to 3600 seconds); the ring is "
         "allocated in RAM when isrd starts (a minute of 48 kHz stereo 16-bit takes about 11 MB); "
         "accepted: seconds from 0 (off) to 3600, such as 30 or 7.5"},
        {mic + "replay_seconds = -1\n",
         "test.ini:3: [m] replay_seconds = -1: out of range (0 to 3600 seconds)"},
        {mic + "replay_seconds = a minute\n",
         "test.ini:3: [m] replay_seconds = a minute: not a number; accepted: seconds from 0"},
        {mic + "record = maybe\n", "test.ini:3: [m] record = maybe: not a yes/no value; "
                                   "accepted: yes, no (no: a replay-only source)"},
        {mic + "record = no\n",
         "test.ini:3: [m] record = no and replay_seconds = 0: the source would capture audio and "
         "keep none; set replay_seconds above 0 for a replay-only source, or record = yes"},
        {mic + "record = off\nreplay_seconds = 0\n",
         "test.ini:3: [m] record = off and replay_seconds = 0: the source would capture audio"},
        {"[general]\nrecord = no\n" + mic,
         "test.ini:3: [m] record = no (inherited from [general], line 2) and replay_seconds = 0: "
         "the source would capture audio and keep none"},
        {"[general]\nreplay_seconds = 99999\n" + mic,
         "test.ini:2: [general] replay_seconds = 99999: out of range (0 to 3600 seconds)"},
        {mic + "sample_rate = 192000\nchannels = 32\nbit_depth = 24\nreplay_seconds = 3600\n",
         "test.ini:6: [m] replay_seconds = 3600: the replay ring would take 61.8 GiB of RAM "
         "(192000 Hz x 32 channels x 3 bytes x 3600 s); the limit is 4.0 GiB; lower "
         "replay_seconds, sample_rate or channels"},
        {"[general]\nreplay_seconds = 3600\n" + mic + "sample_rate = 192000\nchannels = 32\n",
         "test.ini:3: [m] replay_seconds = 3600 (inherited from [general], line 2): the replay "
         "ring would take 41.2 GiB of RAM"},
        {mic + "replay_template = %(title)s.%(ext)s\n",
         "test.ini:3: [m] replay_template = %(title)s.%(ext)s: unknown token %(title); known "
         "tokens: date, time, iso, timestamp, source, label, duration, counter, ext; accepted: a "
         "path relative to output_directory whose file name has %(ext)s"},
        {mic + "replay_template = /home/me/%(time)s.%(ext)s\n",
         "test.ini:3: [m] replay_template = /home/me/%(time)s.%(ext)s: must be relative to the "
         "source's output_directory"},
        {mic + "replay_template = ../%(time)s.%(ext)s\n",
         "test.ini:3: [m] replay_template = ../%(time)s.%(ext)s: has the name '..', which starts "
         "with '.'"},
        {mic + "replay_template = %(date)s/%(time)s\n",
         "test.ini:3: [m] replay_template = %(date)s/%(time)s: must have %(ext)s in its file "
         "name"},
        {mic + "replay_template = %(counter)3d.%(ext)s\n",
         "test.ini:3: [m] replay_template = %(counter)3d.%(ext)s: %(counter)3d: a width needs a "
         "leading 0"},
        {mic + "on_save = notify-send \"saved\n",
         "test.ini:3: [m] on_save = notify-send \"saved: the \" at column 13 is never closed; "
         "accepted: a program and its arguments, split into words like a shell does"},
        {mic + "on_save = play $FILE && rm x\n",
         "test.ini:3: [m] on_save = play $FILE && rm x: '$' at column 6 means something only to "
         "a shell"},
        {"[general]\non_save = 'x\n" + mic,
         "test.ini:2: [general] on_save = 'x: the ' at column 1 is never closed"},
        {mic + "control_socket = /run/isrd.sock\n",
         "test.ini:3: [m] control_socket can only be set in [general]"},
        {"[general]\ncontrol_socket = /" + std::string(110, 's') + "\n" + mic,
         "test.ini:2: [general] control_socket = /" + std::string(110, 's') +
             ": is 111 bytes long; a Unix socket path holds at most 107 bytes (sun_path), so "
             "isrd could not listen on it; choose a shorter path; accepted: a file path of up to "
             "107 bytes, or empty for $XDG_RUNTIME_DIR/isrd.sock (else "
             "<output_directory>/.isrd.sock)"},
        {"[general]\ncontrol_socket = /run/isrd/\n" + mic,
         "test.ini:2: [general] control_socket = /run/isrd/: must name the socket file, not a "
         "folder"},
        {"[general]\ncontrl_socket = /x\n" + mic,
         "test.ini:2: [general] unknown key 'contrl_socket'; did you mean 'control_socket'?"},
    };
    for (const auto& row : rows) {
        INFO(row.text);
        CHECK_THAT(only_error(row.text), Catch::StartsWith(row.expected));
    }
}

TEST_CASE("replay keys: an invalid replay_seconds is not also blamed on record = no",
          "[common][config][replay]") {
    const auto errors = errors_of("[m]\ntype = soundcard\nrecord = no\nreplay_seconds = soon\n");
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::StartsWith("test.ini:4: [m] replay_seconds = soon"));
}

TEST_CASE("replay keys: [general]'s accepted keys list control_socket, a source's do not",
          "[common][config][replay]") {
    const auto general = only_error("[general]\nbogus = 1\n[m]\ntype = soundcard\n");
    CHECK_THAT(general, Catch::Contains("log_file") && Catch::Contains("control_socket") &&
                            Catch::Contains("replay_seconds") && Catch::Contains("on_save"));
    const auto own = only_error("[m]\ntype = soundcard\nbogus = 1\n");
    CHECK_THAT(own, !Catch::Contains("control_socket") && !Catch::Contains("log_file") &&
                        Catch::Contains("replay_template") && Catch::Contains("record"));
}

TEST_CASE("replay keys: a replay-only source does not claim file names", "[common][config]") {
    const auto c = parse_config("[a]\ntype = generator\n[b]\ntype = generator\nrecord = no\n"
                                "replay_seconds = 10\n",
                                "t.ini");
    CHECK(c.warnings.empty());
}

TEST_CASE("replay keys: describe_config shows them, and reads back the same",
          "[common][config][replay]") {
    const auto c = parse_config(R"([general]
control_socket = /run/isrd/control.sock
[mic]
type = soundcard
record = no
replay_seconds = 30
on_save = notify-send "isr saved" 'it'\''s' "#1"
[radio]
type = stream
url = http://x/
)",
                                "t.ini");
    const auto text = describe_config(c);
    CHECK_THAT(text, Catch::Contains("control_socket = /run/isrd/control.sock\n"));
    CHECK_THAT(text, Catch::Contains("record = no\nreplay_seconds = 30  # 5.0 MiB of RAM\n"
                                     "replay_template = " +
                                     std::string(ReplayTemplate::kDefault) + "\n"));
    CHECK_THAT(text, Catch::Contains("on_save = notify-send 'isr saved' 'it'\\''s' '#1'\n"));
    const auto again = parse_config(text, "described.ini");
    CHECK(source(again, "mic").on_save == source(c, "mic").on_save);
    CHECK(source(again, "mic").replay_seconds == 30);
    CHECK_FALSE(source(again, "mic").record);
    CHECK(again.general.control_socket == "/run/isrd/control.sock");
    // Unset, the socket's default is shown with where it comes from.
    const auto plain = describe_config(parse_config("[m]\ntype = soundcard\n", "t.ini"));
    CHECK_THAT(plain, Catch::Contains("isrd.sock  # the default here\n"));
    CHECK_THAT(plain, !Catch::Contains("replay_seconds") && !Catch::Contains("on_save"));
}
