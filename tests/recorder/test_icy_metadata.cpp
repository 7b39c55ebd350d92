// The ICY in-band metadata stripper, and the rate limit on logging its titles.
#include "recorder/stream/icy_metadata.hpp"
#include "recorder/stream/title_log.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

using namespace isr::rec;

namespace {

std::string block(const std::string& text) {
    auto padded = text;
    padded.resize((text.size() + 15) / 16 * 16, '\0');
    return std::string(1, static_cast<char>(padded.size() / 16)) + padded;
}

// Audio bytes 0, 1, 2, … with a metadata block after every `metaint` of them.
struct Interleaved {
    std::string wire;
    std::string audio;
};
Interleaved interleave(std::size_t metaint, std::size_t blocks,
                       const std::vector<std::string>& metas) {
    Interleaved r;
    for (std::size_t b = 0; b < blocks; ++b) {
        for (std::size_t i = 0; i < metaint; ++i) {
            const auto c = static_cast<char>(r.audio.size() * 7 % 251);
            r.audio += c;
            r.wire += c;
        }
        r.wire += metas[b % metas.size()];
    }
    return r;
}

struct Stripped {
    std::string audio;
    std::vector<std::string> titles;
};
Stripped strip(std::size_t metaint, const std::string& wire, std::size_t max_chunk,
               unsigned seed = 1) {
    Stripped out;
    IcyMetadataStripper icy(metaint, [&](const std::string& t) { out.titles.push_back(t); });
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> chunk(1, max_chunk);
    std::vector<std::uint8_t> audio;
    for (std::size_t pos = 0; pos < wire.size();) {
        const auto n = std::min(chunk(rng), wire.size() - pos);
        icy.process({reinterpret_cast<const std::uint8_t*>(wire.data()) + pos, n}, audio);
        pos += n;
    }
    out.audio.assign(audio.begin(), audio.end());
    return out;
}

} // namespace

TEST_CASE("ICY metadata is removed whatever the chunking, titles reported on change",
          "[recorder]") {
    const std::vector<std::string> metas = {block("StreamTitle='One';StreamUrl='';"),
                                            std::string(1, '\0'), block("StreamTitle='One';"),
                                            block("StreamTitle='Two';")};
    for (const std::size_t metaint : {1u, 7u, 16u, 8192u}) {
        const auto in = interleave(metaint, 12, metas);
        for (const std::size_t max_chunk : {1u, 3u, 100u, 100000u}) {
            INFO("metaint " << metaint << ", chunks up to " << max_chunk);
            const auto got = strip(metaint, in.wire, max_chunk);
            CHECK(got.audio == in.audio);
            // One, (none), One again (no change), Two, One, …: six changes in twelve blocks.
            CHECK(got.titles == std::vector<std::string>{"One", "Two", "One", "Two", "One", "Two"});
        }
    }
}

TEST_CASE("StreamTitle values are read and converted to UTF-8", "[recorder]") {
    struct Row {
        std::string block;
        std::string title;
    };
    const Row rows[] = {
        {"StreamTitle='Artist - Song';StreamUrl='http://x/';", "Artist - Song"},
        {"StreamTitle='It''s';", "It''s"},             // no escaping in ICY: the first "';" ends it
        {"StreamTitle='Caf\xe9';", "Caf\xc3\xa9"},     // Latin-1
        {"StreamTitle='Caf\xc3\xa9';", "Caf\xc3\xa9"}, // UTF-8 already
        {"StreamTitle='unterminated", ""},
        {"StreamTitle='ends with quote'", "ends with quote"},
        {"StreamUrl='x';", ""},
        {"", ""},
    };
    for (const auto& r : rows) {
        INFO(r.block);
        CHECK(IcyMetadataStripper::stream_title(r.block) == r.title);
    }
}

TEST_CASE("the largest metadata block and empty ones pass through", "[recorder]") {
    const std::string big = std::string(1, static_cast<char>(255)) + "StreamTitle='" +
                            std::string(255 * 16 - 15, 'x') + "';";
    REQUIRE(big.size() == 1 + 255 * 16);
    const std::string wire =
        std::string(4, 'a') + big + std::string(4, 'b') + std::string(1, '\0') + "cccc";
    const auto got = strip(4, wire, 50);
    CHECK(got.audio == "aaaabbbbcccc");
    REQUIRE(got.titles.size() == 1);
    CHECK(got.titles[0].size() == 255 * 16 - 15);
}

TEST_CASE("title changes are logged at most once per interval, the rest counted", "[recorder]") {
    TitleLog log(10.0);
    CHECK(log.changed("A", 100.0) == "now playing: A");
    CHECK_FALSE(log.changed("B", 101.0));
    CHECK_FALSE(log.changed("C", 102.0));
    CHECK_FALSE(log.tick(105.0));
    // The interval is over: the latest title, and how many were left out.
    const auto line = log.tick(110.5);
    REQUIRE(line);
    CHECK_THAT(*line,
               Catch::StartsWith("now playing: C (1 other title in the last 10 s not logged"));
    CHECK_FALSE(log.tick(111.0)); // nothing new
    CHECK(log.changed("D", 121.0) == "now playing: D");
    // Thousands of changes a second cost one line per interval.
    int lines = 0;
    for (int i = 0; i < 100000; ++i) {
        const double now = 122.0 + i * 0.001; // 100 s
        if (log.changed("T" + std::to_string(i), now))
            ++lines;
        if (i % 1000 == 0 && log.tick(now))
            ++lines;
    }
    CHECK(lines <= 11);
    CHECK(lines >= 9);
    CHECK(log.suppressed_total() > 99000);
    // Control characters in a title do not reach the log raw.
    TitleLog fresh;
    CHECK(fresh.changed("evil\r\nERROR fake line", 0.0) ==
          "now playing: evil\\r\\nERROR fake line");
    // At the end of a connection the last title is logged anyway.
    CHECK_FALSE(fresh.changed("last", 1.0));
    CHECK(fresh.flush(2.0) == "now playing: last");
}
