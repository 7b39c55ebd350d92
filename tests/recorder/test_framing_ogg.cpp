#include "recorder/stream/framing/ogg_page.hpp"
#include "test_framing_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

using namespace isr::rec::framing;
using namespace isr::rec::framing::test;

namespace {

struct OggCase {
    const char* name;
    const char* options;
    const char* codec;
    const char* extension;
    int sample_rate;
    int channels;
    int header_pages;
};

// Short pages (0.2 s) keep "within one page" tolerances meaningful.
const OggCase kOggCases[] = {
    {"Vorbis", "-ac 2 -ar 44100 -c:a libvorbis -page_duration 200000 -f ogg", "vorbis", ".ogg",
     44100, 2, 2},
    {"Opus", "-ac 2 -ar 48000 -c:a libopus -page_duration 200000 -f ogg", "opus", ".opus", 48000, 2,
     2},
    {"FLAC in Ogg", "-ac 1 -ar 32000 -c:a flac -page_duration 200000 -f ogg", "flac", ".ogg", 32000,
     1, 2},
};

// The test streams' pages hold 0.2 s; a little more for rounding and pre-skip.
constexpr double kPageSeconds = 0.25;

// Feeds a stream and writes its units into files the way a splitter does, in arrival order:
// begin_file() when a file starts, right after next() returned the unit that starts it, and
// adapt() on every unit. The second file starts at the first cut_ok unit from index
// `cut_from` on (its index is stored in *cut). The last page, which the framer holds until
// something follows it, is adapted and written too, as a flush at the end of a stream would.
std::vector<Bytes> split(Framer& framer, std::span<const std::uint8_t> stream, std::size_t cut_from,
                         std::size_t* cut = nullptr) {
    std::vector<Bytes> files;
    std::size_t index = 0;
    std::size_t received = 0;
    auto write = [&](Unit& u) {
        framer.adapt(u);
        files.back().insert(files.back().end(), u.bytes.begin(), u.bytes.end());
    };
    for (std::size_t at = 0; at < stream.size(); at += 1024) {
        framer.push(stream.subspan(at, std::min<std::size_t>(1024, stream.size() - at)));
        while (auto u = framer.next()) {
            if (files.empty() || (files.size() == 1 && index >= cut_from && u->cut_ok)) {
                if (!files.empty() && cut)
                    *cut = index;
                files.push_back(framer.begin_file(*u));
            }
            received += u->bytes.size();
            write(*u);
            ++index;
        }
    }
    Unit last;
    last.bytes = slice(stream, received);
    write(last);
    return files;
}

} // namespace

TEST_CASE("Ogg streams are cut exactly between pages, headers first", "[recorder]") {
    TempDir dir;
    for (const auto& c : kOggCases) {
        SECTION(c.name) {
            const auto& stream = encode(c.options);
            const auto file = dir / (std::string("stream") + c.extension);
            write_bytes(file, stream);
            const auto all_pages = pages_of(stream);
            const double last_granule_seconds = double(all_pages.back().granule) / (c.sample_rate);
            CHECK(std::abs(last_granule_seconds - probe_duration(file)) < kPageSeconds);

            for (std::size_t max_chunk :
                 {std::size_t{1}, std::size_t{100}, std::size_t{5000}, stream.size()}) {
                CAPTURE(max_chunk);
                auto framer = make_framer(c.codec == std::string("opus") ? "opus" : "ogg");
                const auto [units, tail] = feed_from_start(*framer, stream, max_chunk);
                CHECK(check_ogg_page(tail).size == tail.size()); // the last page is pending
                REQUIRE(units.size() + 1 == all_pages.size());

                Bytes headers;
                for (std::size_t i = 0; i < units.size(); ++i) {
                    CAPTURE(i);
                    const auto& u = units[i];
                    CHECK(check_ogg_page(u.bytes).size == u.bytes.size());
                    CHECK(u.is_header == (int(i) < c.header_pages));
                    if (u.is_header) {
                        CHECK_FALSE(u.cut_ok);
                        CHECK(u.duration == 0);
                        headers.insert(headers.end(), u.bytes.begin(), u.bytes.end());
                    } else {
                        CHECK(u.cut_ok == !all_pages[i].continued());
                    }
                }
                // Units add up to the granule of the last one received.
                const auto& last_unit_page = all_pages[units.size() - 1];
                CHECK(total_duration(units) ==
                      Approx(double(last_unit_page.granule) / c.sample_rate));
                CHECK(framer->begin_file({}) == headers);

                const auto info = framer->info();
                CHECK(info.codec == c.codec);
                CHECK(info.sample_rate == c.sample_rate);
                CHECK(info.channels == c.channels);
                CHECK(framer->extension() == c.extension);
            }
        }
    }
}

