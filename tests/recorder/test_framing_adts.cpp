#include "recorder/stream/framing/adts_framer.hpp"
#include "test_framing_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

using namespace isr::rec::framing;
using namespace isr::rec::framing::test;

namespace {

struct AdtsCase {
    const char* name;
    const char* options;
    int sample_rate;
    int channels;
};

const AdtsCase kAdtsCases[] = {
    {"AAC-LC stereo 44.1 kHz", "-ac 2 -ar 44100 -c:a aac -b:a 128k -f adts", 44100, 2},
    {"AAC-LC mono 22.05 kHz", "-ac 1 -ar 22050 -c:a aac -b:a 32k -f adts", 22050, 1},
};

bool starts_with_frame(std::span<const std::uint8_t> bytes) {
    return parse_adts_header(bytes).has_value();
}

} // namespace

TEST_CASE("ADTS is cut exactly between frames, in any chunking", "[recorder]") {
    TempDir dir;
    for (const auto& c : kAdtsCases) {
        SECTION(c.name) {
            const auto& stream = encode(c.options);
            const auto file = dir / "stream.aac";
            write_bytes(file, stream);
            const double frame = 1024.0 / c.sample_rate;
            const double reference = probe_duration(file);

            for (std::size_t max_chunk :
                 {std::size_t{1}, std::size_t{9}, std::size_t{3000}, stream.size()}) {
                CAPTURE(max_chunk);
                auto framer = make_framer("aac");
                const auto [units, tail] = feed_from_start(*framer, stream, max_chunk);
                const auto last = parse_adts_header(tail);
                REQUIRE(last);
                CHECK(last->length == tail.size());

                for (const auto& u : units) {
                    CHECK(starts_with_frame(u.bytes));
                    CHECK(u.cut_ok);
                    CHECK(u.duration == Approx(frame));
                }
                const double total = total_duration(units) + frame;
                CHECK(std::abs(total - reference) <= frame + 1e-6);

                const auto info = framer->info();
                CHECK(info.codec == "aac");
                CHECK(info.sample_rate == c.sample_rate);
                CHECK(info.channels == c.channels);
                CHECK(framer->extension() == ".aac");
                CHECK(framer->begin_file({}).empty());
            }
        }
    }
}

TEST_CASE("ADTS joined mid-stream and with garbage between frames", "[recorder]") {
    const auto& stream = encode(kAdtsCases[0].options);
    auto reference = make_framer("aac");
    const auto frames = feed(*reference, stream, stream.size());
    const auto tail = slice(stream, concat(frames).size());
    REQUIRE(frames.size() > 20);

    SECTION("joined mid-frame") {
        std::vector<std::size_t> starts{0};
        for (const auto& f : frames)
            starts.push_back(starts.back() + f.bytes.size());
        for (std::size_t offset : {std::size_t{1}, std::size_t{4321}, starts[9] + 3}) {
            CAPTURE(offset);
            auto framer = make_framer("aac");
            const auto joined = slice(stream, offset);
            const auto units = feed(*framer, joined, 50, unsigned(offset));
            REQUIRE(framer->synced());
            CHECK(framer->skipped_bytes() > 0);
            CHECK(std::find(starts.begin(), starts.end(), offset + framer->skipped_bytes()) !=
                  starts.end());
            const auto got = concat(units);
            CHECK(got == slice(joined, framer->skipped_bytes(), got.size()));
        }
    }

    SECTION("garbage after a frame is skipped and counted") {
        Bytes junk = noise(1500, 11);
        // A lone ADTS header in the garbage is not followed by a consistent one.
        std::copy(frames[2].bytes.begin(), frames[2].bytes.begin() + 7, junk.begin() + 100);
        const std::size_t k = 6;
        auto framer = make_framer("aac");
        const auto units = feed(*framer, with_junk_after(frames, k, junk, tail), 333);
        check_junk_skipped(*framer, units, frames, junk);
    }
}
