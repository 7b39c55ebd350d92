#include "recorder/stream/framing/id3.hpp"
#include "recorder/stream/framing/mpeg_framer.hpp"
#include "test_framing_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

using namespace isr::rec::framing;
using namespace isr::rec::framing::test;

namespace {

struct MpegCase {
    const char* name;
    const char* options;
    const char* codec;
    int sample_rate;
    int channels;
    int samples_per_frame;
};

const MpegCase kMpegCases[] = {
    {"MPEG-1 layer III", "-ac 2 -ar 44100 -c:a libmp3lame -b:a 128k -f mp3", "mp3", 44100, 2, 1152},
    {"MPEG-1 layer III VBR", "-ac 2 -ar 48000 -c:a libmp3lame -q:a 4 -f mp3", "mp3", 48000, 2,
     1152},
    {"MPEG-2 layer III", "-ac 1 -ar 22050 -c:a libmp3lame -b:a 48k -f mp3", "mp3", 22050, 1, 576},
    {"MPEG-2.5 layer III", "-ac 1 -ar 8000 -c:a libmp3lame -b:a 16k -f mp3", "mp3", 8000, 1, 576},
    {"MPEG-1 layer II", "-ac 2 -ar 48000 -c:a mp2 -b:a 192k -f mp2", "mp2", 48000, 2, 1152},
};

bool starts_with_frame(std::span<const std::uint8_t> bytes) {
    return parse_mpeg_header(bytes).has_value();
}

} // namespace

TEST_CASE("MPEG audio is cut exactly between frames, in any chunking", "[recorder]") {
    TempDir dir;
    for (const auto& c : kMpegCases) {
        SECTION(c.name) {
            const auto& stream = encode(c.options);
            const auto file = dir / "stream.mp3";
            write_bytes(file, stream);
            const double frame = double(c.samples_per_frame) / c.sample_rate;
            const double reference = probe_duration(file);
            // ffmpeg starts MP3 files with an ID3v2 tag: skipped, as it precedes the first frame.
            const auto tag = id3v2_size(stream);

            for (std::size_t max_chunk :
                 {std::size_t{1}, std::size_t{13}, std::size_t{4096}, stream.size()}) {
                CAPTURE(max_chunk);
                auto framer = make_framer("mp3");
                const auto units = feed(*framer, stream, max_chunk);
                REQUIRE(framer->synced());
                CHECK(framer->skipped_bytes() == tag);
                const auto got = concat(units);
                REQUIRE(got == slice(stream, tag, got.size()));
                // The last frame waits for a following header that never comes.
                const auto tail = slice(stream, tag + got.size());
                const auto last = parse_mpeg_header(tail);
                REQUIRE(last);
                CHECK(last->length == tail.size());

                // LAME starts with a Xing/Info frame: a valid frame without audio.
                const bool lame = std::string(c.options).find("libmp3lame") != std::string::npos;
                CHECK(is_mpeg_tag_frame(units[0].bytes) == lame);
                for (std::size_t i = 0; i < units.size(); ++i) {
                    const auto& u = units[i];
                    CHECK(starts_with_frame(u.bytes));
                    CHECK(u.cut_ok);
                    CHECK_FALSE(u.is_header);
                    CHECK(u.duration == Approx(i == 0 && lame ? 0.0 : frame));
                }
                const double total = total_duration(units) + frame;
                CHECK(total == Approx(reference).margin(1e-3));

                const auto info = framer->info();
                CHECK(info.codec == c.codec);
                CHECK(info.sample_rate == c.sample_rate);
                CHECK(info.channels == c.channels);
                CHECK(info.bitrate_kbps > 0);
                CHECK(framer->extension() == ".mp3");
                CHECK(framer->begin_file({}).empty());
            }
        }
    }
}

TEST_CASE("MPEG stream joined mid-frame starts at a real frame", "[recorder]") {
    const auto& stream = encode(kMpegCases[0].options);
    auto reference = make_framer("mp3");
    const auto units = feed(*reference, stream, stream.size());
    // Where each frame starts in the stream.
    std::vector<std::size_t> starts;
    std::size_t at = reference->skipped_bytes();
    for (const auto& u : units) {
        starts.push_back(at);
        at += u.bytes.size();
    }

    for (std::size_t offset : {std::size_t{5001}, std::size_t{12345}, starts[7] + 1}) {
        CAPTURE(offset);
        auto framer = make_framer("mp3");
        CHECK_FALSE(framer->synced());
        const auto joined = slice(stream, offset);
        const auto got_units = feed(*framer, joined, 97, unsigned(offset));
        REQUIRE(framer->synced());
        const auto skipped = framer->skipped_bytes();
        CHECK(skipped > 0);
        CHECK(std::find(starts.begin(), starts.end(), offset + skipped) != starts.end());
        const auto got = concat(got_units);
        CHECK(got == slice(joined, skipped, got.size()));
    }
}