TEST_CASE("a corrupt Ogg page and garbage are skipped and counted, the pages around them kept",
          "[recorder]") {
    const auto& stream = encode(kOggCases[0].options);
    auto reference = make_framer("ogg");
    const auto pages = feed(*reference, stream, stream.size());
    const auto tail = slice(stream, concat(pages).size());
    REQUIRE(pages.size() > 8);
    const std::size_t k = 5;

    SECTION("flipped byte fails the CRC") {
        Bytes input;
        for (std::size_t i = 0; i < pages.size(); ++i) {
            auto bytes = pages[i].bytes;
            if (i == k)
                bytes[bytes.size() / 2] ^= 0x10;
            input.insert(input.end(), bytes.begin(), bytes.end());
        }
        input.insert(input.end(), tail.begin(), tail.end());
        auto framer = make_framer("ogg");
        const auto units = feed(*framer, input, 77);
        REQUIRE(units.size() == pages.size() - 1);
        for (std::size_t i = 0; i < units.size(); ++i) {
            CAPTURE(i);
            CHECK(units[i].bytes == pages[i < k ? i : i + 1].bytes);
        }
        // The corrupt page k is junk: skipped, counted, and the framing goes on after it.
        CHECK(framer->junk_bytes() == pages[k].bytes.size());
        CHECK(framer->resyncs() == 1);
    }

    SECTION("garbage, including a false capture pattern") {
        Bytes junk = noise(3000, 17);
        const std::string fake = "OggS";
        std::copy(fake.begin(), fake.end(), junk.begin() + 1000);
        auto framer = make_framer("ogg");
        const auto units = feed(*framer, with_junk_after(pages, k, junk, tail), 500);
        check_junk_skipped(*framer, units, pages, junk);
    }

    SECTION("joined mid-page, without the header pages: nothing usable") {
        auto framer = make_framer("ogg");
        const std::size_t offset = pages[0].bytes.size() + pages[1].bytes.size() + 10;
        const auto joined = slice(stream, offset);
        const auto units = feed(*framer, joined, 1000);
        REQUIRE(framer->synced());
        // Pages no decoder can use without the headers never start (or fill) a file.
        CHECK(units.empty());
        INFO("junk " << framer->junk_bytes() << ", skipped " << framer->skipped_bytes() << " of "
                     << joined.size());
        CHECK(framer->junk_bytes() > joined.size() / 2);
        CHECK(framer->begin_file({}).empty());
    }

    for (const std::size_t damaged : {std::size_t{0}, std::size_t{1}}) {
        SECTION("header page " + std::to_string(damaged) +
                " fails its CRC: nothing of that stream is usable") {
            Bytes input;
            for (std::size_t i = 0; i < pages.size(); ++i) {
                auto bytes = pages[i].bytes;
                if (i == damaged)
                    bytes[bytes.size() - 3] ^= 0x01;
                input.insert(input.end(), bytes.begin(), bytes.end());
            }
            auto framer = make_framer("ogg");
            const auto units = feed(*framer, input, 333);
            // No audio page of that stream comes out: a file starting with them would not
            // decode (only header pages received before the damage may).
            for (const auto& u : units)
                CHECK(u.is_header);
            CHECK(framer->junk_bytes() + framer->skipped_bytes() >=
                  concat(pages).size() - pages[0].bytes.size());
            // A new stream in the chain is usable again from its first page.
            framer->push(stream);
            Unit first;
            while (auto u = framer->next()) {
                if (first.bytes.empty())
                    first = *u;
            }
            REQUIRE_FALSE(first.bytes.empty());
            CHECK(first.bytes == pages[0].bytes);
            CHECK(first.starts_stream);
            CHECK(first.codec == "vorbis");
        }
    }
}

TEST_CASE("an Ogg stream split into two files decodes as two files", "[recorder]") {
    TempDir dir;
    for (const auto& c : kOggCases) {
        SECTION(c.name) {
            const auto& stream = encode(c.options);
            const auto original = dir / (std::string("original") + c.extension);
            write_bytes(original, stream);
            // Cut at the first cut_ok page past the middle.
            auto framer = make_framer("ogg");
            const auto files = split(*framer, stream, pages_of(stream).size() / 2);
            REQUIRE(files.size() == 2);

            double total = 0;
            for (std::size_t f = 0; f < files.size(); ++f) {
                CAPTURE(f);
                const auto path = dir / ("part" + std::to_string(f) + c.extension);
                write_bytes(path, files[f]);
                CHECK(decode_errors(path) == "");
                total += probe_duration(path);

                // Valid pages (pages_of checks every CRC), numbered from 0, headers first.
                const auto pages = pages_of(files[f]);
                REQUIRE(pages.size() > std::size_t(c.header_pages));
                CHECK(pages[0].bos());
                for (std::size_t i = 0; i < pages.size(); ++i)
                    CHECK(pages[i].sequence == i);
                if (f == 1) {
                    // The second file's timeline starts near 0.
                    const auto first_audio = pages[std::size_t(c.header_pages)];
                    CHECK(double(first_audio.granule) / c.sample_rate < kPageSeconds);
                }
            }
            CHECK(std::abs(total - probe_duration(original)) < kPageSeconds);
        }
    }
}

