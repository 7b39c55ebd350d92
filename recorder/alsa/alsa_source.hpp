#pragma once

#include "common/config.hpp"
#include "common/log.hpp"
#include "common/unique_handle.hpp"
#include "recorder/pcm/pcm_source.hpp"

#include <alsa/asoundlib.h>

#include <string>
#include <vector>

namespace isr::rec {

using PcmHandle = UniqueHandle<snd_pcm_t, &snd_pcm_close>;

// Captures from an ALSA PCM through alsa-lib (no arecord subprocess). Non-blocking reads with
// snd_pcm_wait, so a stop request is honoured within 200 ms. Overruns and suspends are
// recovered with snd_pcm_recover and counted; a vanished device (ENODEV, EIO) or one that
// delivers nothing for 10 s ends the session with an error so the runner can retry.
class AlsaSource : public PcmSource {
public:
    explicit AlsaSource(const SourceConfig& cfg);

    void open() override;
    PcmFormat format() const override { return format_; }
    PcmRead read(std::span<std::int32_t> buffer, std::stop_token stop) override;
    std::uint64_t xruns() const noexcept override { return xruns_; }
    std::string describe() const override;

    static constexpr double kStallSeconds = 10.0;

private:
    [[noreturn]] void open_failed(int err) const;
    void configure();
    void convert(const std::uint8_t* raw, std::size_t samples, std::int32_t* out) const;

    SourceConfig cfg_;
    Logger log_;
    std::string pcm_name_;
    std::string matched_;
    PcmHandle pcm_;
    PcmFormat format_;
    snd_pcm_format_t sample_format_ = SND_PCM_FORMAT_S16_LE;
    std::size_t bytes_per_sample_ = 2;
    std::vector<std::uint8_t> raw_;
    std::uint64_t xruns_ = 0;
    RateLimit xrun_log_{std::chrono::seconds(30)};
};

} // namespace isr::rec
