#include "recorder/alsa/alsa_source.hpp"

#include "common/clock.hpp"
#include "common/strings.hpp"
#include "recorder/alsa/alsa_devices.hpp"
#include "recorder/source.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <regex>

namespace isr::rec {

namespace {

using HwParams = UniqueHandle<snd_pcm_hw_params_t, &snd_pcm_hw_params_free>;
using SwParams = UniqueHandle<snd_pcm_sw_params_t, &snd_pcm_sw_params_free>;

constexpr unsigned kCommonRates[] = {8000,  11025, 16000, 22050,  32000,  44100,
                                     48000, 88200, 96000, 176400, 192000, 384000};

std::string alsa_message(int err) {
    return snd_strerror(err);
}

} // namespace

AlsaSource::AlsaSource(const SourceConfig& cfg) : cfg_(cfg), log_(cfg.name, cfg.log_level) {}

std::string AlsaSource::describe() const {
    std::string out = cat("ALSA device ", pcm_name_.empty() ? cfg_.device : pcm_name_);
    if (!matched_.empty())
        out += cat(" (", matched_, ")");
    return out;
}

void AlsaSource::open_failed(int err) const {
    const auto device =
        cat("ALSA device '", pcm_name_, "'",
            pcm_name_ != cfg_.device ? cat(" (device = ", cfg_.device, ")") : std::string());
    if (err == -EBUSY) {
        std::optional<int> card;
        std::optional<int> dev;
        std::smatch m;
        const std::regex hw(R"((?:plug)?hw:(\d+),(\d+))");
        if (std::regex_match(pcm_name_, m, hw)) {
            card = std::stoi(m[1]);
            dev = std::stoi(m[2]);
        }
        const auto holders = capture_device_holders(card, dev);
        throw SourceError(cat(
            "cannot open ", device,
            " for capture: Device or resource busy. Another program is "
            "capturing from it: ",
            holders.empty()
                ? std::string("usually PulseAudio/PipeWire, darkice, arecord or a second isrd")
                : join(holders, ", "),
            ". hw devices are exclusive: share the card through the dsnoop device shared_mic from "
            "this project's asound.conf (copy it to /etc/asound.conf, then set device = shared_mic "
            "here and in the other program), or stop the other program"));
    }
    if (err == -ENOENT || err == -ENODEV || err == -ENXIO) {
        throw SourceError(cat("cannot open ", device, " for capture: ", alsa_message(err),
                              ". The device is not there (unplugged, or a different card number "
                              "after reboot?); run `isrd --list-devices` and check device ="));
    }
    if (err == -EACCES || err == -EPERM) {
        throw SourceError(cat("cannot open ", device, " for capture: ", alsa_message(err),
                              ". Add the user running isrd to the 'audio' group (in Docker: map "
                              "/dev/snd into the container)"));
    }
    throw SourceError(cat("cannot open ", device, " for capture: ", alsa_message(err)));
}

void AlsaSource::open() {
    pcm_name_ = resolve_capture_device(cfg_.device, &matched_);
    snd_pcm_t* raw = nullptr;
    const int err = snd_pcm_open(&raw, pcm_name_.c_str(), SND_PCM_STREAM_CAPTURE, SND_PCM_NONBLOCK);
    if (err < 0)
        open_failed(err);
    pcm_.reset(raw);
    configure();
    if (const int e = snd_pcm_start(pcm_.get()); e < 0) {
        throw SourceError(cat("cannot start capture on ", describe(), ": ", alsa_message(e)));
    }
}

void AlsaSource::configure() {
    snd_pcm_t* pcm = pcm_.get();
    const auto fail = [this](const std::string& what, int err) {
        throw SourceError(cat(describe(), ": ", what, ": ", alsa_message(err)));
    };
    snd_pcm_hw_params_t* hw_raw = nullptr;
    snd_pcm_hw_params_malloc(&hw_raw);
    HwParams hw(hw_raw);
    if (int e = snd_pcm_hw_params_any(pcm, hw.get()); e < 0)
        fail("no configuration available", e);
    if (int e = snd_pcm_hw_params_set_access(pcm, hw.get(), SND_PCM_ACCESS_RW_INTERLEAVED); e < 0) {
        fail("interleaved access not supported", e);
    }

    // Capture at the file's bit depth when the device can; 24-bit files want 24 or 32 bits.
    const std::vector<snd_pcm_format_t> prefer =
        cfg_.bit_depth == 24 ? std::vector{SND_PCM_FORMAT_S32_LE, SND_PCM_FORMAT_S24_3LE,
                                           SND_PCM_FORMAT_S24_LE, SND_PCM_FORMAT_S16_LE}
                             : std::vector{SND_PCM_FORMAT_S16_LE, SND_PCM_FORMAT_S32_LE,
                                           SND_PCM_FORMAT_S24_3LE, SND_PCM_FORMAT_S24_LE};
    bool format_ok = false;
    for (const auto f : prefer) {
        if (snd_pcm_hw_params_test_format(pcm, hw.get(), f) == 0 &&
            snd_pcm_hw_params_set_format(pcm, hw.get(), f) == 0) {
            sample_format_ = f;
            format_ok = true;
            break;
        }
    }
    if (!format_ok) {
        throw SourceError(cat(describe(), " offers none of the sample formats S16_LE, S24_LE, "
                                          "S24_3LE, S32_LE; use device = plughw:X,Y to convert"));
    }
    if (cfg_.bit_depth == 24 && sample_format_ == SND_PCM_FORMAT_S16_LE) {
        log_.warning(
            describe(),
            " delivers only 16-bit samples; the 24-bit files will hold 16 bits of resolution");
    }
    bytes_per_sample_ = static_cast<std::size_t>(snd_pcm_format_physical_width(sample_format_) / 8);

    const auto channels = static_cast<unsigned>(cfg_.channels);
    if (snd_pcm_hw_params_set_channels(pcm, hw.get(), channels) < 0) {
        unsigned lo = 0, hi = 0;
        snd_pcm_hw_params_get_channels_min(hw.get(), &lo);
        snd_pcm_hw_params_get_channels_max(hw.get(), &hi);
        throw SourceError(
            cat(describe(), " cannot capture ", channels, " channel(s); it supports ",
                lo == hi ? cat(lo) : cat(lo, " to ", hi),
                ". Set channels accordingly, or use device = plughw:X,Y to let ALSA convert"));
    }
    const auto rate = static_cast<unsigned>(cfg_.sample_rate);
    if (snd_pcm_hw_params_set_rate(pcm, hw.get(), rate, 0) < 0) {
        std::vector<std::string> ok;
        for (const auto r : kCommonRates) {
            if (snd_pcm_hw_params_test_rate(pcm, hw.get(), r, 0) == 0)
                ok.push_back(cat(r));
        }
        unsigned lo = 0, hi = 0;
        int dir = 0;
        snd_pcm_hw_params_get_rate_min(hw.get(), &lo, &dir);
        snd_pcm_hw_params_get_rate_max(hw.get(), &hi, &dir);
        throw SourceError(
            cat(describe(), " cannot capture at ", rate, " Hz; it supports ",
                ok.empty() ? cat(lo, " to ", hi, " Hz") : join(ok, ", ") + " Hz",
                ". Set sample_rate to one of those, or use device = plughw:X,Y to resample"));
    }
    // A generous buffer rides out slow disks (SD cards stall for seconds at times); waking up
    // four times a second (avail_min below) keeps the CPU cost of many sources low.
    unsigned buffer_us = 2000000;
    unsigned period_us = 125000;
    snd_pcm_hw_params_set_buffer_time_near(pcm, hw.get(), &buffer_us, nullptr);
    snd_pcm_hw_params_set_period_time_near(pcm, hw.get(), &period_us, nullptr);
    if (int e = snd_pcm_hw_params(pcm, hw.get()); e < 0)
        fail("cannot apply the hardware parameters", e);

    snd_pcm_uframes_t period = 0;
    int dir = 0;
    snd_pcm_hw_params_get_period_size(hw.get(), &period, &dir);
    snd_pcm_sw_params_t* sw_raw = nullptr;
    snd_pcm_sw_params_malloc(&sw_raw);
    SwParams sw(sw_raw);
    snd_pcm_sw_params_current(pcm, sw.get());
    snd_pcm_uframes_t buffer = 0;
    snd_pcm_hw_params_get_buffer_size(hw.get(), &buffer);
    const auto quarter_second = static_cast<snd_pcm_uframes_t>(cfg_.sample_rate / 4);
    snd_pcm_sw_params_set_avail_min(pcm, sw.get(),
                                    std::max(period, std::min(quarter_second, buffer / 2)));
    if (int e = snd_pcm_sw_params(pcm, sw.get()); e < 0)
        fail("cannot apply the software parameters", e);

    format_ = {cfg_.sample_rate, cfg_.channels};
}

void AlsaSource::convert(const std::uint8_t* raw, std::size_t samples, std::int32_t* out) const {
    switch (sample_format_) {
    case SND_PCM_FORMAT_S16_LE:
        for (std::size_t i = 0; i < samples; ++i) {
            std::int16_t v;
            std::memcpy(&v, raw + i * 2, 2);
            out[i] = static_cast<std::int32_t>(static_cast<std::uint32_t>(v) << 16);
        }
        break;
    case SND_PCM_FORMAT_S32_LE:
        std::memcpy(out, raw, samples * 4);
        break;
    case SND_PCM_FORMAT_S24_3LE:
        for (std::size_t i = 0; i < samples; ++i) {
            const auto* p = raw + i * 3;
            const std::uint32_t v = (std::uint32_t(p[0]) << 8) | (std::uint32_t(p[1]) << 16) |
                                    (std::uint32_t(p[2]) << 24);
            out[i] = static_cast<std::int32_t>(v);
        }
        break;
    default: // S24_LE: 24 bits in the low bytes of 32
        for (std::size_t i = 0; i < samples; ++i) {
            std::uint32_t v;
            std::memcpy(&v, raw + i * 4, 4);
            out[i] = static_cast<std::int32_t>(v << 8);
        }
        break;
    }
}

PcmRead AlsaSource::read(std::span<std::int32_t> buffer, std::stop_token stop) {
    snd_pcm_t* pcm = pcm_.get();
    const auto ch = static_cast<std::size_t>(format_.channels);
    const auto frames_wanted = buffer.size() / ch;
    raw_.resize(buffer.size() * bytes_per_sample_);
    bool overrun = false;
    double waiting_since = mono_now();
    while (!stop.stop_requested()) {
        snd_pcm_sframes_t n = snd_pcm_readi(pcm, raw_.data(), frames_wanted);
        if (n == -EAGAIN) {
            if (mono_now() - waiting_since > kStallSeconds) {
                throw SourceError(cat(describe(), " delivered no audio for ", kStallSeconds,
                                      " s; the device or the program feeding it has stopped"));
            }
            const int w = snd_pcm_wait(pcm, 200);
            if (w >= 0)
                continue;
            n = w;
        }
        if (n == -EPIPE || n == -ESTRPIPE) {
            ++xruns_;
            overrun = true;
            if (xrun_log_.allow()) {
                log_.warning(n == -EPIPE ? "overrun: audio was lost because it was not read in time"
                                         : "the device was suspended; audio was lost",
                             " (", xruns_, " so far",
                             xrun_log_.suppressed()
                                 ? cat(", ", xrun_log_.suppressed(), " not logged")
                                 : std::string(),
                             "); the machine may be overloaded or the disk too slow");
            }
            if (const int e = snd_pcm_recover(pcm, static_cast<int>(n), 1); e < 0) {
                throw SourceError(
                    cat(describe(), ": cannot recover from an overrun: ", alsa_message(e)));
            }
            snd_pcm_start(pcm);
            waiting_since = mono_now();
            continue;
        }
        if (n < 0) {
            const auto err = static_cast<int>(n);
            if (err == -ENODEV || err == -EIO || err == -EBADFD || err == -ENOTTY) {
                throw SourceError(cat(describe(), " stopped working: ", alsa_message(err),
                                      " (unplugged or reset?); will retry"));
            }
            throw SourceError(cat(describe(), ": capture failed: ", alsa_message(err)));
        }
        if (n == 0)
            continue;
        const auto frames = static_cast<std::size_t>(n);
        convert(raw_.data(), frames * ch, buffer.data());
        const auto avail = snd_pcm_avail(pcm);
        return {frames, avail > 0 ? static_cast<std::uint64_t>(avail) : 0, mono_now(), overrun};
    }
    return {};
}

} // namespace isr::rec
