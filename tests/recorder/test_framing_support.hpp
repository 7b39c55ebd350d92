#pragma once

#include "recorder/stream/framing/framer.hpp"
#include "recorder/stream/framing/ogg_page.hpp"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

// Helpers shared by the framing tests: real streams made by ffmpeg, fed in random chunks.
namespace isr::rec::framing::test {

using Bytes = std::vector<std::uint8_t>;

// A directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

Bytes read_bytes(const std::filesystem::path& file);
void write_bytes(const std::filesystem::path& file, std::span<const std::uint8_t> bytes);

// Encodes `seconds` of a 440 Hz sine (or another lavfi `source`, e.g. "sine=frequency=440:
// beep_factor=4" for transients) with the given ffmpeg output options (e.g.
// "-ac 2 -ar 44100 -c:a libmp3lame -b:a 128k -f mp3") and returns the file's bytes. Results
// are cached for the test run, so tables may repeat a stream cheaply.
const Bytes& encode(const std::string& output_options, double seconds = 3.0,
                    const std::string& source = "sine=frequency=440");

// ffprobe's format duration of a file, in seconds.
double probe_duration(const std::filesystem::path& file);
// What `ffmpeg -v error -i FILE -f null -` prints: empty when the file decodes cleanly.
std::string decode_errors(const std::filesystem::path& file);
// Decodes a file once: what ffmpeg prints at level "error" (empty when clean) and the seconds
// of audio it decoded (for files whose header gives no length).
struct Decoded {
    std::string errors;
    double seconds = 0;
};
Decoded decode(const std::filesystem::path& file);

// Pushes `bytes` in random chunks of 1..max_chunk bytes, collecting every unit.
std::vector<Unit> feed(Framer& framer, std::span<const std::uint8_t> bytes, std::size_t max_chunk,
                       unsigned seed = 1);
Bytes concat(const std::vector<Unit>& units);
// Feeds a whole stream from its first byte, checking that the framer syncs at once, skips
// nothing and gives the stream back in order. Returns the units and the bytes still pending
// (the last unit, which is complete only once the next one starts).
struct Fed {
    std::vector<Unit> units;
    Bytes tail;
};
Fed feed_from_start(Framer& framer, std::span<const std::uint8_t> stream, std::size_t max_chunk);
double total_duration(const std::vector<Unit>& units);

// Every page in `bytes`, which must consist of valid pages only (each CRC is checked); the
// pages' spans point into `bytes`.
std::vector<OggPage> pages_of(std::span<const std::uint8_t> bytes);

// bytes[from, from + n)
Bytes slice(std::span<const std::uint8_t> bytes, std::size_t from, std::size_t n = SIZE_MAX);
// Random bytes from a fixed seed.
Bytes noise(std::size_t n, unsigned seed = 7);

// The bytes of `units` with `junk` after unit `k`, then `tail` (the start of one more unit, so
// the last whole one is known to be complete).
Bytes with_junk_after(const std::vector<Unit>& units, std::size_t k, const Bytes& junk,
                      const Bytes& tail);
// Checks that `got` are `expected` unit for unit, and that the framer skipped `junk` as junk,
// in one resync.
void check_junk_skipped(const Framer& framer, const std::vector<Unit>& got,
                        const std::vector<Unit>& expected, const Bytes& junk);

} // namespace isr::rec::framing::test
