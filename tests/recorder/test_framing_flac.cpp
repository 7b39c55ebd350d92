#include "common/crc.hpp"
#include "common/flac_header.hpp"
#include "test_framing_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

using namespace isr;
using namespace isr::rec::framing;
using namespace isr::rec::framing::test;

namespace {

const char* const kFlacOptions = "-ac 2 -ar 44100 -c:a flac -f flac";

// A complete frame: a valid header, and a CRC-16 over all of it (its own CRC included) of 0.
bool is_whole_frame(std::span<const std::uint8_t> bytes) {
    return parse_flac_frame_header(bytes).status == FlacParse::ok && crc16(bytes) == 0;
}

// begin_file() gives the stream header with STREAMINFO's sample count and MD5 zeroed.
void check_file_header(const Bytes& file_header, const Bytes& stream_header) {
    REQUIRE(file_header.size() == stream_header.size());
    const auto m = scan_flac_metadata(file_header, file_header.size());
    REQUIRE(m.status == FlacParse::ok);
    const auto original = scan_flac_metadata(stream_header, stream_header.size());
    CHECK(m.info.total_samples == 0);
    CHECK(m.info.sample_rate == original.info.sample_rate);
    CHECK(m.info.channels == original.info.channels);
    CHECK(m.info.bits_per_sample == original.info.bits_per_sample);
    CHECK(m.info.max_block_size == original.info.max_block_size);
    CHECK(slice(file_header, 0, 21) == slice(stream_header, 0, 21));
    CHECK(slice(file_header, 26, 16) == Bytes(16, 0));         // MD5
    CHECK(slice(file_header, 42) == slice(stream_header, 42)); // the other blocks
}

double frame_duration(std::span<const std::uint8_t> frame, int rate) {
    return double(parse_flac_frame_header(frame).header.block_size) / rate;
}

} // namespace

TEST_CASE("native FLAC: one header unit, then exact frames", "[recorder]") {
    TempDir dir;
    const auto& stream = encode(kFlacOptions);
    const auto file = dir / "stream.flac";
    write_bytes(file, stream);
    const double reference = probe_duration(file);
    const auto header = scan_flac_metadata(stream, stream.size());
    REQUIRE(header.status == FlacParse::ok);

    for (std::size_t max_chunk :
         {std::size_t{1}, std::size_t{64}, std::size_t{5000}, stream.size()}) {
        CAPTURE(max_chunk);
        auto framer = make_framer("flac");
        const auto [units, tail] = feed_from_start(*framer, stream, max_chunk);
        CHECK(is_whole_frame(tail)); // the last frame is pending

        REQUIRE(units.size() > 10);
        CHECK(units[0].is_header);
        CHECK_FALSE(units[0].cut_ok);
        CHECK(units[0].duration == 0);
        CHECK(units[0].bytes == slice(stream, 0, header.size));
        for (std::size_t i = 1; i < units.size(); ++i) {
            CAPTURE(i);
            CHECK(is_whole_frame(units[i].bytes));
            CHECK(units[i].cut_ok);
            CHECK_FALSE(units[i].is_header);
        }
        const double total = total_duration(units) + frame_duration(tail, 44100);
        CHECK(total == Approx(reference).margin(1e-6));
        check_file_header(framer->begin_file({}), units[0].bytes);

        const auto info = framer->info();
        CHECK(info.codec == "flac");
        CHECK(info.sample_rate == 44100);
        CHECK(info.channels == 2);
        CHECK(framer->extension() == ".flac");
    }
}

