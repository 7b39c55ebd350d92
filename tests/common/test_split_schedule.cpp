#include "common/civil_time.hpp"
#include "common/file_util.hpp"
#include "common/filename_pattern.hpp"
#include "common/split_schedule.hpp"
#include "common/time_format.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <vector>

using namespace isr;

namespace {

std::int64_t utc(int y, int mo, int d, int h, int mi = 0, int s = 0) {
    return civil::days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

std::vector<std::int64_t> boundaries(const SplitSchedule& s, std::int64_t from, int count) {
    std::vector<std::int64_t> out;
    for (int i = 0; i < count; ++i)
        out.push_back(from = s.next_boundary(from));
    return out;
}

SplitSchedule schedule(const char* interval, const char* zone) {
    return SplitSchedule(SplitInterval::parse(interval).value(), TimeZone::locate(zone));
}

} // namespace

TEST_CASE("split intervals parse with units", "[common]") {
    struct Row {
        const char* text;
        std::int64_t seconds;
    };
    const Row rows[] = {{"10s", 10},  {"15m", 900},     {"1h", 3600}, {"1d", 86400},
                        {"60", 3600}, {" 30 m ", 1800}, {"90s", 90},  {"2H", 7200}};
    for (const auto& r : rows) {
        INFO(r.text);
        REQUIRE(SplitInterval::parse(r.text));
        CHECK(SplitInterval::parse(r.text)->seconds == r.seconds);
    }
    for (const char* bad : {"", "0s", "-5m", "2d", "1w", "abc", "10 parsecs", "1.5h"}) {
        INFO(bad);
        CHECK_FALSE(SplitInterval::parse(bad));
    }
    CHECK(SplitInterval{900}.to_string() == "15m");
    CHECK(SplitInterval{90}.to_string() == "90s");
    CHECK(SplitInterval{86400}.to_string() == "1d");
}

TEST_CASE("boundaries align to the clock", "[common]") {
    struct Row {
        const char* interval;
        std::int64_t from;
        std::int64_t expected;
    };
    const auto t = utc(2026, 11, 21, 14, 23, 10);
    const Row rows[] = {
        {"60m", t, utc(2026, 11, 21, 15)},
        {"30m", t, utc(2026, 11, 21, 14, 30)},
        {"15m", t, utc(2026, 11, 21, 14, 30)},
        {"15s", t, utc(2026, 11, 21, 14, 23, 15)},
        {"10s", t, utc(2026, 11, 21, 14, 23, 20)},
        {"1d", t, utc(2026, 11, 22, 0)},
        {"1h", utc(2026, 11, 21, 15), utc(2026, 11, 21, 16)},    // strictly after
        {"7m", utc(2026, 11, 21, 23, 55), utc(2026, 11, 22, 0)}, // restarts at midnight
        {"7m", utc(2026, 11, 22, 0), utc(2026, 11, 22, 0, 7)},
    };
    for (const auto& r : rows) {
        INFO(r.interval << " from " << r.from);
        CHECK(schedule(r.interval, "UTC").next_boundary(r.from) == r.expected);
    }
}

TEST_CASE("Europe/Berlin autumn: the repeated hour gets its own file", "[common]") {
    const auto s = schedule("1h", "Europe/Berlin");
    // 00:30 CEST on 25 Oct 2026; clocks go back at 03:00 CEST = 01:00Z.
    const auto b = boundaries(s, utc(2026, 10, 24, 22, 30), 4);
    CHECK(b == std::vector<std::int64_t>{utc(2026, 10, 24, 23), utc(2026, 10, 25, 0),
                                         utc(2026, 10, 25, 1), utc(2026, 10, 25, 2)});
    // Both files in the repeated hour are named 02:00; the second gets a suffix, never an
    // overwrite.
    const auto dir = std::filesystem::temp_directory_path() / "isr_test_dst_names";
    std::filesystem::remove_all(dir);
    const FilenamePattern pattern("rec_%H%M%S");
    const auto& zone = s.zone();
    auto first = create_unique_file(dir, pattern.expand("x", b[1], zone), ".wav");
    auto second = create_unique_file(dir, pattern.expand("x", b[2], zone), ".wav");
    CHECK(first.path.filename() == "rec_020000.wav");
    CHECK(second.path.filename() == "rec_020000_1.wav");
    CHECK(format_time("%H:%M %Z", b[1], zone) == "02:00 CEST");
    CHECK(format_time("%H:%M %Z", b[2], zone) == "02:00 CET");
    std::filesystem::remove_all(dir);
}

TEST_CASE("Europe/Berlin spring: the missing hour leaves no long file", "[common]") {
    const auto s = schedule("1h", "Europe/Berlin");
    const auto b = boundaries(s, utc(2026, 3, 29, 0, 30), 3); // 01:30 CET
    CHECK(b ==
          std::vector<std::int64_t>{utc(2026, 3, 29, 1), utc(2026, 3, 29, 2), utc(2026, 3, 29, 3)});
    CHECK(format_time("%H:%M", b[0], s.zone()) == "03:00");
}

TEST_CASE("America/New_York autumn and spring", "[common]") {
    const auto s = schedule("60m", "America/New_York");
    CHECK(boundaries(s, utc(2026, 11, 1, 3, 30), 4) ==
          std::vector<std::int64_t>{utc(2026, 11, 1, 4), utc(2026, 11, 1, 5), utc(2026, 11, 1, 6),
                                    utc(2026, 11, 1, 7)});
    CHECK(boundaries(s, utc(2026, 3, 8, 6, 30), 2) ==
          std::vector<std::int64_t>{utc(2026, 3, 8, 7), utc(2026, 3, 8, 8)});
}

TEST_CASE("Australia/Lord_Howe: half-hour DST shifts with 30 min and 1 h splits", "[common]") {
    // DST starts 4 Oct 2026 at 02:00 LHST (+10:30) = 15:30Z on 3 Oct; ends 5 Apr 2026 at
    // 02:00 LHDT (+11) = 15:00Z on 4 Apr.
    const auto half = schedule("30m", "Australia/Lord_Howe");
    CHECK(boundaries(half, utc(2026, 10, 3, 14, 10), 4) ==
          std::vector<std::int64_t>{utc(2026, 10, 3, 14, 30), utc(2026, 10, 3, 15),
                                    utc(2026, 10, 3, 15, 30), utc(2026, 10, 3, 16)});
    CHECK(format_time("%H%M", utc(2026, 10, 3, 15, 30), half.zone()) == "0230");
    CHECK(boundaries(half, utc(2026, 4, 4, 14, 10), 4) ==
          std::vector<std::int64_t>{utc(2026, 4, 4, 14, 30), utc(2026, 4, 4, 15),
                                    utc(2026, 4, 4, 15, 30), utc(2026, 4, 4, 16)});
    const auto hour = schedule("1h", "Australia/Lord_Howe");
    // Spring: 01:00 LHST -> 02:00 LHST (= 02:30 LHDT, the change) -> 03:00 LHDT.
    CHECK(boundaries(hour, utc(2026, 10, 3, 14, 10), 3) ==
          std::vector<std::int64_t>{utc(2026, 10, 3, 14, 30), utc(2026, 10, 3, 15, 30),
                                    utc(2026, 10, 3, 16)});
}

TEST_CASE("no file is ever longer than the interval, all year, in many zones", "[common]") {
    const char* zone = GENERATE("Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                                "Asia/Kathmandu", "Pacific/Chatham", "UTC");
    const char* interval = GENERATE("10s", "7m", "15m", "30m", "1h", "1d");
    const auto s = schedule(interval, zone);
    const auto len = s.interval().seconds;
    const auto step = len < 60 ? 3600 * 7 + 13 : 1; // sample the short intervals
    std::int64_t t = utc(2026, 1, 1, 0);
    const auto end = utc(2027, 1, 1, 0);
    int checked = 0;
    while (t < end && checked < 200000) {
        const auto next = s.next_boundary(t);
        INFO(zone << ' ' << interval << " after " << t);
        REQUIRE(next > t);
        // A day split runs midnight to midnight, and a local day lasts 23 to 25 hours.
        REQUIRE(next - t <= (len == 86400 ? len + 3600 : len));
        t = len < 60 ? next + step : next;
        ++checked;
    }
    CHECK(checked > 300);
}

TEST_CASE("timezone = UTC names files in UTC", "[common]") {
    const FilenamePattern pattern("{source}/%Y/%m/%d/{source}_%H%M%S");
    const auto t = utc(2026, 11, 21, 23, 30);
    CHECK(pattern.expand("radio1", t, *TimeZone::locate("UTC")) ==
          "radio1/2026/11/21/radio1_233000");
    CHECK(pattern.expand("radio1", t, *TimeZone::locate("Europe/Berlin")) ==
          "radio1/2026/11/22/radio1_003000");
}
