// OggFramer::split(): pages of real ffmpeg streams cut between packets, each part checked as a
// page, then written as two files the way the recorder writes them (begin_file() with a file's
// first unit, adapt() on every unit) and decoded.
#include "test_framing_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

using namespace isr::rec::framing;
using namespace isr::rec::framing::test;

namespace {

struct SplitCase {
    const char* name;
    const char* format; // for make_framer()
    const char* options;
    double seconds;
    const char* source;
    int rate;              // granules per second
    double packet_seconds; // the longest packet
    bool spans = true;     // has packets that go on to the next page
};

// Long pages (2 to 5 s, as some encoders write at low bit rates), with packets that go on to the
// next page: ffmpeg's muxer fills a page to its 255 lacing values first.
const SplitCase kSplitCases[] = {
    {"Opus", "opus",
     "-ac 2 -ar 48000 -c:a libopus -b:a 510k -vbr off -page_duration 2000000 -f ogg", 4.0,
     "sine=frequency=440", 48000, 0.02},
    {"Vorbis", "ogg", "-ac 2 -ar 44100 -c:a libvorbis -q:a 10 -page_duration 10000000 -f ogg", 8.0,
     "sine=frequency=440", 44100, 1024.0 / 44100},
    {"Vorbis with short windows", "ogg",
     "-ac 2 -ar 44100 -c:a libvorbis -page_duration 5000000 -f ogg", 8.0,
     "sine=frequency=440:beep_factor=4", 44100, 1024.0 / 44100, false},
    {"FLAC in Ogg", "ogg", "-ac 2 -ar 44100 -c:a flac -page_duration 10000000 -f ogg", 6.0,
     "sine=frequency=440", 44100, 4608.0 / 44100},
};

const Bytes& stream_of(const SplitCase& c) {
    return encode(c.options, c.seconds, c.source);
}

// Every unit of a whole stream, the last one (which only flush() returns) included.
std::vector<Unit> units_of(Framer& framer, std::span<const std::uint8_t> stream) {
    auto units = feed(framer, stream, 4096);
    while (auto unit = framer.flush())
        units.push_back(std::move(*unit));
    REQUIRE(concat(units) == Bytes(stream.begin(), stream.end()));
    return units;
}

std::size_t first_audio(const std::vector<Unit>& units) {
    std::size_t i = 0;
    while (i < units.size() && units[i].is_header)
        ++i;
    REQUIRE(i < units.size());
    return i;
}

// Samples Opus decoders drop at the start of each file (0 for other codecs).
int pre_skip_of(std::span<const std::uint8_t> stream) {
    const auto bos = read_ogg_page(stream);
    const auto& head = bos.body;
    if (head.size() < 19 || std::string(head.begin(), head.begin() + 8) != "OpusHead")
        return 0;
    return head[10] | (head[11] << 8);
}

Bytes lacing_of(const OggPage& page) {
    return Bytes(page.lacing.begin(), page.lacing.end());
}

Bytes body_of(const OggPage& page) {
    return Bytes(page.body.begin(), page.body.end());
}

// Both parts are pages that hold the unit's page between them, with the flags, granules and
// durations split() promises.
void check_parts(const Unit& unit, const std::pair<Unit, Unit>& parts, int rate) {
    const auto& [first, second] = parts;
    REQUIRE(check_ogg_page(first.bytes).size == first.bytes.size());
    REQUIRE(check_ogg_page(second.bytes).size == second.bytes.size());
    const auto page = read_ogg_page(unit.bytes);
    const auto a = read_ogg_page(first.bytes);
    const auto b = read_ogg_page(second.bytes);

    auto lacing = lacing_of(a);
    const auto b_lacing = lacing_of(b);
    lacing.insert(lacing.end(), b_lacing.begin(), b_lacing.end());
    CHECK(lacing == lacing_of(page));
    auto body = body_of(a);
    const auto b_body = body_of(b);
    body.insert(body.end(), b_body.begin(), b_body.end());
    CHECK(body == body_of(page));
    REQUIRE_FALSE(a.lacing.empty());
    REQUIRE_FALSE(b.lacing.empty());
    CHECK(a.lacing.back() < 255); // the cut follows a packet's last lacing value

    CHECK(a.continued() == page.continued());
    CHECK_FALSE(a.eos());
    CHECK_FALSE(b.continued());
    CHECK(b.eos() == page.eos());
    CHECK_FALSE(a.bos());
    CHECK_FALSE(b.bos());
    CHECK(a.serial == page.serial);
    CHECK(b.serial == page.serial);

    const auto second_samples = std::llround(second.duration * rate);
    CHECK(a.granule == page.granule - second_samples);
    if (b.packets_completed() > 0) {
        CHECK(b.granule == page.granule);
    } else {
        CHECK(b.granule == -1);
        CHECK(second.duration == 0);
    }
    CHECK(first.duration >= 0);
    CHECK(second.duration >= 0);
    CHECK(first.duration + second.duration == Approx(unit.duration).epsilon(1e-12));

    CHECK(first.cut_ok == unit.cut_ok);
    CHECK(second.cut_ok);
    CHECK(first.stream == unit.stream);
    CHECK(second.stream == unit.stream);
    CHECK(first.after_junk == unit.after_junk);
    CHECK_FALSE(second.after_junk);
    CHECK_FALSE(second.starts_stream);
    CHECK(second.gap_before == 0);
    CHECK_FALSE(first.is_header);
    CHECK_FALSE(second.is_header);
}

struct Files {
    Bytes a, b;
    double a_seconds = 0, b_seconds = 0; // the durations of the units each holds
};

// File A: the stream's audio up to unit `at`, ended by its first part; file B: its second part
// and the rest of the stream.
Files write_split(Framer& framer, const std::vector<Unit>& units, std::size_t at,
                  const std::pair<Unit, Unit>& parts) {
    Files f;
    const auto write = [&](Bytes& file, double& seconds, Unit unit) {
        framer.adapt(unit);
        file.insert(file.end(), unit.bytes.begin(), unit.bytes.end());
        seconds += unit.duration;
    };
    const auto start = first_audio(units);
    f.a = framer.begin_file(units[start]);
    for (std::size_t i = start; i < at; ++i)
        write(f.a, f.a_seconds, units[i]);
    write(f.a, f.a_seconds, parts.first);
    f.b = framer.begin_file(parts.second);
    write(f.b, f.b_seconds, parts.second);
    for (std::size_t i = at + 1; i < units.size(); ++i)
        write(f.b, f.b_seconds, units[i]);
    return f;
}

// Both files are valid (every CRC, pages numbered from 0, headers first), their granules end at
// the audio their units hold, and they decode cleanly: file A to that length, file B to at most
// one packet less; together they hold the whole stream.
void check_files(const SplitCase& c, const Files& f, const std::filesystem::path& dir, int pre_skip,
                 double whole_seconds) {
    double decoded_total = 0;
    for (const bool second : {false, true}) {
        CAPTURE(second);
        const auto& bytes = second ? f.b : f.a;
        const double seconds = second ? f.b_seconds : f.a_seconds;
        const auto pages = pages_of(bytes);
        REQUIRE(pages.size() > 2);
        CHECK(pages[0].bos());
        for (std::size_t i = 0; i < pages.size(); ++i)
            CHECK(pages[i].sequence == i);
        // Opus: the second file's granules count the pre-skip its decoder drops.
        CHECK(pages.back().granule ==
              std::llround(seconds * c.rate) + (second ? std::int64_t{pre_skip} : 0));

        const auto path = dir / (second ? "b.ogg" : "a.ogg");
        write_bytes(path, bytes);
        const auto decoded = decode(path);
        CHECK(decoded.errors == "");
        // The stream's first file loses the pre-skip it counts.
        const double expected = seconds - (second ? 0.0 : double(pre_skip) / c.rate);
        if (!second) {
            CHECK(decoded.seconds == Approx(expected).margin(0.001));
        } else {
            // The first packet of a Vorbis file only primes the decoder; an Opus decoder drops
            // the pre-skip: up to one packet less.
            CHECK(decoded.seconds <= expected + 0.001);
            CHECK(decoded.seconds >= expected - c.packet_seconds - 0.001);
        }
        decoded_total += decoded.seconds;
    }
    CHECK(decoded_total == Approx(whole_seconds).margin(c.packet_seconds + 0.001));
}

double decoded_seconds(std::span<const std::uint8_t> stream, const std::filesystem::path& dir) {
    const auto path = dir / "whole.ogg";
    write_bytes(path, stream);
    const auto decoded = decode(path);
    REQUIRE(decoded.errors == "");
    return decoded.seconds;
}

} // namespace

