#include "common/config.hpp"
#include "common/strings.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace isr;

namespace {

// Parses and returns the collected errors (empty when the text is valid).
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

bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t len = c < 0x80                 ? 1
                                : c >= 0xC2 && c <= 0xDF ? 2
                                : c >= 0xE0 && c <= 0xEF ? 3
                                : c >= 0xF0 && c <= 0xF4 ? 4
                                                         : 0;
        if (len == 0 || i + len > s.size())
            return false;
        for (std::size_t k = 1; k < len; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
                return false;
        }
        i += len;
    }
    return true;
}

const SourceConfig& source(const Config& c, const std::string& name) {
    for (const auto& s : c.sources) {
        if (s.name == name)
            return s;
    }
    FAIL("no source " << name);
    throw;
}

} // namespace

TEST_CASE("sources inherit [general] and may override any key", "[common][config]") {
    const auto c = parse_config(R"(
# whole-line comment
; another
[general]
output_directory = /srv/rec   # inline comment
split_minutes = 30
filename_pattern = {source}_%Y%m%d_%H%M%S
max_retries = 3
retry_delay_seconds = 0.5 ; inline too
log_level = debug
log_file =
timezone = UTC
format = flac

[radio1]
type = stream
url = http://example.com:8000/live
username =
password = "s3cret #not-a-comment"
format = auto

[mic]
type = soundcard
device = shared_mic
sample_rate = 48000
channels = 1
bit_depth = 24
split_interval = 10s
max_retries = 0
)",
                                "test.ini");
    REQUIRE(c.sources.size() == 2);
    CHECK(c.general.output_directory == "/srv/rec");
    CHECK(c.general.log_level == log::Level::debug);
    CHECK(c.general.log_file.empty());

    const auto& radio = source(c, "radio1");
    CHECK(radio.type == SourceType::stream);
    CHECK(radio.output_directory == "/srv/rec");
    CHECK(radio.split.seconds == 1800);
    CHECK(radio.filename_pattern == "{source}_%Y%m%d_%H%M%S");
    CHECK(radio.max_retries == 3);
    CHECK(radio.retry_delay_seconds == 0.5);
    CHECK(radio.timezone == "UTC");
    CHECK(radio.username.empty());
    CHECK(radio.password == "s3cret #not-a-comment");
    CHECK(radio.format == "auto");
    CHECK(radio.tls_verify);
    CHECK(radio.stall_timeout_seconds == 15);

    const auto& mic = source(c, "mic");
    CHECK(mic.type == SourceType::soundcard);
    CHECK(mic.device == "shared_mic");
    CHECK(mic.sample_rate == 48000);
    CHECK(mic.channels == 1);
    CHECK(mic.bit_depth == 24);
    CHECK(mic.format == "flac"); // inherited from [general]
    CHECK(mic.split.seconds == 10);
    CHECK(mic.max_retries == 0);
}

TEST_CASE("defaults match the original ISR", "[common][config]") {
    const auto c = parse_config("[mic]\ntype = soundcard\n", "t.ini");
    const auto& mic = c.sources.at(0);
    CHECK(mic.output_directory == "recordings");
    CHECK(mic.split.seconds == 3600);
    CHECK(mic.filename_pattern == "%Y%m%d_%H%M%S");
    CHECK(mic.max_retries == 10);
    CHECK(mic.retry_delay_seconds == 5);
    CHECK(mic.format == "wav");
    CHECK(mic.device == "default");
    CHECK(c.general.log_level == log::Level::info);
    CHECK(c.general.log_file == "recorder.log");
    const auto s = parse_config("[r]\ntype=stream\nurl=https://x.org/a\n", "t.ini");
    CHECK(s.sources.at(0).format == "auto");
}

