#include "common/levels/levels_file.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace isr;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() / ("isr-levels-" + std::to_string(::getpid()));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
};

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

TEST_CASE("window accumulator: windows of round(rate/10) frames, RMS in dBFS, partial at the end",
          "[levels]") {
    WindowAccumulator acc(48000, 2);
    REQUIRE(acc.window_frames() == 4800);
    // Full-scale square wave: 0 dBFS; then a -20 dBFS one for half a window.
    std::vector<float> loud(4800 * 2 * 3, 1.0f);
    std::vector<float> out;
    acc.add(loud.data(), 4800 * 3 - 100, out); // two windows and most of a third
    REQUIRE(out.size() == 2);
    CHECK(out[0] == Approx(0.0).margin(1e-4));
    acc.add(loud.data(), 100, out);
    REQUIRE(out.size() == 3);
    std::vector<float> quiet(2400 * 2, 0.1f);
    acc.add(quiet.data(), 2400, out);
    CHECK(out.size() == 3);
    CHECK(acc.pending_frames() == 2400);
    CHECK(acc.frames() == 4800 * 3 + 2400);
    const auto tail = acc.finish();
    REQUIRE(tail);
    CHECK(*tail == Approx(-20.0).margin(1e-3));
    CHECK_FALSE(acc.finish());
    // Silence is the floor value, not -inf.
    std::vector<float> zero(4800, 0.0f);
    WindowAccumulator mono(48000, 1);
    mono.add(zero.data(), 4800, out);
    CHECK(out.back() == Approx(kSilenceDb));
}

TEST_CASE("levels file: a written file reads back, complete for its key only", "[levels]") {
    TempDir dir;
    Levels levels;
    levels.sample_rate = 44100;
    levels.channels = 1;
    levels.window_seconds = 4410.0 / 44100;
    levels.db = {-60.0f, -12.34f, 0.0f, -120.0f};
    levels.duration = 0.37;
    LevelsStamp stamp;
    stamp.complete = true;
    stamp.key = {1234, 5678};
    stamp.frames = 16317;
    const auto path = dir.path / "a" / "b.wav.levels";
    write_levels_file(path, levels, stamp);
    const auto back = read_levels_file(path);
    REQUIRE(back);
    CHECK(back->complete_for({1234, 5678}));
    CHECK_FALSE(back->complete_for({1234, 5679}));
    CHECK_FALSE(back->prefix_of(0));
    CHECK(back->stamp.frames == 16317);
    CHECK(back->levels.duration == Approx(0.37));
    REQUIRE(back->levels.db.size() == 4);
    CHECK(back->levels.db[1] == Approx(-12.34f).margin(0.006));
    CHECK(back->levels.window_seconds == Approx(0.1));
}

TEST_CASE("levels file: damage anywhere is refused", "[levels]") {
    Levels levels;
    levels.sample_rate = 8000;
    levels.channels = 2;
    levels.db = {-30.0f, -31.0f};
    levels.duration = 0.2;
    LevelsStamp stamp;
    stamp.complete = true;
    stamp.key = {10, 20};
    stamp.frames = 1600;
    const auto good = encode_levels(levels, stamp);
    REQUIRE(parse_levels(good));
    for (std::size_t i = 0; i < good.size(); ++i) {
        auto bad = good;
        bad[i] = static_cast<char>(bad[i] ^ 0x10);
        INFO("byte " << i);
        CHECK_FALSE(parse_levels(bad));
    }
    CHECK_FALSE(parse_levels(good.substr(0, good.size() - 1)));
    CHECK_FALSE(parse_levels(good + "xx"));
    CHECK_FALSE(parse_levels(good.substr(0, 40)));
    CHECK_FALSE(parse_levels(""));
}

TEST_CASE("levels appender: readers see whole windows while it grows, then the complete file",
          "[levels]") {
    TempDir dir;
    const auto path = dir.path / "src" / "x.flac.levels";
    LevelsAppender appender(path, 48000, 2, 777);
    auto partial = read_levels_file(path);
    REQUIRE(partial);
    CHECK(partial->levels.db.empty());
    CHECK(partial->stamp.recorded);
    CHECK(partial->prefix_of(777));
    CHECK_FALSE(partial->prefix_of(778));
    const std::vector<float> first = {-40.0f, -41.5f, -39.0f};
    appender.append(first);
    // A torn append (half a window) is not a window.
    {
        std::ofstream torn(path, std::ios::binary | std::ios::app);
        torn.put('\x01');
    }
    partial = read_levels_file(path);
    REQUIRE(partial);
    REQUIRE(partial->levels.db.size() == 3);
    CHECK(partial->stamp.frames == 3 * 4800);
    CHECK(partial->levels.duration == Approx(0.3));
    CHECK_FALSE(partial->stamp.complete);
    const std::vector<float> second = {-10.0f};
    appender.append(second); // overwrites the torn byte: appends go by window count
    appender.complete(-50.0f, {999, 111}, 4 * 4800 + 1000);
    const auto done = read_levels_file(path);
    REQUIRE(done);
    CHECK(done->complete_for({999, 111}));
    CHECK(done->stamp.recorded);
    REQUIRE(done->levels.db.size() == 5);
    CHECK(done->levels.db[3] == Approx(-10.0f));
    CHECK(done->levels.db[4] == Approx(-50.0f));
    CHECK(done->levels.duration == Approx((4 * 4800 + 1000) / 48000.0));
    CHECK_FALSE(fs::exists(fs::path(path.string() + ".new")));
    CHECK(read(path).size() == 80 + 5 * 2);
}
