#include "recorder/stream/framing/framer.hpp"
#include "test_framing_support.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace isr::rec::framing;
using namespace isr::rec::framing::test;

namespace {

Bytes text(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

std::optional<std::string> sniff(std::span<const std::uint8_t> bytes, std::size_t from = 0) {
    return sniff_format(slice(bytes, from, 16384));
}

} // namespace

TEST_CASE("sniff_format recognises real streams", "[recorder]") {
    struct Row {
        const char* options;
        std::size_t from; // sniff from this offset: joined mid-stream
        const char* expected;
    };
    // Options shared with the other framing tests reuse their (cached) streams.
    const Row rows[] = {
        {"-ac 2 -ar 44100 -c:a libmp3lame -b:a 128k -f mp3", 0, "mp3"},
        {"-ac 2 -ar 44100 -c:a libmp3lame -b:a 128k -id3v2_version 0 -f mp3", 0, "mp3"},
        {"-ac 2 -ar 44100 -c:a libmp3lame -b:a 128k -f mp3", 3333, "mp3"},
        {"-ac 2 -ar 48000 -c:a mp2 -b:a 192k -f mp2", 0, "mp3"},
        {"-ac 2 -ar 44100 -c:a aac -b:a 128k -f adts", 0, "aac"},
        {"-ac 2 -ar 44100 -c:a aac -b:a 128k -f adts", 777, "aac"},
        {"-ac 2 -ar 44100 -c:a aac -write_id3v2 1 -f adts", 0, "aac"},
        {"-ac 2 -ar 44100 -c:a libvorbis -page_duration 200000 -f ogg", 0, "ogg"},
        {"-ac 2 -ar 48000 -c:a libopus -page_duration 200000 -f ogg", 0, "opus"},
        {"-ac 2 -ar 48000 -c:a libopus -f opus", 0, "opus"},
        {"-ac 1 -ar 32000 -c:a flac -page_duration 200000 -f ogg", 0, "ogg"},
        {"-ac 2 -ar 44100 -c:a flac -f flac", 0, "flac"},
        {"-ac 2 -ar 44100 -c:a flac -f flac", 20000, "flac"},
    };
    for (const auto& r : rows) {
        CAPTURE(r.options, r.from);
        const auto got = sniff(encode(r.options), r.from);
        REQUIRE(got);
        CHECK(*got == r.expected);
    }
}

TEST_CASE("sniff_format is unsure about text", "[recorder]") {
    const std::string html = "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>"
                             "<body><h1>Not Found</h1><p>The stream is offline.</p></body></html>";
    CHECK_FALSE(sniff_format(text(html)));
    CHECK_FALSE(sniff_format(text("<html><body>ID3 OggS fLaC</body></html>")));
    CHECK_FALSE(sniff_format(text(R"({"error": "not found", "status": 404})")));
    CHECK_FALSE(sniff_format(text("ICY 401 Service Unavailable\r\n\r\nplain text")));
    CHECK_FALSE(sniff_format({}));

    // Latin-1 text can hold 0xFF 0xFB ("ÿû"), which looks like an MPEG sync on its own.
    Bytes latin1 = text(std::string(300, 'a'));
    for (std::size_t at : {std::size_t{10}, std::size_t{100}, std::size_t{200}}) {
        latin1[at] = 0xFF;
        latin1[at + 1] = 0xFB;
        latin1[at + 2] = 0x90;
        latin1[at + 3] = 0x64;
    }
    CHECK_FALSE(sniff_format(latin1));
    Bytes adts_like = text(std::string(300, ' '));
    adts_like[5] = 0xFF;
    adts_like[6] = 0xF1;
    CHECK_FALSE(sniff_format(adts_like));
    CHECK_FALSE(sniff_format(noise(8192, 99)));
}

TEST_CASE("make_framer knows the documented names only", "[recorder]") {
    for (const char* name : {"mp3", "aac", "ogg", "opus", "flac"})
        CHECK(make_framer(name));
    CHECK(make_framer("opus")->extension() == ".opus");
    CHECK(make_framer("ogg")->extension() == ".ogg");
    CHECK_FALSE(make_framer("wav"));
    CHECK_FALSE(make_framer(""));
}
