#include "common/replay_template.hpp"
#include "common/strings.hpp"

#include <catch2/catch.hpp>

#include <limits>
#include <string>

using namespace isr;

namespace {

// Berlin's rules without the tz database: CEST (+02:00) in April.
const TimeZone& berlin() {
    static const auto zone = TimeZone::from_posix("CET", "CET-1CEST,M3.5.0,M10.5.0/3");
    return *zone;
}

// 2026-04-08T12:30:52Z, 14:30:52 in Berlin.
constexpr std::int64_t kStart = 1775651452;

std::string render(std::string_view text, const ReplayNameValues& values,
                   const TimeZone& zone = berlin()) {
    return ReplayTemplate::parse(text).render(values, zone);
}

ReplayNameValues values(std::string_view label = "") {
    ReplayNameValues v;
    v.start_utc_seconds = kStart;
    v.source = "mic";
    v.label = label;
    v.duration_seconds = 9.6;
    v.counter = 7;
    v.ext = "wav";
    return v;
}

bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        if (const auto len = utf8_sequence_length(s, i))
            i += len;
        else if (static_cast<unsigned char>(s[i]) < 0x80)
            ++i;
        else
            return false;
    }
    return true;
}

} // namespace

TEST_CASE("replay template: every token renders the save's values", "[common][replay]") {
    CHECK(render("%(date)s_%(time)s_%(iso)s_%(timestamp)s/%(source)s_%(label)s_%(duration)d_"
                 "%(counter)03d.%(ext)s",
                 values("take 1")) ==
          "2026-04-08_143052_2026-04-08T14:30:52+02:00_1775651452/mic_take_1_10_007.wav");
    CHECK(render("%(date)s/%(time)s.%(ext)s", values(), *TimeZone::utc()) ==
          "2026-04-08/123052.wav");
    CHECK(render("%(iso)s.%(ext)s", values(), *TimeZone::utc()) == "2026-04-08T12:30:52+00:00.wav");
    // The date is the start's, in the source's zone: 23:30 UTC is the next day in Berlin.
    auto late = values();
    late.start_utc_seconds = kStart + 11 * 3600;
    CHECK(render("%(date)s/%(time)s.%(ext)s", late) == "2026-04-09/013052.wav");
}

TEST_CASE("replay template: the default names a save by day, time, source and label",
          "[common][replay]") {
    const ReplayTemplate t;
    CHECK(t.text() == ReplayTemplate::kDefault);
    CHECK(t.render(values(), berlin()) == "replays/2026-04-08/143052_mic_untitled.wav");
    CHECK(t.render(values("drum fill"), berlin()) == "replays/2026-04-08/143052_mic_drum_fill.wav");
}

TEST_CASE("replay template: numbers take d with a zero-padded width, or s", "[common][replay]") {
    struct Row {
        const char* text;
        std::int64_t start;
        std::uint64_t counter;
        double duration;
        const char* expected;
    };
    const Row rows[] = {
        {"%(counter)d.%(ext)s", kStart, 7, 1, "7.wav"},
        {"%(counter)s.%(ext)s", kStart, 7, 1, "7.wav"},
        {"%(counter)03d.%(ext)s", kStart, 7, 1, "007.wav"},
        {"%(counter)05d.%(ext)s", kStart, 7, 1, "00007.wav"},
        {"%(counter)03d.%(ext)s", kStart, 123456, 1, "123456.wav"},
        {"%(counter)d.%(ext)s", kStart, 18446744073709551615u, 1, "18446744073709551615.wav"},
        {"%(duration)d.%(ext)s", kStart, 0, 59.4, "59.wav"},
        {"%(duration)03d.%(ext)s", kStart, 0, 59.5, "060.wav"},
        {"%(duration)d.%(ext)s", kStart, 0, -3, "0.wav"},
        {"%(duration)d.%(ext)s", kStart, 0, std::numeric_limits<double>::quiet_NaN(), "0.wav"},
        {"%(timestamp)d.%(ext)s", kStart, 0, 1, "1775651452.wav"},
        {"%(timestamp)012d.%(ext)s", kStart, 0, 1, "001775651452.wav"},
        {"%(timestamp)04d.%(ext)s", -5, 0, 1, "-005.wav"},
    };
    for (const auto& row : rows) {
        INFO(row.text << " counter " << row.counter << " duration " << row.duration);
        auto v = values();
        v.start_utc_seconds = row.start;
        v.counter = row.counter;
        v.duration_seconds = row.duration;
        CHECK(render(row.text, v) == row.expected);
    }
}