TEST_CASE("every config error names file, line, section, key and what is accepted",
          "[common][config]") {
    struct Row {
        const char* text;
        const char* expected;
    };
    const Row rows[] = {
        {"[r]\ntype = stream\nurll = http://x/\nurl = http://x/\n",
         "test.ini:3: [r] unknown key 'urll'; did you mean 'url'?; accepted keys: type,"},
        {"[r]\ntype = radio\n", "test.ini:2: [r] type = radio: unknown source type; accepted: "
                                "stream, soundcard, generator"},
        {"[r]\ntype = stream\n", "test.ini:1: [r] missing 'url' (required for type = stream)"},
        {"[r]\ntype = stream\nurl = ftp://x/\n",
         "test.ini:3: [r] url = ftp://x/: must start with http:// or https://"},
        {"[m]\ntype = soundcard\n[m]\ntype = soundcard\n",
         "test.ini:3: duplicate section [m] (first on line 1)"},
        {"[m]\ntype = soundcard\nchannels = 2\nchannels = 1\n",
         "test.ini:4: [m] channels is set twice (first on line 3)"},
        {"[m]\ntype = soundcard\nsplit_minutes = 0\n",
         "test.ini:3: [m] split_minutes = 0: out of range (1 to 1440); accepted: a whole number of "
         "minutes"},
        {"[m]\ntype = soundcard\nsplit_minutes = ten\n",
         "test.ini:3: [m] split_minutes = ten: not a whole number"},
        {"[m]\ntype = soundcard\nsplit_interval = 5 fortnights\n",
         "test.ini:3: [m] split_interval = 5 fortnights: not a duration from 1s to 1d; accepted: a "
         "duration with unit s, m, h or d"},
        {"[m]\ntype = soundcard\nsplit_minutes = 5\nsplit_interval = 10s\n",
         "test.ini:4: [m] split_minutes (line 3) and split_interval are both set; keep one"},
        {"[m]\ntype = soundcard\nformat = mp3\n",
         "test.ini:3: [m] format = mp3: not a format for type = soundcard; accepted: wav, flac"},
        {"[r]\ntype = stream\nurl = http://x/\nformat = wav\n",
         "test.ini:4: [r] format = wav: not a format for type = stream; accepted: auto, mp3, aac, "
         "ogg, opus, flac"},
        {"[general]\nformat = mp3\n[m]\ntype = soundcard\n",
         "test.ini:3: [m] format = mp3 (inherited from [general], line 2): not a format for type = "
         "soundcard; set format in [m]; accepted: wav, flac"},
        {"[general]\nformat = ogv\n[m]\ntype = soundcard\n",
         "test.ini:2: [general] format = ogv: not a known format; accepted: auto, mp3"},
        {"[m]\ntype = soundcard\nurl = http://x/\n",
         "test.ini:3: [m] url does not apply to type = soundcard; keys for soundcard sources:"},
        {"[m]\ntype = soundcard\nlog_file = x.log\n",
         "test.ini:3: [m] log_file can only be set in [general]"},
        {"[m]\ndevice = hw:0,0\n",
         "test.ini:1: [m] missing 'type'; accepted: stream, soundcard, generator"},
        {"[bad name]\ntype = soundcard\n",
         "test.ini:1: section name [bad name] is not a valid source name"},
        {"[m]\ntype = soundcard\nthis line has no delimiter\n",
         "test.ini:3: 'this line has no delimiter' is not 'key = value', a [section] or a comment"},
        {"type = soundcard\n[m]\ntype = soundcard\n",
         "test.ini:1: 'type' appears before any [section]; put it under [general]"},
        {"[m\ntype = soundcard\n", "test.ini:1: malformed section header '[m'; expected [name]"},
        {"[general]\nlog_level = verbose\n[m]\ntype=soundcard\n",
         "test.ini:2: [general] log_level = verbose: unknown log level; accepted: DEBUG, INFO, "
         "WARNING, ERROR, CRITICAL"},
        {"[m]\ntype = soundcard\nsample_rate = 1000\n",
         "test.ini:3: [m] sample_rate = 1000: out of range (8000 to 768000)"},
        {"[m]\ntype = soundcard\nchannels = 0\n",
         "test.ini:3: [m] channels = 0: out of range (1 to 32)"},
        {"[m]\ntype = soundcard\nbit_depth = 20\n",
         "test.ini:3: [m] bit_depth = 20: unsupported bit depth; accepted: 16, 24"},
        {"[m]\ntype = soundcard\ncompression_level = 9\n",
         "test.ini:3: [m] compression_level = 9: out of range (0 to 8)"},
        {"[m]\ntype = soundcard\nmax_retries = -1\n",
         "test.ini:3: [m] max_retries = -1: out of range (0 to 1000000)"},
        {"[m]\ntype = soundcard\nretry_delay_seconds = soon\n",
         "test.ini:3: [m] retry_delay_seconds = soon: not a number"},
        {"[m]\ntype = soundcard\ntimezone = Mars/Olympus\n",
         "test.ini:3: [m] timezone = Mars/Olympus: unknown time zone 'Mars/Olympus'"},
        {"[m]\ntype = soundcard\nfilename_pattern = /abs/%H\n",
         "test.ini:3: [m] filename_pattern = /abs/%H: must be relative to output_directory"},
        {"[m]\ntype = soundcard\nfilename_pattern = ../up/%H\n",
         "test.ini:3: [m] filename_pattern = ../up/%H: must not contain '.' or '..' folders"},
        {"[m]\ntype = soundcard\nenabled = maybe\n",
         "test.ini:3: [m] enabled = maybe: not a yes/no value"},
        {"[r]\ntype = stream\nurl = http://x/\ntls_verify = perhaps\n",
         "test.ini:4: [r] tls_verify = perhaps: not a yes/no value"},
        {"[r]\ntype = stream\nurl = http://x/\nstall_timeout_seconds = 0\n",
         "test.ini:4: [r] stall_timeout_seconds = 0: out of range (1 to 3600 seconds)"},
        {"[m]\ntype = soundcard\ndevice =\n", "test.ini:3: [m] device = : must not be empty"},
        {"[g]\ntype = generator\nseed = x\n", "test.ini:3: [g] seed = x: not a whole number"},
        {"[g]\ntype = generator\nspeed = 0\n", "test.ini:3: [g] speed = 0: out of range"},
        {"[m]\ntype = soundcard\nspeed = 2\n", "test.ini:3: [m] speed"},
        {"[general]\noutput_directory = rec\n", "test.ini: no sources defined"},
    };
    for (const auto& row : rows) {
        INFO(row.text);
        CHECK_THAT(only_error(row.text), Catch::StartsWith(row.expected));
    }
}

