#include "common/file_util.hpp"
#include "common/log.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <thread>

using namespace isr;

TEST_CASE("log levels parse case-insensitively", "[common]") {
    CHECK(log::parse_level("debug") == log::Level::debug);
    CHECK(log::parse_level("WARNING") == log::Level::warning);
    CHECK(log::parse_level("warn") == log::Level::warning);
    CHECK(log::parse_level("Critical") == log::Level::critical);
    CHECK_FALSE(log::parse_level("loud"));
}

TEST_CASE("log lines carry time, level and source, and honour the threshold", "[common]") {
    const auto path = std::filesystem::temp_directory_path() / "isr_test_log.log";
    std::filesystem::remove(path);
    log::open_file(path);
    const auto old = log::level();
    log::set_level(log::Level::info);
    log::debug("radio1", "hidden");
    log::info("radio1", "connected to ", "http://x/", " in ", 12, " ms");
    Logger quiet("mic", log::Level::error);
    quiet.warning("also hidden");
    quiet.error("device gone");
    Logger chatty("gen", log::Level::debug);
    chatty.debug("shown");
    log::close_file();
    log::set_level(old);

    const auto text = read_small_file(path);
    CHECK_THAT(text, !Catch::Contains("hidden"));
    CHECK_THAT(
        text,
        Catch::Matches(
            R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO     \[radio1\] connected to http://x/ in 12 ms\n(.|\n)*)"));
    CHECK_THAT(text, Catch::Contains("ERROR    [mic] device gone"));
    CHECK_THAT(text, Catch::Contains("DEBUG    [gen] shown"));
    std::filesystem::remove(path);
}

TEST_CASE("rate limiting lets one message through per interval and counts the rest", "[common]") {
    using namespace std::chrono;
    RateLimit limit(seconds(10));
    const auto t0 = steady_clock::time_point{} + hours(1);
    CHECK(limit.allow(t0));
    CHECK_FALSE(limit.allow(t0 + seconds(1)));
    CHECK_FALSE(limit.allow(t0 + seconds(9)));
    CHECK(limit.allow(t0 + seconds(10)));
    CHECK(limit.suppressed() == 2);
}
