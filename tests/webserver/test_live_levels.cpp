// Levels of files being recorded (decoded incrementally) and of files isrd left unfinished
// (only the tail decoded): each answer equals a full decode of what is there.
#include "common/analysis_cache_paths.hpp"
#include "common/file_util.hpp"
#include "common/levels/levels_file.hpp"
#include "recorder/writer/pcm_file_writer.hpp"
#include "tests/recorder/scratch_dir.hpp"
#include "webserver/analysis/analysis_service.hpp"
#include "webserver/analysis/levels.hpp"
#include "webserver/analysis/live_levels.hpp"
#include "webserver/work_pool.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <thread>
#include <vector>

#include <sys/stat.h>

using namespace isr;
using namespace isr::web;
namespace fs = std::filesystem;

namespace {

constexpr int kRate = 16000;
constexpr int kChannels = 2;
constexpr std::int64_t kWindow = 1600;
constexpr std::int64_t kFlacBlock = 4096; // a live FLAC ends before its last (maybe partial) frame

// 16-bit stereo: quiet noise with a loud burst from 2.0 to 3.0 s and from 7.5 to 8.5 s.
std::vector<std::int16_t> signal(std::int64_t frames) {
    std::vector<std::int16_t> s(static_cast<std::size_t>(frames * kChannels));
    std::uint32_t lcg = 12345;
    for (std::int64_t f = 0; f < frames; ++f) {
        const double t = static_cast<double>(f) / kRate;
        const bool loud = (t >= 2.0 && t < 3.0) || (t >= 7.5 && t < 8.5);
        for (int c = 0; c < kChannels; ++c) {
            lcg = lcg * 1664525u + 1013904223u;
            const int noise = static_cast<int>(lcg >> 24) - 128; // about -48 dBFS
            const int tone = loud ? static_cast<int>(12000 * std::sin(t * 2 * M_PI * 440)) : 0;
            s[static_cast<std::size_t>(f * kChannels + c)] =
                static_cast<std::int16_t>(noise + tone);
        }
    }
    return s;
}

// The levels of the first `frames` frames, decoded as a whole (16-bit samples / 32768).
std::vector<float> expected_windows(const std::vector<std::int16_t>& s, std::int64_t frames) {
    std::vector<float> f(static_cast<std::size_t>(frames * kChannels));
    for (std::size_t i = 0; i < f.size(); ++i)
        f[i] = static_cast<float>(s[i]) / 32768.0f;
    WindowAccumulator acc(kRate, kChannels);
    std::vector<float> out;
    acc.add(f.data(), static_cast<std::size_t>(frames), out);
    if (const auto tail = acc.finish())
        out.push_back(*tail);
    return out;
}

void check_same(const std::vector<float>& got, const std::vector<float>& want) {
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("window " << i);
        CHECK(got[i] == Approx(want[i]).margin(0.01));
    }
}

// A recording written in steps as isrd does (PcmFileWriter, flushed after each step).
struct GrowingFile {
    rec::PcmFileWriter writer;
    std::vector<std::int16_t> samples;
    std::int64_t written = 0;

    GrowingFile(const fs::path& dir, const std::string& format, std::int64_t frames)
        : writer(create_unique_file(dir, "live", rec::PcmFileWriter::extension(format)),
                 rec::PcmFileSpec{format, kRate, kChannels, 16, 5}),
          samples(signal(frames)) {}

    void append(std::int64_t frames) {
        std::vector<std::int32_t> wide(static_cast<std::size_t>(frames * kChannels));
        for (std::size_t i = 0; i < wide.size(); ++i)
            wide[i] = std::int32_t{samples[static_cast<std::size_t>(written * kChannels) + i]}
                      << 16;
        writer.write(wide);
        writer.flush();
        written += frames;
    }
    std::uint64_t inode() const {
        struct stat st {};
        REQUIRE(::stat(writer.path().c_str(), &st) == 0);
        return static_cast<std::uint64_t>(st.st_ino);
    }
};

} // namespace

