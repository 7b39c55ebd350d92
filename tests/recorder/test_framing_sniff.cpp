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

TEST_CASE("identify_new_format names what replaced a stream, and nothing in plain damage",
          "[recorder]") {
    const auto& mp3 = encode("-ac 2 -ar 44100 -c:a libmp3lame -b:a 128k -id3v2_version 0 -f mp3");
    const auto& aac = encode("-ac 2 -ar 44100 -c:a aac -b:a 128k -f adts");
    const auto& vorbis = encode("-ac 2 -ar 44100 -c:a libvorbis -page_duration 200000 -f ogg");
    const auto& opus = encode("-ac 2 -ar 48000 -c:a libopus -page_duration 200000 -f ogg");
    const auto& flac = encode("-ac 2 -ar 44100 -c:a flac -f flac");
    const auto junk_then = [](const Bytes& stream, std::size_t from) {
        Bytes b = noise(700, 3);
        const auto tail = slice(stream, from, 12000);
        b.insert(b.end(), tail.begin(), tail.end());
        return b;
    };
    struct Row {
        Bytes bytes;
        const char* current;
        const char* expected; // "" for none
    };
    const Row rows[] = {
        {junk_then(aac, 333), "mp3", "aac"},
        {junk_then(mp3, 777), "aac", "mp3"},
        {junk_then(mp3, 777), "mp3", ""}, // the same family: the framer resyncs by itself
        {junk_then(vorbis, 0), "mp3", "ogg"},
        {junk_then(opus, 0), "ogg", ""}, // an Ogg chain is the Ogg framer's business
        {junk_then(opus, 0), "aac", "opus"},
        {junk_then(vorbis, 5000), "mp3", ""}, // Ogg pages without their stream's first page
        {junk_then(flac, 0), "mp3", "flac"},
        {noise(20000, 9), "mp3", ""},
        {noise(20000, 10), "aac", ""},
        {text(std::string(20000, 'x')), "mp3", ""},
    };
    for (const auto& r : rows) {
        CAPTURE(r.current, r.expected);
        const auto got = identify_new_format(r.bytes, r.current);
        if (std::string(r.expected).empty()) {
            CHECK_FALSE(got);
        } else {
            REQUIRE(got);
            CHECK(*got == r.expected);
        }
    }
}

TEST_CASE("a stream that turns from MP3 into AAC: the MP3 framer hands over what it cannot frame",
          "[recorder]") {
    const auto& mp3 = encode("-ac 2 -ar 44100 -c:a libmp3lame -b:a 128k -id3v2_version 0 -f mp3");
    const auto& aac = encode("-ac 2 -ar 44100 -c:a aac -b:a 128k -f adts");
    Bytes stream = mp3;
    stream.insert(stream.end(), aac.begin(), aac.end());
    auto framer = make_framer("mp3");
    std::vector<Unit> units;
    std::optional<std::string> next;
    std::size_t at = 0;
    for (; at < stream.size() && !next; at += 1000) {
        framer->push(slice(stream, at, 1000));
        while (auto u = framer->next())
            units.push_back(std::move(*u));
        if (framer->unframed_bytes() >= 8192)
            next = identify_new_format(framer->unframed(), "mp3");
    }
    REQUIRE(next);
    CHECK(*next == "aac");
    auto rest = framer->take_unframed();
    while (auto u = framer->flush())
        units.push_back(std::move(*u));
    // Every MP3 frame, and nothing else, from the MP3 framer.
    CHECK(concat(units) == slice(mp3, 0, concat(units).size()));
    CHECK(concat(units).size() + 2000 > mp3.size());
    // The AAC framer gets the rest and frames it from its first frame.
    auto aac_framer = make_framer("aac");
    const auto remaining = slice(stream, at);
    rest.insert(rest.end(), remaining.begin(), remaining.end());
    const auto aac_units = feed(*aac_framer, rest, 4096);
    // …from the first AAC frame on, every one of them, nothing lost at the change.
    CHECK(aac_framer->skipped_bytes() == 0);
    CHECK(aac_framer->junk_bytes() == 0);
    const auto got = concat(aac_units);
    CHECK(got == slice(aac, 0, got.size()));
    CHECK(got.size() + 2000 > aac.size());
}