TEST_CASE("joining mid-stream (Icecast's burst) counts the first page as one page, not the "
          "stream's age",
          "[recorder]") {
    TempDir dir;
    for (const auto& c : kOggCases) {
        SECTION(c.name) {
            // What Icecast sends a new listener: the header pages, then pages from 2 s in.
            const auto& stream = encode(c.options, 4.0);
            const auto pages = pages_of(stream);
            std::vector<std::size_t> offsets{0};
            for (const auto& page : pages)
                offsets.push_back(offsets.back() + page.size);
            const std::size_t headers = std::size_t(c.header_pages);
            std::size_t join = headers;
            while (double(pages[join].granule) / c.sample_rate < 2.0)
                ++join;
            Bytes joined = slice(stream, 0, offsets[headers]);
            const auto rest = slice(stream, offsets[join]);
            joined.insert(joined.end(), rest.begin(), rest.end());

            auto framer = make_framer(c.codec == std::string("opus") ? "opus" : "ogg");
            const auto units = feed(*framer, joined, 3000);
            REQUIRE(units.size() > headers + 1);
            // The first audio page lasts about as long as the others (0.2 s), not 2 s.
            CHECK(units[headers].duration == Approx(0.2).margin(0.05));
            // Together, the units are the audio received: from the page before the join point
            // to the last page returned.
            const auto& last = pages[join + (units.size() - headers) - 1];
            const double received = double(last.granule - pages[join - 1].granule) / c.sample_rate;
            CHECK(total_duration(units) == Approx(received).margin(0.05));

            // Written as a file, its timeline starts at 0 too: ffprobe sees the audio it holds.
            auto splitter = make_framer(c.codec == std::string("opus") ? "opus" : "ogg");
            const auto files = split(*splitter, joined, SIZE_MAX);
            REQUIRE(files.size() == 1);
            const auto path = dir / (std::string("joined") + c.extension);
            write_bytes(path, files[0]);
            CHECK(decode_errors(path) == "");
            const double held =
                double(pages.back().granule - pages[join - 1].granule) / c.sample_rate;
            CHECK(probe_duration(path) == Approx(held).margin(0.05));
        }
    }
}

TEST_CASE("chained Ogg streams replace the saved headers", "[recorder]") {
    const auto& first =
        encode("-ac 2 -ar 44100 -c:a libvorbis -fflags +bitexact -serial_offset 100 "
               "-page_duration 200000 -f ogg",
               2.0);
    const auto& second =
        encode("-ac 1 -ar 22050 -c:a libvorbis -fflags +bitexact -serial_offset 200 "
               "-page_duration 200000 -f ogg",
               2.0);
    const auto first_pages = pages_of(first);
    const auto second_pages = pages_of(second);
    REQUIRE(first_pages[0].serial != second_pages[0].serial);
    REQUIRE(first_pages.back().eos());

    auto headers_of = [](std::span<const std::uint8_t> bytes, std::size_t n) {
        std::size_t size = 0;
        for (std::size_t i = 0; i < n; ++i)
            size += check_ogg_page(bytes.subspan(size)).size;
        return slice(bytes, 0, size);
    };

    for (const bool with_eos : {true, false}) {
        CAPTURE(with_eos);
        Bytes chained = first;
        if (!with_eos) {
            // Icecast may switch streams without ending the previous one.
            const auto last = first.size() - first_pages.back().size;
            chained[last + 5] &= std::uint8_t(~kOggEos);
            refresh_ogg_crc(std::span(chained).subspan(last));
        }
        chained.insert(chained.end(), second.begin(), second.end());

        auto framer = make_framer("ogg");
        const auto units = feed(*framer, slice(chained, 0, first.size() + 100), 999);
        CHECK(framer->begin_file({}) == headers_of(first, 2));
        CHECK(framer->info().sample_rate == 44100);

        auto rest = feed(*framer, slice(chained, first.size() + 100), 999);
        std::vector<Unit> all = units;
        all.insert(all.end(), rest.begin(), rest.end());
        REQUIRE(all.size() == first_pages.size() + second_pages.size() - 1);
        // Header units of the second stream come in arrival order, right after the first one.
        for (std::size_t i = 0; i < all.size(); ++i) {
            CAPTURE(i);
            const bool header = i < 2 || (i >= first_pages.size() && i < first_pages.size() + 2);
            CHECK(all[i].is_header == header);
        }
        CHECK(framer->begin_file({}) == headers_of(second, 2));
        const auto info = framer->info();
        CHECK(info.sample_rate == 22050);
        CHECK(info.channels == 1);

        // Durations restart with the new stream's granules.
        double first_total = 0;
        for (std::size_t i = 0; i < first_pages.size(); ++i)
            first_total += all[i].duration;
        CHECK(first_total == Approx(double(first_pages.back().granule) / 44100));

        // Each stream's first page says so, and its units say which stream they belong to: a
        // file that starts with a page of the first stream gets the first stream's headers even
        // once the second one's were read.
        CHECK(all[0].starts_stream);
        CHECK(all[0].codec == "vorbis");
        CHECK(all[first_pages.size()].starts_stream);
        CHECK(all[first_pages.size()].stream != all[0].stream);
        CHECK(framer->begin_file(all[5]) == headers_of(first, 2));
        CHECK(framer->begin_file(all[first_pages.size() + 4]) == headers_of(second, 2));
    }
}

