#include "recorder/anchor_clock.hpp"

#include <catch2/catch.hpp>

#include <random>

using isr::rec::AnchorClock;

TEST_CASE("the anchor ignores late arrivals and Icecast's burst", "[recorder]") {
    AnchorClock clock;
    // Connected at t=100: a 4 s burst arrives at once, then live audio with 0-80 ms of jitter.
    const double connect = 100.0;
    clock.observe(4.0, connect);
    std::mt19937 rng(1);
    std::uniform_real_distribution<double> jitter(0.0, 0.08);
    for (double media = 4.1; media < 120; media += 0.1)
        clock.observe(media, connect + (media - 4.0) + jitter(rng));
    // Media position 0 was produced 4 s before the connection.
    CHECK(clock.start() == Approx(connect - 4.0).margin(0.01));
    CHECK(clock.mono_at(60.0) == Approx(connect + 56.0).margin(0.01));
}

TEST_CASE("after settling, corrections are spread out", "[recorder]") {
    AnchorClock clock;
    double mono = 0;
    for (double media = 0; media < 30; media += 0.1)
        clock.observe(media, mono = media);
    REQUIRE(clock.start() == Approx(0.0));
    // The source fell 0.8 s behind and caught up: audio now arrives 0.8 s "earlier".
    for (double media = 30; media < 40; media += 0.1)
        clock.observe(media, mono = media - 0.8);
    CHECK(clock.estimate() == Approx(-0.8));
    CHECK(clock.start() > -0.03); // 10 s later, it moved by at most 0.2% of 10 s
    CHECK(clock.start() < -0.015);
    for (double media = 40; media < 500; media += 0.1)
        clock.observe(media, mono = media - 0.8);
    CHECK(clock.start() == Approx(-0.8).margin(0.001)); // and it gets there
}