TEST_CASE("config errors are all collected, in line order", "[common][config]") {
    const auto errors = errors_of("[a]\ntype = stream\nformat = wav\n[b]\ntype = soundcard\n"
                                  "channels = 99\nbogus = 1\n[a]\ntype = soundcard\n");
    REQUIRE(errors.size() == 5);
    CHECK_THAT(errors[0], Catch::StartsWith("test.ini:1: [a] missing 'url'"));
    CHECK_THAT(errors[1], Catch::StartsWith("test.ini:3: [a] format = wav"));
    CHECK_THAT(errors[2], Catch::StartsWith("test.ini:6: [b] channels = 99"));
    CHECK_THAT(errors[3], Catch::StartsWith("test.ini:7: [b] unknown key 'bogus'"));
    CHECK_THAT(errors[4], Catch::StartsWith("test.ini:8: duplicate section [a]"));
}

TEST_CASE("a missing config file says how to create one", "[common][config]") {
    try {
        load_config("/nonexistent/isr.ini");
        FAIL("expected ConfigError");
    } catch (const ConfigError& e) {
        REQUIRE(e.errors().size() == 1);
        CHECK_THAT(e.errors()[0],
                   Catch::Contains("/nonexistent/isr.ini: cannot read the config file"));
        CHECK_THAT(e.errors()[0], Catch::Contains("config.example.ini"));
    }
}