TEST_CASE("garbage between MPEG frames is skipped and counted, an ID3 tag stays with its frame",
          "[recorder]") {
    const auto& stream = encode(kMpegCases[0].options);
    auto reference = make_framer("mp3");
    const auto frames = feed(*reference, stream, stream.size());
    const auto tag = reference->skipped_bytes();
    const auto tail = slice(stream, tag + concat(frames).size());
    REQUIRE(frames.size() > 20);

    // A fake header pair inside the garbage: two headers a frame length apart would pass for
    // frames if the garbage were scanned naively; inside an ID3 tag they must be skipped.
    const auto fake_pair = [&] {
        Bytes b = frames[3].bytes;
        b.insert(b.end(), frames[4].bytes.begin(), frames[4].bytes.begin() + 4);
        return b;
    }();
    Bytes id3{'I', 'D', '3', 4, 0, 0, 0, 0, 0, 0};
    id3.insert(id3.end(), fake_pair.begin(), fake_pair.end());
    id3[8] = std::uint8_t(fake_pair.size() >> 7);
    id3[9] = std::uint8_t(fake_pair.size() & 0x7F);

    Bytes noisy = noise(777);
    // Lone headers in the noise: valid on their own, but not followed by a consistent frame.
    for (std::size_t at : {std::size_t{10}, std::size_t{300}, std::size_t{700}})
        std::copy(frames[5].bytes.begin(), frames[5].bytes.begin() + 4, noisy.begin() + long(at));

    const struct {
        const char* name;
        Bytes junk;
    } junks[] = {{"noise", noisy}, {"ID3 tag", id3}, {"short", Bytes{0x00, 0xFF, 0xFB}}};

    for (const auto& j : junks) {
        SECTION(j.name) {
            const std::size_t k = 10;
            Bytes input;
            for (std::size_t i = 0; i < frames.size(); ++i) {
                input.insert(input.end(), frames[i].bytes.begin(), frames[i].bytes.end());
                if (i == k)
                    input.insert(input.end(), j.junk.begin(), j.junk.end());
            }
            input.insert(input.end(), tail.begin(), tail.end());

            auto framer = make_framer("mp3");
            const auto units = feed(*framer, input, 211);
            REQUIRE(units.size() == frames.size());
            // A tag is metadata players skip: it stays. Anything else is junk.
            const bool is_tag = std::string(j.name) == "ID3 tag";
            for (std::size_t i = 0; i < frames.size(); ++i) {
                CAPTURE(i);
                Bytes expected = frames[i].bytes;
                if (i == k && is_tag)
                    expected.insert(expected.end(), j.junk.begin(), j.junk.end());
                CHECK(units[i].bytes == expected);
                CHECK(units[i].duration == Approx(frames[i].duration));
            }
            CHECK(framer->junk_bytes() == (is_tag ? 0 : j.junk.size()));
            CHECK(framer->resyncs() == (is_tag ? 0u : 1u));
        }
    }
}

TEST_CASE("MPEG framing keeps memory bounded and loses nothing after sync", "[recorder]") {
    const auto& stream = encode(kMpegCases[0].options);
    const auto tag = id3v2_size(stream);
    const auto frames_only = slice(stream, tag);

    SECTION("garbage before the first frame is skipped in bounded pieces") {
        const auto lead = noise(1 << 20, 3);
        Bytes input = lead;
        input.insert(input.end(), frames_only.begin(), frames_only.end());
        auto framer = make_framer("mp3");
        const auto units = feed(*framer, input, 65536);
        CHECK(framer->skipped_bytes() == lead.size());
        const auto got = concat(units);
        CHECK(got == slice(frames_only, 0, got.size()));
        CHECK(units.size() > 100);
    }

    SECTION("a long run of garbage after a frame is skipped in bounded memory, and counted") {
        const auto split = 20000;
        auto head = make_framer("mp3");
        const auto before = feed(*head, slice(frames_only, 0, split), split);
        const auto cut = concat(before).size(); // a frame boundary
        const auto junk = noise(300000, 5);
        const auto frame = parse_mpeg_header(slice(frames_only, cut, 4))->length;
        Bytes input = slice(frames_only, 0, cut + frame); // a frame, then garbage
        input.insert(input.end(), junk.begin(), junk.end());
        const auto rest = slice(frames_only, cut + frame);
        input.insert(input.end(), rest.begin(), rest.end());

        auto framer = make_framer("mp3");
        std::size_t most_unframed = 0;
        std::vector<Unit> units;
        for (std::size_t at = 0; at < input.size(); at += 4096) {
            framer->push(slice(input, at, 4096));
            while (auto u = framer->next())
                units.push_back(std::move(*u));
            most_unframed = std::max(most_unframed, framer->unframed_bytes());
        }
        const auto got = concat(units);
        Bytes expected = slice(frames_only, 0, cut + frame);
        const auto after = slice(rest, 0, got.size() - expected.size());
        expected.insert(expected.end(), after.begin(), after.end());
        INFO("got " << got.size() << " bytes, expected " << expected.size() << "; junk counted "
                    << framer->junk_bytes());
        CHECK(got == expected); // every frame, and nothing of the junk
        CHECK(framer->junk_bytes() == junk.size());
        CHECK(framer->resyncs() == 1);
        CHECK(rest.size() - after.size() < 2000); // only the last frame is pending
        // Junk is noticed while it lasts, and never held beyond the scanning limit.
        CHECK(most_unframed > 8192);
        CHECK(most_unframed <= 70000);
        for (const auto& u : units)
            CHECK(starts_with_frame(u.bytes));
    }
}