TEST_CASE("replay template: a fallback stands in for an empty value", "[common][replay]") {
    const auto t = ReplayTemplate::parse("%(label|untitled)s_%(counter|x)d.%(ext|bin)s");
    auto v = values();
    CHECK(t.render(v, berlin()) == "untitled_7.wav");
    v.label = " ... "; // nothing left after sanitising: missing
    v.ext = "";
    CHECK(t.render(v, berlin()) == "untitled_7.bin");
    v.label = "intro";
    CHECK(t.render(v, berlin()) == "intro_7.bin");
    // %% is a percent sign; an empty fallback is no fallback.
    CHECK(render("100%%_%(label|)s.%(ext)s", values()) == "100%_.wav");
}

TEST_CASE("replay template: a name left empty or starting with '.' gets a '_'",
          "[common][replay]") {
    CHECK(render("%(label)s.%(ext)s", values()) == "_.wav");
    CHECK(render("%(label)s/%(label)s%(ext)s", values()) == "_/wav");
    CHECK(render("%(label)s/a.%(ext)s", values("x")) == "x/a.wav");
    auto v = values();
    v.ext = "";
    CHECK(render("%(label)s%(ext)s", v) == "_");
}

TEST_CASE("replay template: substituted values are made safe names", "[common][replay]") {
    struct Row {
        std::string label;
        std::string expected;
    };
    const Row rows[] = {
        {"../../etc/passwd", "_._etc_passwd"},
        {"a/b", "a_b"},
        {"a\\b", "a_b"},
        {"tab\there\x01\x7f", "tab_here__"},
        {"nel\xc2\x85", "nel__"}, // U+0085, a C1 control
        {"bad\xff", "bad_"},
        {"  spaced  out  ", "spaced__out"},
        {"Grüße – ünïcødé 🎵", "Grüße_–_ünïcødé_🎵"},
        {".hidden", "hidden"},
        {"name.", "name"},
        {"a...b", "a.b"},
        {"...", ""},
        {"", ""},
        {"\t \r\n", ""},
    };
    for (const auto& row : rows) {
        INFO(printable(row.label));
        const auto out = sanitize_name_value(row.label);
        CHECK(out == row.expected);
        CHECK(out.find("..") == std::string::npos);
        CHECK(out.find('/') == std::string::npos);
    }
    const auto traversal = render("%(label)s.%(ext)s", values("../../etc/passwd"));
    CHECK(traversal == "_._etc_passwd.wav");
    CHECK(render("x/%(label)s.%(ext)s", values("a/b")) == "x/a_b.wav");
    // The source name and the extension go through the same rules.
    auto v = values();
    v.source = "../up";
    v.ext = "w/av";
    CHECK(render("%(source)s.%(ext)s", v) == "_up.w_av");
}

TEST_CASE("replay template: long values are cut on a character boundary", "[common][replay]") {
    const std::string ascii(500, 'x');
    CHECK(sanitize_name_value(ascii) == std::string(80, 'x'));
    std::string accents = "a";
    for (int i = 0; i < 250; ++i)
        accents += "é";
    const auto cut = sanitize_name_value(accents);
    CHECK(cut.size() == 79); // byte 80 would split an é
    CHECK(valid_utf8(cut));
    std::string emoji;
    for (int i = 0; i < 30; ++i)
        emoji += "🎵";
    CHECK(sanitize_name_value(emoji) == emoji.substr(0, 80));
    CHECK(sanitize_name_value(std::string(79, 'x') + ".tail") == std::string(79, 'x'));
    const auto long_label = render("%(label)s.%(ext)s", values(ascii));
    CHECK(long_label == std::string(80, 'x') + ".wav");
    auto v = values();
    v.ext = std::string_view("abcdefghijklmnopqrstuvwxyz");
    CHECK(render("a.%(ext)s", v) == "a.abcdefghijklmnop");
}

