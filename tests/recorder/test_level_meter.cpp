#include "recorder/pcm/level_meter.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <vector>

using isr::rec::LevelMeter;

TEST_CASE("the level meter reports RMS and peak of each second in dBFS", "[recorder]") {
    LevelMeter meter(8000);
    CHECK_FALSE(meter.last());
    // A full-scale sine: RMS -3 dB, peak 0 dB. Stereo, fed in odd-sized pieces.
    std::vector<std::int32_t> samples;
    for (int i = 0; i < 8000; ++i) {
        const auto v = static_cast<std::int32_t>(
            std::lrint(2147483647.0 * std::sin(2 * std::numbers::pi * 440 * i / 8000.0)));
        samples.push_back(v);
        samples.push_back(v / 10); // right channel 20 dB down
    }
    for (std::size_t at = 0; at < samples.size();) {
        const auto n = std::min<std::size_t>(samples.size() - at, 2 * 777);
        meter.add(std::span(samples).subspan(at, n), 2);
        at += n;
    }
    REQUIRE(meter.last());
    // Mean power of both channels: (0.5 + 0.005) / 2 -> -5.97 dB.
    CHECK(meter.last()->rms_dbfs == Approx(10 * std::log10((0.5 + 0.005) / 2)).margin(0.01));
    CHECK(meter.last()->peak_dbfs == Approx(0.0).margin(0.01));
    // Digital silence bottoms out at the floor.
    std::vector<std::int32_t> silence(8000, 0);
    meter.add(silence, 1);
    CHECK(meter.last()->rms_dbfs == LevelMeter::kFloorDb);
}