TEST_CASE("Ogg pages split between packets at every packet boundary", "[recorder][ogg]") {
    for (const auto& c : kSplitCases) {
        SECTION(c.name) {
            const auto& stream = stream_of(c);
            auto framer = make_framer(c.format);
            const auto units = units_of(*framer, stream);
            std::size_t split_pages = 0;
            for (std::size_t i = first_audio(units); i < units.size(); ++i) {
                CAPTURE(i);
                const auto& unit = units[i];
                // Every cut a sweep finds, by the audio before it.
                std::set<double> cuts;
                std::vector<std::pair<double, double>> asked; // seconds, audio before the cut
                const double step = c.packet_seconds / 4;
                for (double t = -step; t <= unit.duration + step; t += step) {
                    const auto parts = framer->split(unit, t);
                    REQUIRE(parts);
                    check_parts(unit, *parts, c.rate);
                    cuts.insert(parts->first.duration);
                    asked.emplace_back(t, parts->first.duration);
                }
                // Each answer is the cut nearest to what was asked (from inside the unit).
                for (const auto& [t, got] : asked) {
                    const double want = std::clamp(t, 0.0, unit.duration);
                    for (const double other : cuts)
                        CHECK(std::abs(got - want) <= std::abs(other - want) + 1e-9);
                    CHECK(std::abs(got - want) <= c.packet_seconds + 1e-9);
                }
                // A cut at least every packet.
                CHECK(double(cuts.size()) >= unit.duration / c.packet_seconds - 1);
                ++split_pages;
            }
            CHECK(split_pages >= 2);
        }
    }
}