TEST_CASE("describe_config masks passwords and shows resolved values", "[common][config]") {
    const auto c = parse_config("[general]\nsplit_minutes = 15\n[r]\ntype = stream\n"
                                "url = http://user:hunter2@example.com/live\npassword = hunter2\n",
                                "t.ini");
    const auto text = describe_config(c);
    CHECK_THAT(text, !Catch::Contains("hunter2"));
    CHECK_THAT(text, Catch::Contains("url = http://user:***@example.com/live"));
    CHECK_THAT(text, Catch::Contains("password = ***"));
    CHECK_THAT(text, Catch::Contains("split_interval = 15m"));
}

TEST_CASE("sharing file names between sources is a warning", "[common][config]") {
    const auto c = parse_config("[a]\ntype = generator\n[b]\ntype = generator\n", "t.ini");
    REQUIRE(c.warnings.size() == 1);
    CHECK_THAT(c.warnings[0], Catch::Contains("add {source} to filename_pattern"));
    const auto ok =
        parse_config("[general]\nfilename_pattern = {source}_%H\n[a]\ntype = generator\n"
                     "[b]\ntype = generator\n",
                     "t.ini");
    CHECK(ok.warnings.empty());
}

TEST_CASE("the shipped example and demo configs are valid", "[common][config]") {
    for (const char* file : {"/config.example.ini", "/scripts/demo.ini"}) {
        INFO(file);
        CHECK_NOTHROW(load_config(std::string(ISR_SOURCE_DIR) + file));
    }
}

TEST_CASE("values that would reach a request line or a file name raw are refused",
          "[common][config]") {
    struct Row {
        std::string text;
        std::string expected;
    };
    const std::string stream = "[r]\ntype = stream\n";
    const Row rows[] = {
        {stream + "url = http://x/\nusername = a\rGET /evil HTTP/1.1\n",
         "test.ini:4: control character \\r at column 13"},
        {stream + "url = http://x/\nusername = \x01\n",
         "test.ini:4: control character \\x01 at column 12"},
        {stream + "url = http://x:83706/live\n",
         "test.ini:3: [r] url = http://x:83706/live: port 83706 is out of range (1 to 65535)"},
        {stream + "url = http://x:99999999999/live\n",
         "test.ini:3: [r] url = http://x:99999999999/live: port 99999999999 is out of range"},
        {stream + "url = http://x:0/live\n",
         "test.ini:3: [r] url = http://x:0/live: port 0 is out of range"},
        {stream + "url = http://[::1:8000/\n",
         "test.ini:3: [r] url = http://[::1:8000/: has an IPv6 address without its closing ']'"},
        {stream + "url = http://:8000/\n", "test.ini:3: [r] url = http://:8000/: has no host name"},
        {stream + "url = http://x/\npassword = \"abc\n",
         "test.ini:4: [r] password: the value starts with a double quote but has no closing one"},
        {stream + "url = http://x/\nusername = \"abc\" trailing\n",
         "test.ini:4: [r] username: the value starts with a double quote"},
        {stream + "url = http://x/\nfilename_pattern = %Y%n%H\n",
         "test.ini:4: [r] filename_pattern = %Y%n%H: uses %n, which puts a newline into file "
         "names"},
        {stream + "url = http://x/\nfilename_pattern = %Y%_3t%H\n",
         "test.ini:4: [r] filename_pattern = %Y%_3t%H: uses %t, which puts a tab"},
        {stream + "url = http://x/\nfilename_pattern = %En\n",
         "test.ini:4: [r] filename_pattern = %En: uses %n"},
        {stream + "url = http://x/\nfilename_pattern = %%n\n", ""}, // a literal "%n" is fine
        {stream + "url = http://x/\n\xff\xfe bogus\n",
         "test.ini:4: '\\xff\\xfe bogus' is not 'key = value'"},
        {stream + "url = http://x/\n[\xc3\x28]\ntype = generator\n",
         "test.ini:4: section name [\\xc3(] is not a valid source name"},
        {std::string("[r]\ntype = stream\0\x01\x02", 21),
         "test.ini:2: this is not a text file (a NUL byte at offset 17)"},
    };
    for (const auto& row : rows) {
        INFO(row.text);
        if (row.expected.empty()) {
            CHECK(errors_of(row.text).empty());
        } else {
            CHECK_THAT(only_error(row.text), Catch::StartsWith(row.expected));
        }
    }
    // A CR inside the url: the line is refused, so the source has no url either.
    const auto errors = errors_of(stream + "url = http://x/a\rGET /evil HTTP/1.1\n");
    REQUIRE(errors.size() == 2);
    CHECK_THAT(errors[1], Catch::StartsWith("test.ini:3: control character \\r at column 17"));
}