TEST_CASE("replay template: what is wrong with a template is said precisely", "[common][replay]") {
    struct Row {
        std::string text;
        std::string expected;
    };
    const Row rows[] = {
        {"", "is empty"},
        {"  ", "is empty"},
        {std::string(1025, 'a'), "is longer than 1024 bytes"},
        {"/srv/replays/%(time)s.%(ext)s", "must be relative to the source's output_directory"},
        {"a\\b.%(ext)s", "must use '/' between folders, not '\\'"},
        {"a\x01.%(ext)s", "contains a control character"},
        {"a\xff.%(ext)s", "is not valid UTF-8 text"},
        {"%(title)s.%(ext)s",
         "unknown token %(title); known tokens: date, time, iso, timestamp, source, label, "
         "duration, counter, ext"},
        {"%(date.%(ext)s", "has a token at column 1 without its closing ')'"},
        {"x_%(date", "has a token at column 3 without its closing ')'"},
        {"%(date)", "%(date) needs a conversion after ')': s, or d for numbers (%(date)s)"},
        {"%(date)x.%(ext)s", "%(date) has the unknown conversion 'x'; use s, or d for numbers"},
        {"%(label)d.%(ext)s", "%(label) is text, not a number; write %(label)s"},
        {"%(counter)3d.%(ext)s",
         "%(counter)3d: a width needs a leading 0 (%(counter)03d); padding with spaces"},
        {"%(counter)0d.%(ext)s", "%(counter)0d: the width must be from 1 to 20"},
        {"%(counter)021d.%(ext)s", "%(counter)021d: the width must be from 1 to 20"},
        {"%(label)05s.%(ext)s", "%(label)05s: a width is for numbers only"},
        {"%Y%m%d.%(ext)s", "has a '%' at column 1 that starts no token; tokens look like "
                           "%(date)s, and %% is a percent sign (strftime codes such as %Y"},
        {"a.%(ext)s%", "has a '%' at column 10 that starts no token"},
        {"a/../b.%(ext)s", "has the name '..', which starts with '.'"},
        {"./b.%(ext)s", "has the name '.', which starts with '.'"},
        {"%(date)s/.%(ext)s", "has the name '.%(ext)', which starts with '.'"},
        {"a//b.%(ext)s", "has an empty folder name ('//')"},
        {"a/", "must end with a file name, not '/'"},
        {"replays/%(date)s/%(time)s", "must have %(ext)s in its file name (after the last '/')"},
        {"%(ext)s/%(time)s", "must have %(ext)s in its file name"},
        {"%(label|misc/x)s.%(ext)s", "the fallback of %(label) contains '/'"},
        {"%(label|.x)s.%(ext)s", "the fallback of %(label) starts with '.'"},
        {std::string(200, 'a') + "%(label)s.%(ext)s",
         "has the name 'aaaa"}, // 200 + 80 + 1 + 16 bytes at most
    };
    for (const auto& row : rows) {
        INFO(printable(row.text));
        const auto problem = ReplayTemplate::problem(row.text);
        REQUIRE(problem);
        CHECK_THAT(*problem, Catch::StartsWith(row.expected));
        CHECK_THROWS_AS(ReplayTemplate::parse(row.text), std::invalid_argument);
    }
    CHECK_THAT(*ReplayTemplate::problem(std::string(200, 'a') + "%(label)s.%(ext)s"),
               Catch::Contains("could reach 297 bytes once filled in; each folder or file name "
                               "may have 240"));
}

TEST_CASE("replay template: valid templates", "[common][replay]") {
    for (const char* text : {
             "%(ext)s",
             "%(date)s/%(time)s.%(ext)s",
             "clips/%(source)s/%(iso)s_%(counter)020d.%(ext)s",
             "a b/%(label|no label)s 100%%.%(ext)s",
             "x.y/%(label|untitled)s.%(ext)s",
             "Aufnahmen/Grüße_%(time)s.%(ext)s",
         }) {
        INFO(text);
        CHECK_FALSE(ReplayTemplate::problem(text));
    }
}