TEST_CASE("an Ogg page split between packets ends one file and starts the next",
          "[recorder][ogg]") {
    TempDir dir;
    for (const auto& c : kSplitCases) {
        SECTION(c.name) {
            const auto& stream = stream_of(c);
            const double whole = decoded_seconds(stream, dir.path());
            const int pre_skip = pre_skip_of(stream);
            auto framer = make_framer(c.format);
            const auto units = units_of(*framer, stream);
            // Each page once (the stream's first and last included), near its start, middle
            // or end in turn: decoding takes a while.
            const double fractions[] = {0.1, 0.5, 0.9};
            for (std::size_t at = first_audio(units); at < units.size(); ++at) {
                const double fraction = fractions[at % 3];
                CAPTURE(at, fraction);
                const auto parts = framer->split(units[at], units[at].duration * fraction);
                REQUIRE(parts);
                check_parts(units[at], *parts, c.rate);
                const auto files = write_split(*framer, units, at, *parts);
                check_files(c, files, dir.path(), pre_skip, whole);
            }
        }
    }
}

TEST_CASE("an Ogg page whose last packet goes on to the next page", "[recorder][ogg]") {
    TempDir dir;
    for (const auto& c : kSplitCases) {
        const auto& stream = stream_of(c);
        auto framer = make_framer(c.format);
        const auto units = units_of(*framer, stream);
        const auto it = std::find_if(units.begin(), units.end(), [](const Unit& u) {
            const auto page = read_ogg_page(u.bytes);
            return !u.is_header && page.lacing.back() == 255;
        });
        if (!c.spans)
            continue;
        SECTION(c.name) {
            REQUIRE(it != units.end());
            const auto at = std::size_t(it - units.begin());
            REQUIRE_FALSE(units[at + 1].cut_ok);
            // Cut at its end: the packet that goes on moves to the next file, alone.
            const auto parts = framer->split(units[at], units[at].duration);
            REQUIRE(parts);
            check_parts(units[at], *parts, c.rate);
            const auto second = read_ogg_page(parts->second.bytes);
            CHECK(second.packets_completed() == 0);
            CHECK(second.granule == -1);
            CHECK(parts->first.duration == units[at].duration);
            CHECK(read_ogg_page(parts->first.bytes).granule ==
                  read_ogg_page(units[at].bytes).granule);
            // File B starts with the start of that packet, its timeline at the next page's.
            const auto files = write_split(*framer, units, at, *parts);
            check_files(c, files, dir.path(), pre_skip_of(stream),
                        decoded_seconds(stream, dir.path()));
        }
    }
}

TEST_CASE("an Ogg page that starts with the end of a packet", "[recorder][ogg]") {
    TempDir dir;
    for (const auto& c : kSplitCases) {
        const auto& stream = stream_of(c);
        auto framer = make_framer(c.format);
        const auto units = units_of(*framer, stream);
        const auto it = std::find_if(units.begin(), units.end(), [](const Unit& u) {
            return !u.is_header && read_ogg_page(u.bytes).continued();
        });
        if (!c.spans)
            continue;
        SECTION(c.name) {
            REQUIRE(it != units.end());
            const auto at = std::size_t(it - units.begin());
            CHECK_FALSE(units[at].cut_ok);
            // Cut at its start: the first part holds only the end of the continued packet.
            const auto parts = framer->split(units[at], 0);
            REQUIRE(parts);
            check_parts(units[at], *parts, c.rate);
            const auto first = read_ogg_page(parts->first.bytes);
            CHECK(first.continued());
            CHECK(first.packets_completed() == 1);
            CHECK_FALSE(parts->first.cut_ok);
            CHECK(parts->first.duration <= c.packet_seconds + 1e-9);
            const auto files = write_split(*framer, units, at, *parts);
            check_files(c, files, dir.path(), pre_skip_of(stream),
                        decoded_seconds(stream, dir.path()));
        }
    }
}

