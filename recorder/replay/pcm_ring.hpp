#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

namespace isr::rec {

// The last N seconds of a PCM source, in RAM, at the source's own sample format (16-bit
// samples take 2 bytes, 24-bit ones 3, never widened): 60 s of 48 kHz stereo 16-bit is 11 MB.
//
// One writer (the capture thread) and any number of readers (saves, on their own threads). The
// writer never waits for a reader: it copies a read into the part of the ring no reader may be
// copying from, then publishes the new end under a lock held for a few instructions; a reader
// takes the published end under that lock and copies what lies before it without the lock. The
// ring holds two seconds more than it promises, so a reader has a second to copy before the
// writer (one read, at most a second, ahead) comes round to the audio it is reading — far longer
// than copying a minute of audio takes; a reader slower than that anyway (a machine swapping)
// notices and copies again.
//
// Positions are frame counts since the ring was made (they never go back): a save remembers
// where it ended, so the next one can start there. A restarted capture (a device reopened, a
// pause) begins a new segment; a save never joins audio across segments.
class PcmRing {
public:
    struct Format {
        int rate = 0;
        int channels = 0;
        int bit_depth = 16; // 16 | 24 | 32
        bool operator==(const Format&) const = default;
    };

    // Room for `seconds` of audio once the format is known.
    explicit PcmRing(double seconds) : seconds_(seconds) {}

    // --- the writer (the capture thread)
    // Capture (re)starts in `format`: a new segment begins. The buffer is allocated here the
    // first time, and again only when the format changes (another device rate, say).
    void start(const Format& format);
    // Appends `frames` interleaved 32-bit samples (full scale ±2^31), the first of them
    // captured at `utc`.
    void write(std::span<const std::int32_t> samples, std::size_t frames, double utc);

    // --- readers
    struct Clip {
        Format format;
        std::uint64_t first = 0;         // position of its first frame
        std::uint64_t end = 0;           // position after its last frame
        double first_utc = 0;            // when its first frame was captured
        std::vector<std::uint8_t> bytes; // interleaved, little endian, format.bit_depth wide
        std::size_t frames() const noexcept { return static_cast<std::size_t>(end - first); }
        double seconds() const noexcept {
            return format.rate > 0 ? static_cast<double>(frames()) / format.rate : 0;
        }
        // Samples [from, from + count) frames as 32-bit full scale, for a file writer.
        void samples(std::size_t from, std::size_t count, std::vector<std::int32_t>& out) const;
    };
    // The audio from position `from` (clamped to what the ring and the current segment hold) to
    // position `to` (clamped to what has been written). nullopt when nothing is there.
    std::optional<Clip> copy(std::uint64_t from, std::uint64_t to) const;

    // The current segment: its first position, the position after its last frame, the capture
    // time of that end. Consistent with each other.
    struct Extent {
        Format format;
        std::uint64_t begin = 0; // the oldest position still held (or the segment's first)
        std::uint64_t end = 0;
        double end_utc = 0;
    };
    std::optional<Extent> extent() const;

    double seconds() const noexcept { return seconds_; }
    // Bytes allocated for the buffer.
    std::size_t capacity_bytes() const;

    static std::size_t frame_bytes(const Format& f) noexcept {
        return static_cast<std::size_t>(f.channels) * static_cast<std::size_t>(f.bit_depth / 8);
    }

private:
    struct Buffer {
        Format format;
        std::vector<std::uint8_t> bytes;
        std::uint64_t frames = 0;
    };
    void write_piece(std::span<const std::int32_t> samples, std::size_t frames, double utc);
    std::optional<Clip> copy_once(std::uint64_t from, std::uint64_t to, bool& overrun) const;

    double seconds_;
    // Published state. A reader keeps the buffer alive while it copies (start() may replace it).
    mutable std::mutex mutex_;
    std::shared_ptr<Buffer> buffer_;
    std::uint64_t promised_ = 0; // frames a reader may ask for: seconds_ worth
    std::uint64_t segment_begin_ = 0;
    std::uint64_t end_ = 0;
    double end_utc_ = 0;
};

} // namespace isr::rec
