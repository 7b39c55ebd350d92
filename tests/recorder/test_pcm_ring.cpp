// PcmRing: the last N seconds at the source's format, copied out while capture goes on.
#include "recorder/replay/pcm_ring.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using namespace isr::rec;

namespace {

// A ramp: frame n of channel c holds (n * 2 + c) in its top 16 bits, so any copied frame says
// which it is.
std::vector<std::int32_t> ramp(std::uint64_t first, std::size_t frames, int channels) {
    std::vector<std::int32_t> out;
    for (std::size_t i = 0; i < frames; ++i)
        for (int c = 0; c < channels; ++c)
            out.push_back(static_cast<std::int32_t>(
                static_cast<std::uint32_t>(((first + i) * 2 + static_cast<unsigned>(c)) & 0xffff)
                << 16));
    return out;
}

std::uint64_t frame_number(const std::vector<std::int32_t>& samples, std::size_t frame,
                           int channels) {
    return static_cast<std::uint32_t>(samples[frame * static_cast<std::size_t>(channels)]) >> 17;
}

} // namespace

TEST_CASE("PcmRing: keeps the last N seconds, 16-bit stored in 2 bytes", "[replay]") {
    PcmRing ring(2.0);
    ring.start({1000, 2, 16});
    CHECK(ring.capacity_bytes() == (2000 + 2000) * 4); // two seconds of slack
    std::uint64_t n = 0;
    for (int i = 0; i < 50; ++i, n += 100)
        ring.write(ramp(n, 100, 2), 100, 100.0 + static_cast<double>(n) / 1000);
    const auto e = ring.extent();
    REQUIRE(e);
    CHECK(e->end == 5000);
    CHECK(e->begin == 3000); // the promise: 2 s
    CHECK(e->end_utc == Approx(105.0));

    const auto clip = ring.copy(0, e->end); // asks for more than there is
    REQUIRE(clip);
    CHECK(clip->first == 3000);
    CHECK(clip->frames() == 2000);
    CHECK(clip->first_utc == Approx(103.0));
    std::vector<std::int32_t> samples;
    clip->samples(0, clip->frames(), samples);
    for (std::size_t i = 0; i < clip->frames(); ++i)
        REQUIRE((frame_number(samples, i, 2) & 0x7fff) == ((3000 + i) & 0x7fff));
    CHECK(samples[1] - samples[0] == (1 << 16)); // channel 1 is channel 0 + 1
}

TEST_CASE("PcmRing: 24-bit audio stays 24-bit and round-trips exactly", "[replay]") {
    PcmRing ring(1.0);
    ring.start({8000, 1, 24});
    CHECK(ring.capacity_bytes() == (8000 + 16000) * 3);
    std::vector<std::int32_t> in;
    for (int i = 0; i < 8000; ++i)
        in.push_back(
            static_cast<std::int32_t>(static_cast<std::uint32_t>(i * 7919 - 4000000) << 8));
    ring.write(in, 8000, 0);
    const auto clip = ring.copy(0, 8000);
    REQUIRE(clip);
    std::vector<std::int32_t> out;
    clip->samples(0, 8000, out);
    CHECK(out == in);
}

TEST_CASE("PcmRing: a restart begins a segment that saves do not cross", "[replay]") {
    PcmRing ring(10.0);
    ring.start({1000, 1, 16});
    ring.write(ramp(0, 3000, 1), 3000, 0);
    ring.start({1000, 1, 16}); // the device reopened: same format, same buffer
    ring.write(ramp(3000, 500, 1), 500, 10);
    auto e = ring.extent();
    REQUIRE(e);
    CHECK(e->begin == 3000);
    auto clip = ring.copy(0, e->end);
    REQUIRE(clip);
    CHECK(clip->frames() == 500);
    CHECK(clip->first_utc == Approx(10.0));
    // Another format: a new buffer.
    ring.start({2000, 2, 16});
    CHECK(ring.capacity_bytes() == (20000 + 4000) * 4);
    CHECK_FALSE(ring.copy(0, 100000)); // nothing in the new segment yet
}

TEST_CASE("PcmRing: a big read is taken a second at a time", "[replay]") {
    PcmRing ring(5.0);
    ring.start({1000, 1, 16});
    ring.write(ramp(0, 4500, 1), 4500, 50);
    const auto clip = ring.copy(1000, 2000);
    REQUIRE(clip);
    CHECK(clip->frames() == 1000);
    CHECK(clip->first_utc == Approx(51.0));
    std::vector<std::int32_t> s;
    clip->samples(0, 1000, s);
    CHECK((frame_number(s, 0, 1) & 0x7fff) == 1000);
    CHECK((frame_number(s, 999, 1) & 0x7fff) == 1999);
}

TEST_CASE("PcmRing: readers copy while the writer goes on, and every copy is continuous",
          "[replay]") {
    PcmRing ring(1.0);
    ring.start({48000, 2, 16});
    std::atomic<bool> done{false};
    std::thread writer([&] {
        // Ten times faster than real time: a reader on a loaded machine may still be lapped,
        // which copy() must then notice (nullopt), never hand out a torn copy.
        std::uint64_t n = 0;
        for (int i = 0; i < 1000; ++i, n += 480) {
            ring.write(ramp(n, 480, 2), 480, static_cast<double>(n) / 48000);
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        done = true;
    });
    int copies = 0;
    std::vector<std::int32_t> s;
    while (!done) {
        const auto e = ring.extent();
        if (!e || e->end < 48000)
            continue;
        const auto clip = ring.copy(e->end - 48000, e->end);
        if (!clip)
            continue; // lapped, and said so
        clip->samples(0, clip->frames(), s);
        for (std::size_t i = 1; i < clip->frames(); ++i)
            REQUIRE((frame_number(s, i, 2) & 0x7fff) == ((frame_number(s, i - 1, 2) + 1) & 0x7fff));
        ++copies;
    }
    writer.join();
    CHECK(copies > 0);
}