TEST_CASE("Ogg pages that cannot be split", "[recorder][ogg]") {
    SECTION("header pages") {
        for (const auto& c : kSplitCases) {
            auto framer = make_framer(c.format);
            const auto units = units_of(*framer, stream_of(c));
            for (std::size_t i = 0; i < first_audio(units); ++i)
                for (const double t : {0.0, 0.5, 1.0})
                    CHECK_FALSE(framer->split(units[i], t));
        }
    }

    SECTION("pages with a single packet") {
        // ffmpeg's Opus muxer puts the last packet on a page of its own.
        const auto& stream = encode("-ac 2 -ar 48000 -c:a libopus -f ogg", 3.0);
        auto framer = make_framer("opus");
        const auto units = units_of(*framer, stream);
        std::size_t single = 0;
        for (const auto& unit : units) {
            const auto page = read_ogg_page(unit.bytes);
            if (unit.is_header || page.packets_completed() != 1 || page.continued() ||
                page.lacing.back() == 255)
                continue;
            ++single;
            for (const double t : {0.0, unit.duration / 2, unit.duration})
                CHECK_FALSE(framer->split(unit, t));
        }
        CHECK(single > 0);
    }

    SECTION("units the framer did not describe, or damaged") {
        const auto& c = kSplitCases[0];
        auto framer = make_framer(c.format);
        const auto units = units_of(*framer, stream_of(c));
        auto unit = units[first_audio(units)];
        REQUIRE(framer->split(unit, 0.5));
        auto foreign = unit;
        foreign.stream = 0; // not of a stream whose headers it read
        CHECK_FALSE(framer->split(foreign, 0.5));
        foreign.stream = 99;
        CHECK_FALSE(framer->split(foreign, 0.5));
        auto damaged = unit;
        damaged.bytes[damaged.bytes.size() / 2] ^= 1; // fails its CRC
        CHECK_FALSE(framer->split(damaged, 0.5));
        auto short_unit = unit;
        short_unit.bytes.resize(100);
        CHECK_FALSE(framer->split(short_unit, 0.5));
        auto silent = unit;
        silent.duration = 0;
        CHECK_FALSE(framer->split(silent, 0.5));
        CHECK_FALSE(framer->split(unit, std::nan("")));
    }

    SECTION("frames that are indivisible") {
        for (const auto& [format, options] :
             {std::pair{"mp3", "-ac 2 -ar 44100 -c:a libmp3lame -b:a 128k -f mp3"},
              std::pair{"aac", "-ac 2 -ar 44100 -c:a aac -b:a 128k -f adts"},
              std::pair{"flac", "-ac 2 -ar 44100 -c:a flac -f flac"}}) {
            CAPTURE(format);
            auto framer = make_framer(format);
            const auto units = feed(*framer, encode(options, 1.0), 4096);
            REQUIRE(units.size() > 3);
            for (const auto& unit : units)
                CHECK_FALSE(framer->split(unit, unit.duration / 2));
        }
    }
}

TEST_CASE("a page of a chained Ogg stream is split by its own codec's packets", "[recorder][ogg]") {
    // Vorbis, then Opus: once the Opus headers are read, a Vorbis page still splits by
    // Vorbis windows, and its parts start files with the Vorbis headers.
    const auto& vorbis = stream_of(kSplitCases[1]);
    const auto& opus = stream_of(kSplitCases[0]);
    Bytes chained = vorbis;
    chained.insert(chained.end(), opus.begin(), opus.end());
    auto framer = make_framer("ogg");
    const auto units = units_of(*framer, chained);
    const auto vorbis_pages = pages_of(vorbis).size();
    REQUIRE(units.size() == vorbis_pages + pages_of(opus).size());
    REQUIRE(units[vorbis_pages].starts_stream);
    REQUIRE(units[vorbis_pages].codec == "opus");

    const auto& page = units[vorbis_pages - 2];
    REQUIRE(page.stream == units[0].stream);
    const auto parts = framer->split(page, page.duration / 2);
    REQUIRE(parts);
    check_parts(page, *parts, 44100);
    CHECK(framer->begin_file(parts->second) == framer->begin_file(units[2]));

    const auto& opus_page = units[vorbis_pages + 3];
    const auto opus_parts = framer->split(opus_page, opus_page.duration / 2);
    REQUIRE(opus_parts);
    check_parts(opus_page, *opus_parts, 48000);
    CHECK(opus_parts->first.duration == Approx(opus_page.duration / 2).margin(0.02));
}
