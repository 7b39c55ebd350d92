#pragma once

#include <cstdint>
#include <span>
#include <stop_token>
#include <string>

namespace isr::rec {

struct PcmFormat {
    int rate = 44100;
    int channels = 2;
};

// What one read delivered, and when: the observation the session anchors its clock to.
struct PcmRead {
    std::size_t frames = 0;    // frames written into the buffer
    std::uint64_t pending = 0; // frames captured but not yet read (still in the device buffer)
    double mono_seconds = 0;   // monotonic time when the read completed
    bool overrun = false;      // frames were lost before this read (xrun recovered)
};

// A source of interleaved 32-bit PCM (full scale ±2^31, whatever the device's bit depth):
// an ALSA capture device or the generator. Used from the source's thread only.
class PcmSource {
public:
    virtual ~PcmSource() = default;

    // Opens and starts capture. Throws SourceError with a message naming the device.
    virtual void open() = 0;
    // Valid after open(): the negotiated rate and channels.
    virtual PcmFormat format() const = 0;
    // Blocks until at least one frame is available or stop is requested (then returns 0
    // frames). `buffer.size()` is a multiple of the channel count. Throws SourceError.
    virtual PcmRead read(std::span<std::int32_t> buffer, std::stop_token stop) = 0;
    // Overruns recovered since open().
    virtual std::uint64_t xruns() const noexcept = 0;
    // "ALSA device hw:1,0", "generator (seed 7)": for status.json's `input`.
    virtual std::string describe() const = 0;
};

} // namespace isr::rec