TEST_CASE("live levels: each step equals a full decode of what is there, decoding only what was "
          "appended",
          "[web][live]") {
    for (const std::string format : {"wav", "flac"}) {
        INFO(format);
        test::ScratchDir dir("isr-live-levels");
        GrowingFile file(dir.path, format, 12 * kRate);
        const auto path = file.writer.path();
        const auto no_levels_file = dir.path / "none.levels";
        LiveLevels live;
        const std::int64_t steps[] = {37000, 20000, 1, 30517, 0, 50000, 44000};
        std::uint64_t decoded_before = 0;
        for (const auto step : steps) {
            file.append(step);
            INFO("after " << file.written << " frames");
            const auto levels = live.levels("live", path, file.inode(), no_levels_file);
            const auto frames = std::llround(levels->duration * kRate);
            // WAV: every frame written; FLAC: all but the frame the encoder is still filling and
            // the last one on disk (not known to be complete).
            if (format == "wav")
                CHECK(frames == file.written);
            else
                CHECK(frames >= file.written - 2 * kFlacBlock);
            CHECK(frames <= file.written);
            check_same(levels->db, expected_windows(file.samples, frames));
            // A fresh reader decoding it all agrees.
            LiveLevels fresh;
            check_same(fresh.levels("live", path, file.inode(), no_levels_file)->db, levels->db);
            CHECK(fresh.frames_decoded() == static_cast<std::uint64_t>(frames));
            // Only the appended part, and the partial window before it, was decoded again.
            const auto decoded = live.frames_decoded() - decoded_before;
            decoded_before = live.frames_decoded();
            CHECK(decoded <= static_cast<std::uint64_t>(step + kWindow + 2 * kFlacBlock));
        }
        // Twelve seconds in seven steps cost about one decode of the file, not seven.
        CHECK(live.frames_decoded() < static_cast<std::uint64_t>(file.written + 7 * kWindow));
        // The bursts are found in the live levels.
        const auto levels = live.levels("live", path, file.inode(), no_levels_file);
        const auto floor = noise_floor(levels->db, levels->window_seconds);
        const auto sections = find_sections(levels->db, floor, levels->window_seconds, {});
        REQUIRE(sections.size() == 2);
        CHECK(sections[0].start == Approx(2.0).margin(0.11));
        CHECK(sections[1].end == Approx(8.5).margin(0.11));
        // A file no longer recorded is forgotten.
        CHECK(live.files() == 1);
        live.retain({});
        CHECK(live.files() == 0);
    }
}

TEST_CASE("concurrent requests for one live file decode it once", "[web][live]") {
    test::ScratchDir dir("isr-live-concurrent");
    GrowingFile file(dir.path, "wav", 20 * kRate);
    file.append(20 * kRate);
    LiveLevels live;
    std::vector<std::shared_ptr<const Levels>> got(4);
    {
        std::vector<std::jthread> requests;
        for (auto& g : got) {
            requests.emplace_back([&] {
                g = live.levels("live", file.writer.path(), file.inode(), dir.path / "none");
            });
        }
    }
    for (const auto& g : got) {
        REQUIRE(g);
        CHECK(g->db.size() == 200);
    }
    // One decode of the file; the others waited for it and found nothing new.
    CHECK(live.frames_decoded() == static_cast<std::uint64_t>(20 * kRate));
}

TEST_CASE("live levels start from isrd's unfinished levels file of the same file", "[web][live]") {
    test::ScratchDir dir("isr-live-prefix");
    GrowingFile file(dir.path, "wav", 10 * kRate);
    file.append(6 * kRate);
    const auto levels_file = dir.path / "live.levels";
    // isrd's windows for the first 4 s, marked so the test can tell them from decoded ones.
    const std::vector<float> marked(40, -7.0f);
    {
        LevelsAppender appender(levels_file, kRate, kChannels, file.inode());
        appender.append(marked);
    }
    LiveLevels live;
    auto levels = live.levels("live", file.writer.path(), file.inode(), levels_file);
    REQUIRE(levels->db.size() == 60);
    CHECK(levels->db[0] == -7.0f);
    CHECK(levels->db[39] == -7.0f);
    const auto want = expected_windows(file.samples, 6 * kRate);
    CHECK(levels->db[40] == Approx(want[40]).margin(0.01));
    CHECK(live.frames_decoded() == 2 * kRate);
    // The file of another inode (a recording before this one) is not used.
    LiveLevels other;
    levels = other.levels("live", file.writer.path(), file.inode() + 1, levels_file);
    CHECK(levels->db[0] == Approx(want[0]).margin(0.01));
    CHECK(other.frames_decoded() == 6 * kRate);
}

