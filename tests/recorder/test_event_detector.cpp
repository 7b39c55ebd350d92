// The live loud-event detector: causal, window by window, against the offline analysis.
#include "common/levels/loudness.hpp"
#include "recorder/levels/event_detector.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <random>
#include <sstream>

using namespace isr;
using namespace isr::rec;

namespace {

constexpr double W = kWindowSeconds;

struct Found {
    std::vector<LoudEvent> ended;
    std::vector<LoudEvent> confirmed;
    std::vector<double> confirmed_at; // the window start that confirmed each
};

Found run(const std::vector<float>& db, const SectionParams& params = {}) {
    EventDetector detector(params);
    Found f;
    for (std::size_t i = 0; i < db.size(); ++i) {
        const double start = static_cast<double>(i) * W;
        const auto u = detector.add(db[i], start);
        if (u.ended)
            f.ended.push_back(*u.ended);
        if (u.confirmed) {
            f.confirmed.push_back(*u.confirmed);
            f.confirmed_at.push_back(start);
        }
    }
    if (const auto last = detector.finish())
        f.ended.push_back(*last);
    return f;
}

void put(std::vector<float>& db, double from, double to, float value) {
    for (auto i = static_cast<std::size_t>(std::lround(from / W));
         i < static_cast<std::size_t>(std::lround(to / W)); ++i)
        db[i] = value;
}

} // namespace

TEST_CASE("live events: confirmed at min_duration, ended after min_gap of quiet, with a score",
          "[recorder][levels]") {
    std::vector<float> db(600, -50);
    put(db, 10.0, 12.0, -30); // 2 s, 20 dB up
    put(db, 20.0, 20.3, -35); // two blips 1.2 s apart: one event of 1.8 s
    put(db, 21.5, 21.8, -35);
    put(db, 40.0, 40.1, -20); // a click: too short
    put(db, 50.0, 51.0, -39); // 11 dB: under the margin
    const auto f = run(db);
    REQUIRE(f.confirmed.size() == 2);
    CHECK(f.confirmed_at[0] == Approx(10.4)); // its fifth window makes 0.5 s
    CHECK(f.confirmed[0].start == Approx(10.0));
    REQUIRE(f.ended.size() == 2);
    CHECK(f.ended[0].start == Approx(10.0));
    CHECK(f.ended[0].duration == Approx(2.0));
    CHECK(f.ended[0].score == Approx(20));
    CHECK(f.ended[0].floor_db == Approx(-50));
    CHECK(f.ended[1].start == Approx(20.0));
    CHECK(f.ended[1].duration == Approx(1.8));
}

TEST_CASE("live events: nothing is loud before a few seconds of background, an event open at "
          "the end is reported",
          "[recorder][levels]") {
    std::vector<float> db(100, -50);
    put(db, 1.0, 2.0, -20); // within the warm-up
    put(db, 8.0, 10.0, -20);
    EventDetector d({});
    for (std::size_t i = 0; i < 30; ++i) {
        CHECK_FALSE(d.background());
        d.add(db[i], static_cast<double>(i) * W);
    }
    CHECK(d.background());
    const auto f = run(db);
    REQUIRE(f.ended.size() == 1); // the one at 8 s, reported by finish()
    CHECK(f.ended[0].start == Approx(8.0));
    CHECK(f.ended[0].duration == Approx(2.0));
}

TEST_CASE("live events: lost audio counts as quiet time", "[recorder][levels]") {
    EventDetector d({});
    for (int i = 0; i < 50; ++i)
        d.add(-50, i * W);
    CHECK(d.add(-20, 5.0).confirmed == std::nullopt);
    for (int i = 1; i < 6; ++i)
        d.add(-20, 5.0 + i * W);
    // Ten seconds later (a device reopened): the event ended before this window.
    const auto u = d.add(-50, 20.0);
    REQUIRE(u.ended);
    CHECK(u.ended->duration == Approx(0.6));
}

TEST_CASE("live and offline analyses agree on the events of a drifting background",
          "[recorder][levels]") {
    // Hidden truth: one hour of background drifting ±10 dB over ten minutes with ±1.5 dB of
    // window-to-window noise, and events 18 to 35 dB above it, 1.5 to 6 s long with a one-second
    // attack, at known times.
    std::mt19937 rng(2026);
    std::uniform_real_distribution<double> unit(0, 1);
    std::normal_distribution<double> jitter(0, 1.5);
    const std::size_t n = 36000;
    std::vector<float> db(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) * W;
        db[i] =
            static_cast<float>(-50 + 10 * std::sin(2 * std::numbers::pi * t / 600) + jitter(rng));
    }
    std::vector<double> truth;
    for (double t = 8 + unit(rng) * 30; t < 3590; t += 12 + unit(rng) * 60) {
        const double length = 1.5 + unit(rng) * 4.5;
        const double rise = 18 + unit(rng) * 17;
        for (auto i = static_cast<std::size_t>(std::lround(t / W));
             i < std::min(n, static_cast<std::size_t>(std::lround((t + length) / W))); ++i) {
            // A one-second attack: where the threshold is crossed depends on the background.
            const double into = static_cast<double>(i) * W - t;
            db[i] = static_cast<float>(
                -50 + 10 * std::sin(2 * std::numbers::pi * (static_cast<double>(i) * W) / 600) +
                rise * std::min(1.0, (into + W) / 1.0) + jitter(rng));
        }
        truth.push_back(t);
    }

    const auto offline = find_sections(db, noise_floor(db, W), W, SectionParams{});
    const auto live = run(db).ended;
    REQUIRE(offline.size() == truth.size());
    REQUIRE(live.size() == offline.size());
    double worst = 0;
    double worst_duration = 0;
    for (std::size_t i = 0; i < live.size(); ++i) {
        worst = std::max(worst, std::abs(live[i].start - offline[i].start));
        worst_duration = std::max(worst_duration,
                                  std::abs(live[i].duration - (offline[i].end - offline[i].start)));
        CHECK(std::abs(live[i].start - truth[i]) <= 1.0); // within the attack
    }
    CHECK(worst <= 0.5);
    std::ostringstream summary;
    summary << "agreement: " << truth.size() << " events in 1 h, live " << live.size()
            << ", offline " << offline.size() << "; max start difference " << worst
            << " s, max duration difference " << worst_duration << " s";
    WARN(summary.str());
}
