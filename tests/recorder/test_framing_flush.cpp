#include "recorder/stream/framing/framer.hpp"
#include "tests/recorder/test_framing_support.hpp"

#include <catch2/catch.hpp>

using namespace isr::rec::framing;
using namespace isr::rec::framing::test;

namespace {
struct Row {
    const char* format;
    const char* options;
};
const Row kRows[] = {
    {"mp3", "-ac 2 -ar 44100 -c:a libmp3lame -b:a 128k -f mp3"},
    {"aac", "-ac 2 -ar 44100 -c:a aac -b:a 96k -f adts"},
    {"ogg", "-ac 2 -ar 44100 -c:a libvorbis -f ogg"},
    {"opus", "-ac 2 -ar 48000 -c:a libopus -f ogg"},
    {"flac", "-ac 2 -ar 44100 -c:a flac -f flac"},
};
} // namespace

TEST_CASE("flush returns the last unit at the end of a stream, so nothing is lost", "[recorder]") {
    for (const auto& row : kRows) {
        INFO(row.format);
        const auto& stream = encode(row.options, 2.0);
        auto framer = make_framer(row.format);
        REQUIRE(framer);
        auto units = feed(*framer, stream, 4096);
        while (auto unit = framer->flush())
            units.push_back(std::move(*unit));
        const auto bytes = concat(units);
        CHECK(bytes.size() + framer->skipped_bytes() == stream.size());
        CHECK(bytes ==
              slice(stream, stream.size() - bytes.size())); // everything after the first frame
        CHECK_FALSE(framer->flush());
    }
}

TEST_CASE("flush drops a last frame cut off by the end of the connection", "[recorder]") {
    for (const auto& row : kRows) {
        INFO(row.format);
        const auto& stream = encode(row.options, 2.0);
        auto whole = make_framer(row.format);
        auto units = feed(*whole, stream, 4096);
        while (auto unit = whole->flush())
            units.push_back(std::move(*unit));
        const auto last = units.back().bytes.size();
        // The same stream, ending 10 bytes into its last frame.
        const auto cut = slice(stream, 0, stream.size() - last + 10);
        auto framer = make_framer(row.format);
        auto got = feed(*framer, cut, 4096);
        while (auto unit = framer->flush())
            got.push_back(std::move(*unit));
        CHECK(got.size() == units.size() - 1);
        CHECK(concat(got).size() + framer->skipped_bytes() == cut.size());
        CHECK(framer->skipped_bytes() >= 10);
    }
}
