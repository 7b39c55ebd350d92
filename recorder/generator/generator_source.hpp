#pragma once

#include "common/config.hpp"
#include "recorder/pcm/pcm_source.hpp"

#include <array>
#include <cstdint>
#include <random>
#include <vector>

namespace isr::rec {

// A synthetic source paced in real time, for demos and tests without hardware: pink-ish noise
// whose level drifts slowly by ±10 dB over ten minutes (like wind or traffic coming and going),
// plus short loud events at seeded random times (chirps, knocks, engine-like hums) 20-35 dB
// above it. The same seed gives the same signal.
class GeneratorSource : public PcmSource {
public:
    explicit GeneratorSource(const SourceConfig& cfg);

    void open() override;
    PcmFormat format() const override { return format_; }
    PcmRead read(std::span<std::int32_t> buffer, std::stop_token stop) override;
    std::uint64_t xruns() const noexcept override { return 0; }
    std::string describe() const override;

private:
    struct Event {
        std::uint64_t start;  // frame
        std::uint64_t length; // frames
        int kind;             // 0 chirp, 1 knock, 2 hum
        double gain;          // linear, relative to full scale
        double pan;           // 0 left … 1 right
        double base_hz;
    };

    void schedule_next_event();
    double event_sample(const Event& e, std::uint64_t frame, int channel) const;

    PcmFormat format_;
    std::uint64_t seed_;
    int speed_;
    std::mt19937_64 rng_;
    std::uint64_t frame_ = 0;
    double start_mono_ = 0;
    std::vector<std::array<double, 7>> pink_; // Paul Kellet's pink filter state per channel
    Event next_event_{};
    std::vector<Event> active_;
};

} // namespace isr::rec