TEST_CASE("passwords are never quoted in config errors", "[common][config]") {
    const char* rows[] = {
        "[r]\ntype = stream\nurl = http://user:hunter2@x:99999/live\n",    // a bad port
        "[r]\ntype = stream\nurl = http://user:hun/ter2@x/live\n",         // an unencoded '/'
        "[r]\ntype = stream\nurl = http://user:hunter2@x/live now\n",      // a space
        "[general]\nurl = http://user:hunter2@x:0/\n[r]\ntype = stream\n", // inherited
        "[r]\ntype = stream\nurl = http://x/\npassword hunter2\n",         // no '='
        "[r]\ntype = stream\nurl = http://x/\npassword = \"hunter2\n",     // unterminated
        "[r]\ntype = stream\nurl = http://x/\npassword = hunter2\npassword = hunter2\n", // twice
        "[r\nurl = http://user:hunter2@x/\n", // a broken header
    };
    for (const char* text : rows) {
        INFO(text);
        const auto errors = errors_of(text);
        REQUIRE_FALSE(errors.empty());
        for (const auto& e : errors)
            CHECK_THAT(e, !Catch::Contains("hunter2") && !Catch::Contains("ter2"));
    }
    CHECK_THAT(only_error(rows[0]), Catch::Contains("http://user:***@x:99999/live"));
}

TEST_CASE("quoted values end at their closing quote, anything else ends at an inline comment",
          "[common][config]") {
    const auto c = parse_config("[r]\ntype = stream\nurl = http://x/\n"
                                "password = \"a\"b\"   # a quote inside\n"
                                "username = \"say # hi\" ; comment with \"quotes\"\n",
                                "t.ini");
    CHECK(c.sources.at(0).password == "a\"b");
    CHECK(c.sources.at(0).username == "say # hi");
    const auto bare =
        parse_config("[r]\ntype = stream\nurl = http://x/\npassword = ab\"cd # note\n", "t.ini");
    CHECK(bare.sources.at(0).password == "ab\"cd");
}

TEST_CASE("random bytes in a config file give escaped messages, never raw ones",
          "[common][config]") {
    std::uint32_t seed = 12345;
    for (int round = 0; round < 200; ++round) {
        std::string text = "[r]\ntype = stream\n";
        for (int i = 0; i < 300; ++i) {
            seed = seed * 1664525u + 1013904223u;
            auto c = static_cast<char>(seed >> 24);
            if (c == '\0')
                c = '=';
            text += c;
        }
        for (const auto& e : errors_of(text)) {
            INFO(e);
            for (std::size_t i = 0; i < e.size(); ++i) {
                const auto b = static_cast<unsigned char>(e[i]);
                CHECK((b >= 0x20 && b != 0x7F));
            }
            CHECK(valid_utf8(e)); // invalid bytes are escaped, not passed on
        }
    }
}
