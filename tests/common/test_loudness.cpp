#include "common/levels/loudness.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace isr;

namespace {
constexpr double W = 0.1;

std::vector<float> flat(std::size_t n, float db) {
    return std::vector<float>(n, db);
}

void put(std::vector<float>& db, double from, double to, float value) {
    for (auto i = static_cast<std::size_t>(std::lround(from / W));
         i < static_cast<std::size_t>(std::lround(to / W)); ++i)
        db[i] = value;
}
} // namespace

TEST_CASE("window levels in dBFS, silence at -120", "[web]") {
    CHECK(window_db(0, 4410) == kSilenceDb);
    CHECK(window_db(4410 * 1.0, 4410) == Approx(0.0));                  // full-scale square wave
    CHECK(window_db(4410 * 0.5, 4410) == Approx(-3.0103).margin(1e-3)); // full-scale sine
    CHECK(window_db(1e-30, 4410) == kSilenceDb);
}

TEST_CASE("the noise floor is the 20th percentile per 30 s block, interpolated between centres",
          "[web]") {
    // Block 1 (0-30 s) at -60, block 2 (30-60 s) at -40: centres at 15 s and 45 s.
    auto db = flat(600, -60);
    put(db, 30, 60, -40);
    const auto floor = noise_floor(db, W);
    CHECK(floor[0] == Approx(-60));
    CHECK(floor[140] == Approx(-60));              // before the first centre: flat
    CHECK(floor[300] == Approx(-50).margin(0.05)); // half-way between the centres
    CHECK(floor[599] == Approx(-40));              // after the last centre: flat
    // Loud events are above the 20th percentile: they barely move the floor.
    auto busy = flat(300, -50);
    put(busy, 10, 20, -10); // a third of the block is loud
    CHECK(noise_floor(busy, W)[150] == Approx(-50));
    // numpy's linear percentile: values 0..9 -> 1.8
    std::vector<float> ramp;
    for (int i = 0; i < 10; ++i)
        ramp.push_back(static_cast<float>(i));
    CHECK(noise_floor(ramp, W)[5] == Approx(1.8));
}

TEST_CASE("a live file's last, partial block has a floor of the windows it has", "[web][live]") {
    // 40 s so far: a full block at -60 (centre 15 s) and 10 s of the next at -40, whose centre
    // is the middle of what exists (35 s), not of a whole block (45 s).
    auto db = flat(400, -60);
    put(db, 30, 40, -40);
    const auto floor = noise_floor(db, W);
    CHECK(floor[399] == Approx(-40)); // after the partial block's centre: its own floor
    CHECK(floor[350] == Approx(-40).margin(0.1));
    CHECK(floor[250] == Approx(-50).margin(0.1)); // half-way between 15 s and 35 s
    // A single window of a new block counts as that block.
    auto one = flat(301, -60);
    one[300] = -30;
    CHECK(noise_floor(one, W)[300] == Approx(-30));
}

TEST_CASE("sections: margin, gap merging, minimum duration after merging, score", "[web]") {
    auto db = flat(3000, -50);
    put(db, 10.0, 12.0, -30); // a 2 s event, 20 dB up
    put(db, 20.0, 20.3, -35); // two short blips 1.2 s apart
    put(db, 21.5, 21.8, -35);
    put(db, 40.0, 40.1, -20); // a 100 ms click
    put(db, 50.0, 51.0, -39); // 11 dB up: below a 12 dB margin
    const auto floor = flat(3000, -50);

    auto s = find_sections(db, floor, W, {12, 2, 0.5});
    REQUIRE(s.size() == 2);
    CHECK(s[0].start == Approx(10.0));
    CHECK(s[0].end == Approx(12.0));
    CHECK(s[0].score == Approx(20));
    CHECK(s[0].peak_db == Approx(-30));
    CHECK(s[0].floor_db == Approx(-50));
    CHECK(s[1].start == Approx(20.0)); // the blips merged (gap 1.2 s < 2 s) and now last 1.8 s
    CHECK(s[1].end == Approx(21.8));

    // A smaller grace period keeps the blips apart; each is then too short.
    s = find_sections(db, floor, W, {12, 1.0, 0.5});
    CHECK(s.size() == 1);
    // Without a minimum duration, the blips and the click come back.
    s = find_sections(db, floor, W, {12, 1.0, 0});
    REQUIRE(s.size() == 4);
    CHECK(s[3].start == Approx(40.0));
    CHECK(s[3].score == Approx(30));
    // A lower margin catches the 11 dB rise.
    s = find_sections(db, floor, W, {10, 2, 0.5});
    CHECK(s.size() == 3);
    // A gap exactly min_gap long does not merge ("less than").
    auto gap = flat(200, -50);
    put(gap, 1.0, 2.0, -30);
    put(gap, 4.0, 5.0, -30);
    CHECK(find_sections(gap, flat(200, -50), W, {12, 2.0, 0}).size() == 2);
    CHECK(find_sections(gap, flat(200, -50), W, {12, 2.1, 0}).size() == 1);
}

TEST_CASE("a slow drift of the background moves the floor instead of making sections", "[web]") {
    // 20 dB up over ten minutes, with small fluctuations.
    std::vector<float> db;
    for (int i = 0; i < 6000; ++i)
        db.push_back(static_cast<float>(-60 + 20.0 * i / 6000 + 2 * std::sin(i * 0.7)));
    const auto floor = noise_floor(db, W);
    CHECK(find_sections(db, floor, W, {12, 2, 0.5}).empty());
    CHECK(find_sections(db, floor, W, {6, 2, 0.5}).empty());
}

TEST_CASE("display buckets keep each bucket's maximum", "[web]") {
    auto db = flat(1600, -50);
    db[801] = -10;
    const auto d = display(db, flat(1600, -55), 800);
    CHECK(d.bucket_windows == 2);
    REQUIRE(d.rms.size() == 800);
    CHECK(d.rms[400] == Approx(-10));
    CHECK(d.rms[399] == Approx(-50));
    CHECK(d.floor[400] == Approx(-55));
    CHECK(display(flat(10, -50), flat(10, -50), 800).rms.size() == 10);
}