TEST_CASE("an unfinished levels file is completed by decoding only the tail", "[web][live]") {
    for (const std::string format : {"wav", "flac"}) {
        INFO(format);
        test::ScratchDir dir("isr-tail");
        GrowingFile file(dir.path, format, 9 * kRate + 123);
        file.append(9 * kRate + 123);
        const auto inode = file.inode();
        REQUIRE_FALSE(file.writer.close());
        const auto path = file.writer.path();
        const auto want = expected_windows(file.samples, file.written);
        Levels prefix;
        prefix.sample_rate = kRate;
        prefix.channels = kChannels;
        prefix.db.assign(30, -7.0f); // isrd's first 3 s, marked
        WorkPool pool("test", 2);
        const auto c = LevelsComputation::start(path, pool, 2, &prefix);
        const auto levels = c->get();
        CHECK(c->resumed_at() == 30 * kWindow);
        CHECK(c->frames_decoded() == file.written - 30 * kWindow);
        REQUIRE(levels->db.size() == want.size());
        CHECK(levels->db[29] == -7.0f);
        for (std::size_t i = 30; i < want.size(); ++i)
            CHECK(levels->db[i] == Approx(want[i]).margin(0.01));
        CHECK(levels->duration == Approx(static_cast<double>(file.written) / kRate));
        // A prefix covering the whole file: its last window is decoded again (a seek to the
        // very end fails in FLAC) and the rest taken as it is.
        {
            test::ScratchDir exact_dir("isr-tail-exact");
            GrowingFile exact(exact_dir.path, format, 5 * kRate);
            exact.append(5 * kRate);
            REQUIRE_FALSE(exact.writer.close());
            Levels whole = prefix;
            whole.db.assign(50, -7.0f);
            const auto all = LevelsComputation::start(exact.writer.path(), pool, 2, &whole);
            const auto got = all->get();
            REQUIRE(got->db.size() == 50);
            CHECK(got->db[48] == -7.0f);
            CHECK(got->db[49] ==
                  Approx(expected_windows(exact.samples, 5 * kRate)[49]).margin(0.01));
            CHECK(all->resumed_at() == 49 * kWindow);
            CHECK(all->frames_decoded() == kWindow);
        }
        // A prefix longer than the file, or of another rate, is not used.
        prefix.db.assign(want.size() + 5, -7.0f);
        const auto longer = LevelsComputation::start(path, pool, 2, &prefix);
        check_same(longer->get()->db, want);
        CHECK(longer->resumed_at() == 0);

        // Through the service: isrd's unfinished file (of this inode) is completed and written
        // back complete for the file's key; the next answer needs no decode.
        const auto analyses = dir.path / "analyses";
        const auto name = path.filename().string();
        {
            LevelsAppender appender(levels_path(analyses, name), kRate, kChannels, inode);
            appender.append(std::vector<float>(30, -7.0f));
        }
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        AnalysisService service(analyses, pool, 2);
        auto out = service.analyze(name, path, file_key(st), inode, {});
        CHECK_FALSE(out.levels_cached);
        CHECK(out.levels->db[0] == -7.0f);
        const auto written = read_levels_file(levels_path(analyses, name));
        REQUIRE(written);
        CHECK(written->complete_for(file_key(st)));
        CHECK(written->levels.db.size() == want.size());
        CHECK(service.analyze(name, path, file_key(st), inode, {}).levels_cached);
    }
}
