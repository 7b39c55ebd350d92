#include "common/audio_formats.hpp"
#include "common/config.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace isr;

TEST_CASE("the audio format table round-trips names, extensions and content types", "[common]") {
    std::set<std::string_view> names;
    for (const auto& f : audio_formats()) {
        INFO(f.name);
        CHECK(names.insert(f.name).second); // one row per name
        CHECK(&format_info(f.format) == &f);
        CHECK(format_named(f.name) == &f);
        CHECK(format_of_file("a/b." + std::string(f.extension)) == &f);
        std::string upper(f.extension);
        for (auto& c : upper)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        CHECK(format_of_file("x." + upper) == &f);
        for (const auto other : f.other_extensions)
            CHECK(format_of_file("x." + std::string(other)) == &f);
        for (const auto type : f.stream_types) {
            CHECK(format_of_content_type(type) == &f);
            CHECK(format_of_content_type(std::string(type) + "; charset=x") == &f);
        }
        CHECK_FALSE(f.serve_type.empty());
        // WAV is cut directly; every other format through a libavformat muxer.
        CHECK(f.muxer.empty() == (f.format == AudioFormat::wav));
    }
    CHECK(names.size() == 7);
}

TEST_CASE("a codecs parameter makes an Ogg stream Opus", "[common]") {
    // This row could never match before: the parameters were stripped before the lookup.
    CHECK(format_of_content_type("audio/ogg; codecs=opus")->format == AudioFormat::opus);
    CHECK(format_of_content_type("audio/ogg;codecs=\"opus\"")->format == AudioFormat::opus);
    CHECK(format_of_content_type("application/ogg; codecs=vorbis")->format == AudioFormat::ogg);
    CHECK(format_of_content_type("AUDIO/OGG")->format == AudioFormat::ogg);
    CHECK(format_of_content_type("audio/mpeg; codecs=opus")->format == AudioFormat::mp3);
    CHECK(format_of_content_type("application/octet-stream") == nullptr);
    CHECK(format_of_content_type("") == nullptr);
    CHECK(format_of_file("status.json") == nullptr);
    CHECK(format_of_file("notes") == nullptr);
    CHECK(format_of_file("dir.mp3/notes") == nullptr);
}

TEST_CASE("config accepts exactly the formats the table says a source records into", "[common]") {
    const auto config_with = [](const std::string& type, const std::string& format) {
        return "[general]\noutput_directory = /tmp/x\n[s]\ntype = " + type +
               "\nformat = " + format + (type == "stream" ? "\nurl = http://127.0.0.1/x\n" : "\n");
    };
    for (const auto& f : audio_formats()) {
        INFO(f.name);
        const bool stream_ok = f.framing != Framing::none;
        if (stream_ok)
            CHECK_NOTHROW(parse_config(config_with("stream", std::string(f.name)), "t.ini"));
        else
            CHECK_THROWS_AS(parse_config(config_with("stream", std::string(f.name)), "t.ini"),
                            ConfigError);
        if (f.pcm_target)
            CHECK_NOTHROW(parse_config(config_with("generator", std::string(f.name)), "t.ini"));
        else
            CHECK_THROWS_AS(parse_config(config_with("generator", std::string(f.name)), "t.ini"),
                            ConfigError);
    }
}
