// PcmReplay: what a save takes from the ring, and the files it writes.
#include "recorder/replay/pcm_replay.hpp"
#include "tests/recorder/scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <sndfile.h>

#include <thread>

using namespace isr;
using namespace isr::rec;
namespace fs = std::filesystem;

namespace {

struct Fixture {
    test::ScratchDir dir{"isr-replay"};
    SourceConfig cfg;
    std::vector<SaveName> names;
    std::unique_ptr<PcmReplay> replay;
    std::uint64_t written = 0; // frames fed so far: frame n holds n in its top 16 bits

    Fixture() {
        cfg.name = "mic";
        cfg.format = "wav";
        cfg.bit_depth = 16;
        cfg.replay_seconds = 2;
        replay = std::make_unique<PcmReplay>(cfg, [this](const SaveName& name) {
            names.push_back(name);
            return create_unique_file(dir.path, name.source, name.extension);
        });
        replay->ring().start({1000, 1, 16});
    }
    void feed(double seconds) {
        const auto frames = static_cast<std::size_t>(seconds * 1000);
        std::vector<std::int32_t> samples(frames);
        for (std::size_t i = 0; i < frames; ++i)
            samples[i] = static_cast<std::int32_t>(((written + i) & 0x7fff) << 16);
        replay->ring().write(samples, frames, 100.0 + static_cast<double>(written) / 1000);
        written += frames;
    }
    // The counter values in a saved file.
    static std::vector<int> counters(const fs::path& path) {
        SF_INFO info{};
        SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
        REQUIRE(f != nullptr);
        std::vector<short> s(static_cast<std::size_t>(info.frames));
        sf_read_short(f, s.data(), info.frames);
        sf_close(f);
        return {s.begin(), s.end()};
    }
};

} // namespace

TEST_CASE("PcmReplay: a save is the last N seconds, named from when they began", "[replay]") {
    Fixture f;
    f.feed(3);
    const auto clip = f.replay->save({1.5, "dog", 0, false}, {});
    CHECK(clip.seconds == Approx(1.5));
    CHECK(clip.start_utc == Approx(101.5));
    const auto c = Fixture::counters(clip.path);
    REQUIRE(c.size() == 1500);
    CHECK(c.front() == 1500);
    CHECK(c.back() == 2999);
    REQUIRE(f.names.size() == 1);
    CHECK(f.names[0].label == "dog");
    CHECK(f.names[0].counter == 1);
    CHECK(f.names[0].extension == ".wav");
    // Without seconds: all the ring holds (its 2 s).
    CHECK(f.replay->save({std::nullopt, "", 0, false}, {}).seconds == Approx(2.0));
    CHECK(f.names[1].counter == 2);
}

TEST_CASE("PcmReplay: since_last never repeats or skips a frame", "[replay]") {
    Fixture f;
    f.feed(1);
    const auto a = f.replay->save({0.5, "", 0, true}, {});
    f.feed(0.3);
    const auto b = f.replay->save({std::nullopt, "", 0, true}, {});
    const auto ca = Fixture::counters(a.path);
    const auto cb = Fixture::counters(b.path);
    REQUIRE(cb.size() == 300);
    CHECK(cb.front() == ca.back() + 1);
    // Nothing new since: said so.
    CHECK_THROWS_WITH(f.replay->save({std::nullopt, "", 0, true}, {}),
                      Catch::Contains("no audio since the last save"));
}

TEST_CASE("PcmReplay: post_seconds waits for the audio after the request", "[replay]") {
    Fixture f;
    f.feed(1);
    std::thread capture([&] {
        for (int i = 0; i < 10; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            f.feed(0.1);
        }
    });
    const auto clip = f.replay->save({0.5, "", 0.5, false}, {});
    capture.join();
    const auto c = Fixture::counters(clip.path);
    REQUIRE(c.size() == 1000);
    CHECK(c.front() == 500);
    CHECK(c.back() == 1499);
}

TEST_CASE("PcmReplay: what a save cannot do is said, and a stop abandons a waiting save",
          "[replay]") {
    Fixture f;
    CHECK_THROWS_WITH(f.replay->save({1.0, "", 0, false}, {}),
                      Catch::Contains("mic has captured no audio yet"));
    f.feed(1);
    CHECK_THROWS_WITH(f.replay->save({5.0, "", 0, false}, {}),
                      Catch::Contains("keeps only the last 2.0 s"));
    std::stop_source stop;
    std::thread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        stop.request_stop();
    });
    CHECK_THROWS_WITH(f.replay->save({1.0, "", 3.0, false}, stop.get_token()),
                      Catch::Contains("isrd is stopping"));
    stopper.join();
}

TEST_CASE("PcmReplay: a 24-bit WAV save holds the samples exactly", "[replay]") {
    test::ScratchDir dir{"isr-replay24"};
    SourceConfig cfg;
    cfg.name = "mic";
    cfg.format = "wav";
    cfg.bit_depth = 24;
    cfg.replay_seconds = 1;
    PcmReplay replay(cfg, [&](const SaveName& name) {
        return create_unique_file(dir.path, name.source, name.extension);
    });
    replay.ring().start({8000, 2, 24});
    std::vector<std::int32_t> in;
    for (int i = 0; i < 8000 * 2; ++i)
        in.push_back(static_cast<std::int32_t>(static_cast<std::uint32_t>(i * 7919 - 40000) << 8));
    replay.ring().write(in, 8000, 0);
    const auto clip = replay.save({1.0, "", 0, false}, {});
    SF_INFO info{};
    SNDFILE* f = sf_open(clip.path.c_str(), SFM_READ, &info);
    REQUIRE(f != nullptr);
    CHECK(info.format == (SF_FORMAT_WAV | SF_FORMAT_PCM_24));
    CHECK(info.channels == 2);
    CHECK(info.samplerate == 8000);
    std::vector<int> out(static_cast<std::size_t>(info.frames * 2));
    sf_read_int(f, out.data(), info.frames * 2);
    sf_close(f);
    CHECK(std::vector<std::int32_t>(out.begin(), out.end()) == in);
}