TEST_CASE("an Ogg chain from Vorbis to Opus: each stream's first page names its codec",
          "[recorder]") {
    const auto& vorbis = encode(
        "-ac 2 -ar 44100 -c:a libvorbis -serial_offset 100 -page_duration 200000 -f ogg", 2.0);
    const auto& opus =
        encode("-ac 2 -ar 48000 -c:a libopus -serial_offset 200 -page_duration 200000 -f ogg", 2.0);
    Bytes chained = vorbis;
    chained.insert(chained.end(), opus.begin(), opus.end());
    auto framer = make_framer("ogg");
    const auto units = feed(*framer, chained, 1500);
    std::vector<std::string> codecs;
    for (const auto& u : units) {
        if (u.starts_stream)
            codecs.push_back(u.codec);
    }
    CHECK(codecs == std::vector<std::string>{"vorbis", "opus"});
    CHECK(framer->extension() == ".opus");
    CHECK(framer->junk_bytes() == 0);
}

TEST_CASE("a file that spans an Ogg chain keeps the new stream's own numbering", "[recorder]") {
    TempDir dir;
    const auto& first =
        encode("-ac 2 -ar 44100 -c:a libvorbis -fflags +bitexact -serial_offset 100 "
               "-page_duration 200000 -f ogg",
               2.0);
    const auto& second =
        encode("-ac 1 -ar 22050 -c:a libvorbis -fflags +bitexact -serial_offset 200 "
               "-page_duration 200000 -f ogg",
               2.0);
    Bytes chained = first;
    chained.insert(chained.end(), second.begin(), second.end());
    const auto first_pages = pages_of(first);
    const auto second_pages = pages_of(second);

    auto framer = make_framer("ogg");
    std::size_t cut = 0;
    const auto files = split(*framer, chained, first_pages.size() / 2, &cut);
    REQUIRE(files.size() == 2);

    const auto path = dir / "spanning.ogg";
    write_bytes(path, files[1]);
    CHECK(decode_errors(path) == "");
    std::uint32_t next_first = 0;
    std::size_t second_seen = 0;
    for (const auto& page : pages_of(files[1])) {
        if (page.serial == first_pages[0].serial) {
            CHECK(page.sequence == next_first++);
        } else {
            REQUIRE(page.serial == second_pages[0].serial);
            // Received inside this file from its BOS on: granules and numbers as sent.
            const auto& original = second_pages[second_seen++];
            CHECK(page.sequence == original.sequence);
            CHECK(page.granule == original.granule);
        }
    }
    CHECK(second_seen == second_pages.size());
    CHECK(next_first == 2 + (first_pages.size() - cut));
}

TEST_CASE("FLAC in Ogg without a header packet count ends headers at the first frame",
          "[recorder]") {
    Bytes stream = encode(kOggCases[2].options);
    // The mapping header's count of header packets (bytes 7-8 of the first packet) set to 0:
    // "unknown", so the headers run until the first audio frame.
    const auto bos = read_ogg_page(stream);
    const auto packet_at = std::size_t(bos.body.data() - stream.data());
    REQUIRE(stream[packet_at + 8] == 1);
    stream[packet_at + 8] = 0;
    refresh_ogg_crc(std::span(stream).first(bos.size));

    auto framer = make_framer("ogg");
    const auto units = feed(*framer, stream, 1500);
    REQUIRE(units.size() > 4);
    CHECK(units[0].is_header);
    CHECK(units[1].is_header);
    CHECK_FALSE(units[2].is_header);
    CHECK(units[2].duration > 0);
    CHECK(framer->info().codec == "flac");
    CHECK(framer->info().sample_rate == 32000);
}
