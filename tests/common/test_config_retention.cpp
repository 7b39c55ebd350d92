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

TEST_CASE("retention keys are inherited from [general] and general-only keys stay there",
          "[common][config]") {
    const auto c = parse_config("[general]\nretention_days = 30\nmin_free_percent = 10\n"
                                "min_free_gb = 2.5\nprotect = radio1/2026/**, **/*.keep-me.wav\n"
                                "[radio1]\ntype = generator\nretention_max_gb = 50\n"
                                "[mic]\ntype = generator\nretention_days = 0.5\n",
                                "test.ini");
    REQUIRE(c.sources.size() == 2);
    CHECK(c.sources[0].retention_days == 30);
    CHECK(c.sources[0].retention_max_gb == 50);
    CHECK(c.sources[1].retention_days == 0.5);
    CHECK(c.sources[1].retention_max_gb == 0);
    CHECK(c.general.min_free_percent == 10);
    CHECK(c.general.min_free_gb == 2.5);
    CHECK(c.general.protect == std::vector<std::string>{"radio1/2026/**", "**/*.keep-me.wav"});

    const auto described = describe_config(c);
    CHECK(described.find("min_free_percent = 10") != std::string::npos);
    CHECK(described.find("protect = radio1/2026/**, **/*.keep-me.wav") != std::string::npos);
    CHECK(described.find("retention_days = 30  # finished recordings older than 30 days") !=
          std::string::npos);
    CHECK(described.find("retention_max_gb = 50") != std::string::npos);
}

TEST_CASE("retention keys refuse bad values", "[common][config]") {
    CHECK(error_of("[general]\nmin_free_percent = 100\n[a]\ntype = generator\n")
              .find("min_free_percent = 100: out of range (0 to 99)") != std::string::npos);
    CHECK(error_of("[a]\ntype = generator\nmin_free_gb = 1\n")
              .find("min_free_gb can only be set in [general]") != std::string::npos);
    CHECK(error_of("[a]\ntype = generator\nretention_days = -1\n").find("out of range") !=
          std::string::npos);
    CHECK(error_of("[a]\ntype = generator\nretention_max_gb = lots\n").find("not a number") !=
          std::string::npos);
    CHECK(error_of("[general]\nprotect = a/**, /etc/*\n[a]\ntype = generator\n")
              .find("'/etc/*' must be relative to output_directory") != std::string::npos);
    CHECK(error_of("[general]\nprotect = ../x\n[a]\ntype = generator\n").find("'..'") !=
          std::string::npos);
}
