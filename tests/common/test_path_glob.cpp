#include "common/path_glob.hpp"

#include <catch2/catch.hpp>

using isr::path_glob_match;
using isr::path_glob_problem;

TEST_CASE("path globs match within components and ** across folders", "[common]") {
    CHECK(path_glob_match("radio1/2026/11/**", "radio1/2026/11/21/radio1_140000.mp3"));
    CHECK_FALSE(path_glob_match("radio1/2026/11/**", "radio1/2026/12/01/radio1_140000.mp3"));
    CHECK(path_glob_match("**/*_1200*.flac", "mic/2026/11/21/mic_120000.flac"));
    CHECK(path_glob_match("**/*_1200*.flac", "mic_120000.flac")); // ** matches no folder too
    CHECK_FALSE(path_glob_match("**/*_1200*.flac", "mic/mic_120000.wav"));
    CHECK(path_glob_match("*.mp3", "a.mp3"));
    CHECK_FALSE(path_glob_match("*.mp3", "radio1/a.mp3")); // * never crosses a '/'
    CHECK(path_glob_match("radio?/[0-9]*/**", "radio1/2026/x.mp3"));
    CHECK(path_glob_match("radio1/**/x.mp3", "radio1/x.mp3"));
    CHECK_FALSE(path_glob_match("radio1/x.mp3", "radio1/x.mp3/y"));
}

TEST_CASE("path glob problems are found", "[common]") {
    CHECK_FALSE(path_glob_problem("radio1/**"));
    CHECK(path_glob_problem(""));
    CHECK(path_glob_problem("/etc/*"));
    CHECK(path_glob_problem("../x"));
    CHECK(path_glob_problem("a//b"));
    CHECK(path_glob_problem("a/"));
    CHECK(path_glob_problem("a\tb"));
}
