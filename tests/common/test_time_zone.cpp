#include "common/civil_time.hpp"
#include "common/posix_tz_rule.hpp"
#include "common/time_format.hpp"
#include "common/time_zone.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <string>

using namespace isr;

namespace {

// Runs glibc's localtime_r under TZ=zone, for cross-checking. Tests run single-threaded.
struct GlibcZone {
    explicit GlibcZone(const char* zone) {
        if (const char* old = std::getenv("TZ"))
            saved_ = old;
        had_ = std::getenv("TZ") != nullptr;
        setenv("TZ", zone, 1);
        tzset();
    }
    ~GlibcZone() {
        if (had_)
            setenv("TZ", saved_.c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }
    std::tm at(std::int64_t t) const {
        std::tm tm{};
        const time_t tt = static_cast<time_t>(t);
        localtime_r(&tt, &tm);
        return tm;
    }
    std::string saved_;
    bool had_ = false;
};

} // namespace

TEST_CASE("civil date arithmetic round-trips", "[common]") {
    for (std::int64_t day = -800000; day < 800000; day += 997) {
        const auto d = civil::civil_from_days(day);
        REQUIRE(civil::days_from_civil(d.year, d.month, d.day) == day);
    }
    CHECK(civil::days_from_civil(1970, 1, 1) == 0);
    CHECK(civil::weekday_from_days(civil::days_from_civil(2026, 11, 21)) == 6); // a Saturday
}

TEST_CASE("time zones agree with glibc for every hour of several decades", "[common]") {
    const char* zone_name = GENERATE("Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                                     "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Chatham", "UTC");
    const auto zone = TimeZone::locate(zone_name);
    GlibcZone glibc(zone_name);
    // 1975..2045 hourly, then sparse samples far beyond the last explicit transition (footer rule).
    for (std::int64_t t = 157766400; t < 2366841600; t += 3600 + 17) {
        const auto expected = glibc.at(t);
        const auto info = zone->at(t);
        INFO(zone_name << " at " << t);
        REQUIRE(info.utc_offset == expected.tm_gmtoff);
        REQUIRE(info.dst == (expected.tm_isdst > 0));
    }
    for (std::int64_t t = 2366841600; t < 4102444800; t += 86400 * 3 + 3601) {
        INFO(zone_name << " at " << t);
        REQUIRE(zone->at(t).utc_offset == glibc.at(t).tm_gmtoff);
    }
}

TEST_CASE("next_transition finds each offset change exactly", "[common]") {
    const auto zone = TimeZone::locate("Europe/Berlin");
    // 2026: CET->CEST on 29 March 01:00Z, back on 25 October 01:00Z.
    const std::int64_t jan1 = civil::days_from_civil(2026, 1, 1) * 86400;
    const auto spring = zone->next_transition(jan1);
    REQUIRE(spring);
    CHECK(*spring == civil::days_from_civil(2026, 3, 29) * 86400 + 3600);
    const auto autumn = zone->next_transition(*spring);
    REQUIRE(autumn);
    CHECK(*autumn == civil::days_from_civil(2026, 10, 25) * 86400 + 3600);
    // Beyond 2037 the footer rule takes over and must still find the change.
    const std::int64_t y2050 = civil::days_from_civil(2050, 1, 1) * 86400;
    const auto far = zone->next_transition(y2050);
    REQUIRE(far);
    CHECK(*far == civil::days_from_civil(2050, 3, 27) * 86400 + 3600);
    CHECK_FALSE(TimeZone::locate("UTC")->next_transition(jan1));
}

TEST_CASE("POSIX TZ rules parse and evaluate", "[common]") {
    const auto rule = PosixTzRule::parse("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
    REQUIRE(rule);
    // 2026-01-01 is summer in Lord Howe.
    CHECK(rule->at(civil::days_from_civil(2026, 1, 1) * 86400).utc_offset == 11 * 3600);
    CHECK(rule->at(civil::days_from_civil(2026, 7, 1) * 86400).utc_offset == 10 * 3600 + 1800);
    CHECK(rule->at(0).abbrev == "+11");
    CHECK(PosixTzRule::parse("EST5EDT,M3.2.0,M11.1.0"));
    CHECK(PosixTzRule::parse("UTC0"));
    CHECK(PosixTzRule::parse("EST5EDT")); // US rules by default
    CHECK_FALSE(PosixTzRule::parse(""));
    CHECK_FALSE(PosixTzRule::parse("XY5"));
    CHECK_FALSE(PosixTzRule::parse("CET-1CEST,M13.5.0,M10.5.0"));
    CHECK_FALSE(PosixTzRule::parse("CET-1CEST,M3.5.0"));
}

TEST_CASE("unknown and unsafe time zone names are refused with the name", "[common]") {
    CHECK_THROWS_WITH(TimeZone::locate("Europe/Berln"), Catch::Contains("Europe/Berln"));
    CHECK_THROWS_WITH(TimeZone::locate("../../etc/passwd"), Catch::Contains("invalid time zone"));
    CHECK(TimeZone::locate("UTC")->at(0).utc_offset == 0);
}

TEST_CASE("ISO 8601 formatting and parsing", "[common]") {
    const auto berlin = TimeZone::locate("Europe/Berlin");
    const std::int64_t t = civil::days_from_civil(2026, 11, 21) * 86400 + 13 * 3600 + 3 * 60 + 5;
    CHECK(iso8601(t, *berlin) == "2026-11-21T14:03:05+01:00");
    CHECK(iso8601(t, *TimeZone::locate("America/New_York")) == "2026-11-21T08:03:05-05:00");
    const auto parsed = parse_iso8601("2026-11-21T14:03:05+01:00");
    REQUIRE(parsed);
    CHECK(*parsed == Approx(static_cast<double>(t)));
    CHECK(parse_iso8601("2026-11-21T13:03:05.250Z").value() == Approx(t + 0.25));
    CHECK_FALSE(parse_iso8601("2026-13-21T13:03:05Z"));
    CHECK_FALSE(parse_iso8601("yesterday"));
    CHECK_FALSE(parse_iso8601("2026-11-21T13:03:05"));
}