TEST_CASE("native FLAC joined mid-stream gets a synthesised STREAMINFO", "[recorder]") {
    TempDir dir;
    const auto& stream = encode(kFlacOptions);
    auto reference = make_framer("flac");
    const auto frames = feed(*reference, stream, stream.size());
    std::vector<std::size_t> starts{0};
    for (const auto& f : frames)
        starts.push_back(starts.back() + f.bytes.size());

    for (std::size_t offset : {std::size_t{20000}, starts[5] + 1}) {
        CAPTURE(offset);
        auto framer = make_framer("flac");
        const auto joined = slice(stream, offset);
        const auto units = feed(*framer, joined, 700);
        REQUIRE(framer->synced());
        CHECK(framer->skipped_bytes() > 0);
        CHECK(std::find(starts.begin(), starts.end(), offset + framer->skipped_bytes()) !=
              starts.end());
        const auto got = concat(units);
        CHECK(got == slice(joined, framer->skipped_bytes(), got.size()));
        for (const auto& u : units)
            CHECK(is_whole_frame(u.bytes));

        Bytes file = framer->begin_file({});
        const auto synthesised = scan_flac_metadata(file, file.size());
        REQUIRE(synthesised.status == FlacParse::ok);
        CHECK(synthesised.size == file.size());
        CHECK(synthesised.info.sample_rate == 44100);
        CHECK(synthesised.info.channels == 2);
        CHECK(synthesised.info.bits_per_sample == 16);
        CHECK(synthesised.info.max_block_size == 4608);
        CHECK(synthesised.info.total_samples == 0);

        double duration = 0;
        for (auto u : units) {
            framer->adapt(u);
            file.insert(file.end(), u.bytes.begin(), u.bytes.end());
            duration += u.duration;
        }
        const auto path = dir / "joined.flac";
        write_bytes(path, file);
        // No sample count in the synthesised header: measure what decodes.
        const auto decoded = decode(path);
        CHECK(decoded.errors == "");
        CHECK(decoded.seconds == Approx(duration).margin(0.11));
    }
}

TEST_CASE("native FLAC: garbage, false syncs, a second stream header, and two files",
          "[recorder]") {
    TempDir dir;
    const auto& stream = encode(kFlacOptions);
    auto reference = make_framer("flac");
    const auto units = feed(*reference, stream, stream.size());
    const auto tail = slice(stream, concat(units).size());
    REQUIRE(units.size() > 12);

    SECTION("garbage after a frame, with frame headers of other frames in it") {
        Bytes junk = noise(2000, 23);
        // Valid headers (CRC-8 and all), but no CRC-16 ends at them and they are out of order.
        const auto h3 = parse_flac_frame_header(units[3].bytes).header.size;
        std::copy(units[3].bytes.begin(), units[3].bytes.begin() + long(h3), junk.begin() + 50);
        std::copy(units[9].bytes.begin(), units[9].bytes.begin() + long(h3), junk.begin() + 900);
        const std::size_t k = 6;
        auto framer = make_framer("flac");
        const auto got = feed(*framer, with_junk_after(units, k, junk, tail), 333);
        check_junk_skipped(*framer, got, units, junk);
    }

    SECTION("a new stream header mid-stream is a header unit and replaces the saved one") {
        const auto& other = encode("-ac 1 -ar 22050 -c:a flac -f flac", 1.0);
        Bytes input = stream;
        input.insert(input.end(), other.begin(), other.end());
        auto framer = make_framer("flac");
        const auto got = feed(*framer, input, 4096);
        REQUIRE(got.size() > units.size() + 1);
        CHECK(got[units.size()].bytes == tail); // the first stream's last frame, now complete
        const auto& second_header = got[units.size() + 1];
        CHECK(second_header.is_header);
        const auto m = scan_flac_metadata(other, other.size());
        CHECK(second_header.bytes == slice(other, 0, m.size));
        check_file_header(framer->begin_file({}), second_header.bytes);
        CHECK(framer->info().sample_rate == 22050);
        CHECK(framer->info().channels == 1);
    }

    SECTION("split into two files") {
        auto framer = make_framer("flac");
        const auto got = feed(*framer, stream, 4096);
        std::vector<Bytes> files;
        for (std::size_t i = 0; i < got.size(); ++i) {
            if (i == 0 || i == got.size() / 2)
                files.push_back(framer->begin_file(got[i]));
            auto u = got[i];
            framer->adapt(u); // drops the header unit begin_file() already wrote
            files.back().insert(files.back().end(), u.bytes.begin(), u.bytes.end());
        }
        REQUIRE(files.size() == 2);
        double total = 0;
        for (std::size_t f = 0; f < files.size(); ++f) {
            const auto path = dir / ("part" + std::to_string(f) + ".flac");
            write_bytes(path, files[f]);
            const auto decoded = decode(path);
            CHECK(decoded.errors == "");
            total += decoded.seconds;
            CHECK(scan_flac_metadata(files[f], files[f].size()).size == units[0].bytes.size());
        }
        CHECK(total == Approx(total_duration(got)).margin(0.11));
    }
}
