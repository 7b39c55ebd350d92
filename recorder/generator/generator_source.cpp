#include "recorder/generator/generator_source.hpp"

#include "common/clock.hpp"
#include "common/strings.hpp"
#include "recorder/source_runner.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace isr::rec {

namespace {
constexpr double kTwoPi = 2.0 * std::numbers::pi;
// Noise amplitude scale: the pink filter's output lands about 14 dB lower, so the background
// measures about -50 dBFS RMS; events peak 10 to 22 dB above the scale (25-36 dB above the noise).
constexpr double kBackgroundDb = -36.0;
constexpr double kDriftDb = 10.0; // ± around it
constexpr double kDriftPeriodSeconds = 600.0;
constexpr double kMeanEventGapSeconds = 20.0;
} // namespace

GeneratorSource::GeneratorSource(const SourceConfig& cfg)
    : format_{cfg.sample_rate, cfg.channels}, seed_(cfg.seed), speed_(cfg.speed), rng_(cfg.seed),
      pink_(static_cast<std::size_t>(cfg.channels), std::array<double, 7>{}) {}

std::string GeneratorSource::describe() const {
    if (speed_ > 1)
        return cat("generator (seed ", seed_, ", ", speed_, "× real time)");
    return cat("generator (seed ", seed_, ")");
}

void GeneratorSource::open() {
    frame_ = 0;
    start_mono_ = mono_now();
    active_.clear();
    schedule_next_event();
}

void GeneratorSource::schedule_next_event() {
    const double rate = format_.rate;
    std::exponential_distribution<double> gap(1.0 / kMeanEventGapSeconds);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    Event e;
    e.start = frame_ + static_cast<std::uint64_t>((2.0 + gap(rng_)) * rate);
    e.kind = static_cast<int>(unit(rng_) * 3.0) % 3;
    const double seconds = e.kind == 1 ? 0.3 + unit(rng_) * 0.7 : 0.8 + unit(rng_) * 3.2;
    e.length = static_cast<std::uint64_t>(seconds * rate);
    e.gain = std::pow(10.0, (kBackgroundDb + 10.0 + unit(rng_) * 12.0) / 20.0);
    e.pan = unit(rng_);
    e.base_hz = e.kind == 0   ? 2000.0 + unit(rng_) * 2000.0
                : e.kind == 2 ? 80.0 + unit(rng_) * 80.0
                              : 0.0;
    next_event_ = e;
}

double GeneratorSource::event_sample(const Event& e, std::uint64_t frame, int channel) const {
    const double t = static_cast<double>(frame - e.start) / format_.rate;
    const double len = static_cast<double>(e.length) / format_.rate;
    const double x = t / len;
    double v = 0;
    switch (e.kind) {
    case 0: { // a chirp with vibrato, like a bird
        const double f = e.base_hz * (1.0 + 0.3 * std::sin(kTwoPi * 7.0 * t));
        v = std::sin(kTwoPi * f * t) * std::sin(std::numbers::pi * x);
        break;
    }
    case 1: { // a knock: a decaying thud with a noisy attack
        v = std::exp(-t * 12.0) *
            (std::sin(kTwoPi * 120.0 * t) + 0.5 * std::sin(kTwoPi * 1700.0 * t * (1.0 + t)));
        break;
    }
    default: { // an engine-like hum with harmonics and slow attack and release
        const double envelope = std::min({1.0, x * 4.0, (1.0 - x) * 4.0});
        v = envelope *
            (std::sin(kTwoPi * e.base_hz * t) + 0.5 * std::sin(kTwoPi * 2 * e.base_hz * t) +
             0.25 * std::sin(kTwoPi * 3 * e.base_hz * t)) /
            1.75;
        break;
    }
    }
    const double pan =
        format_.channels == 1 ? 1.0 : (channel == 0 ? 1.0 - e.pan * 0.8 : 0.2 + e.pan * 0.8);
    return v * e.gain * pan;
}

PcmRead GeneratorSource::read(std::span<std::int32_t> buffer, std::stop_token stop) {
    const auto ch = static_cast<std::size_t>(format_.channels);
    const std::size_t frames = buffer.size() / ch;
    // Pace in real time: these frames are "captured" once their last one is due. At speed N
    // they are made N times sooner but still say they were captured when due, so the recording
    // clock (and the files' names) run N times fast.
    const double due = start_mono_ + static_cast<double>(frame_ + frames) / format_.rate;
    const double wait = start_mono_ + (due - start_mono_) / speed_ - mono_now();
    if (wait > 0 && !sleep_for(wait, stop))
        return {};

    std::uniform_real_distribution<double> white(-1.0, 1.0);
    // The drift is minutes long: one level per block is smooth enough.
    const double t = static_cast<double>(frame_) / format_.rate;
    const double level = std::pow(
        10.0, (kBackgroundDb + kDriftDb * std::sin(kTwoPi * t / kDriftPeriodSeconds)) / 20.0);
    for (std::size_t i = 0; i < frames; ++i, ++frame_) {
        if (frame_ >= next_event_.start) {
            active_.push_back(next_event_);
            schedule_next_event();
        }
        for (std::size_t c = 0; c < ch; ++c) {
            auto& b = pink_[c];
            const double w = white(rng_);
            b[0] = 0.99886 * b[0] + w * 0.0555179;
            b[1] = 0.99332 * b[1] + w * 0.0750759;
            b[2] = 0.96900 * b[2] + w * 0.1538520;
            b[3] = 0.86650 * b[3] + w * 0.3104856;
            b[4] = 0.55000 * b[4] + w * 0.5329522;
            b[5] = -0.7616 * b[5] - w * 0.0168980;
            double v = (b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + w * 0.5362) * 0.11 * level;
            b[6] = w * 0.115926;
            for (const auto& e : active_)
                v += event_sample(e, frame_, static_cast<int>(c));
            v = std::clamp(v, -1.0, 1.0);
            buffer[i * ch + c] = static_cast<std::int32_t>(std::lrint(v * 2147483647.0));
        }
        if (!active_.empty()) {
            std::erase_if(active_,
                          [this](const Event& e) { return frame_ + 1 >= e.start + e.length; });
        }
    }
    return {frames, 0, due, false};
}

} // namespace isr::rec
