#include "common/clock.hpp"
#include "recorder/generator/generator_source.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace isr;
using namespace isr::rec;

TEST_CASE("generator: speed N makes audio N times sooner, timed as if captured that fast",
          "[generator]") {
    SourceConfig cfg;
    cfg.type = SourceType::generator;
    cfg.sample_rate = 8000;
    cfg.channels = 1;
    cfg.speed = 1000;
    GeneratorSource source(cfg);
    source.open();
    const double start = mono_now();
    std::vector<std::int32_t> buffer(8000); // a second per read
    std::stop_source stop;
    double last = 0;
    for (int i = 0; i < 20; ++i) {
        const auto r = source.read(buffer, stop.get_token());
        REQUIRE(r.frames == 8000);
        last = r.mono_seconds;
    }
    // 20 s of audio said to end 20 s after the start, made in a small fraction of that.
    CHECK(last - start == Approx(20.0).margin(0.5));
    CHECK(mono_now() - start < 10.0);
    CHECK(source.describe() == "generator (seed 1, 1000× real time)");
}
