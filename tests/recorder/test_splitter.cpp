// Splitter: boundaries, names, disk failures and new sessions, on injected time (no waiting).
#include "recorder/writer/splitter.hpp"
#include "tests/recorder/scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <cmath>
#include <map>
#include <vector>

using namespace isr;
using namespace isr::rec;
namespace fs = std::filesystem;

namespace {

// What the fake disk does to the next writes and flushes.
struct FakeDisk {
    bool full = false;
};

// A file that counts audio instead of storing it, on a disk that can fill up.
class FakeFile final : public SplitFile {
public:
    FakeFile(CreatedFile created, FakeDisk& disk, std::map<std::string, double>& closed)
        : path_(std::move(created.path)), disk_(disk), closed_(closed) {
        if (disk_.full) {
            fs::remove(path_);
            throw std::system_error(ENOSPC, std::generic_category(), "create " + path_.string());
        }
    }
    void write(double seconds) {
        if (disk_.full)
            throw std::system_error(ENOSPC, std::generic_category(), "write " + path_.string());
        buffered_ += seconds;
    }
    const fs::path& path() const noexcept override { return path_; }
    void flush() override {
        if (disk_.full && buffered_ > 0)
            throw std::system_error(ENOSPC, std::generic_category(), "write " + path_.string());
        on_disk_ += buffered_;
        buffered_ = 0;
    }
    void sync() override { flush(); }
    std::error_code close() noexcept override {
        std::error_code error;
        try {
            flush();
        } catch (const std::system_error& e) {
            error = e.code();
        }
        closed_[path_.filename().string()] = on_disk_;
        if (on_disk_ == 0)
            fs::remove(path_);
        return error;
    }
    double seconds_on_disk() const noexcept override { return on_disk_; }
    bool deleted() const noexcept override { return !fs::exists(path_); }
    // 1000 bytes per second of audio on disk, so that byte counts can be checked.
    std::uint64_t bytes() const noexcept override {
        return static_cast<std::uint64_t>(std::llround(on_disk_ * 1000));
    }

private:
    fs::path path_;
    FakeDisk& disk_;
    std::map<std::string, double>& closed_;
    double buffered_ = 0;
    double on_disk_ = 0;
};

// One source's splitter, fed like a PCM session feeds it: reads of `block` frames at `rate` Hz,
// timed by the test.
struct Pipeline {
    test::ScratchDir dir{"isr-splitter"};
    SourceConfig cfg;
    Logger log{"test", log::Level::error};
    std::shared_ptr<SourceState> state;
    std::shared_ptr<const FileNamer> namer;
    std::shared_ptr<DiskFailure> disk;
    std::unique_ptr<Splitter> splitter;
    FakeDisk fake_disk;
    std::map<std::string, double> closed; // file name -> seconds it keeps
    int rate = 48000;

    // Media time and the clock, as the session would see them.
    std::uint64_t media_frames = 0;
    double wall_at_zero = 0; // UTC of media time 0
    double mono = 1000;      // the monotonic clock
    double last_tick = 0;

    explicit Pipeline(std::int64_t split_seconds, std::string zone = "UTC") {
        cfg.name = "mic";
        cfg.output_directory = dir.path;
        cfg.split.seconds = split_seconds;
        cfg.timezone = std::move(zone);
        cfg.retry_delay_seconds = 5;
        state = std::make_shared<SourceState>(SourceStatus{});
        namer = std::make_shared<FileNamer>(cfg, dir.path);
        disk =
            std::make_shared<DiskFailure>(cfg, state, "capture goes on", [this] { return mono; });
        splitter = std::make_unique<Splitter>(cfg, log, state, namer, disk);
        splitter->set_rate(rate);
    }

    double seconds_of(std::uint64_t frames) const { return static_cast<double>(frames) / rate; }

    // One read of `frames` frames, as PcmSession::process divides it.
    void read(std::size_t frames) {
        std::size_t offset = 0;
        while (offset < frames) {
            const auto frame = media_frames + offset;
            const double wall = wall_at_zero + seconds_of(frame);
            const auto open = [&](CreatedFile created) {
                return std::make_unique<FakeFile>(std::move(created), fake_disk, closed);
            };
            if (!splitter->file() && !splitter->open(seconds_of(frame), wall, mono, ".wav", open))
                break;
            const auto n = splitter->frames_before_boundary(wall, frames - offset, rate);
            if (n == 0) {
                splitter->cut();
                continue;
            }
            splitter->write(seconds_of(n), [&](SplitFile& file) {
                static_cast<FakeFile&>(file).write(seconds_of(n));
            });
            if (!splitter->file())
                break;
            offset += n;
        }
        media_frames += frames;
        mono += seconds_of(frames);
        if (mono - last_tick >= 1.0) {
            last_tick = mono;
            splitter->tick(mono, seconds_of(media_frames));
        }
    }
    // `seconds` of audio in reads of `block` frames.
    void run(double seconds, std::size_t block = 12000) {
        const auto total = static_cast<std::uint64_t>(std::llround(seconds * rate));
        for (std::uint64_t done = 0; done < total; done += block)
            read(static_cast<std::size_t>(std::min<std::uint64_t>(block, total - done)));
    }
    void end() { splitter->end_session(seconds_of(media_frames)); }
};

// 2026-03-29 01:00 UTC: Berlin goes from 02:00 CET to 03:00 CEST.
constexpr double kSpringForward = 1774746000;
// 2026-10-25 01:00 UTC: Berlin goes from 03:00 CEST back to 02:00 CET.
constexpr double kFallBack = 1792890000;

} // namespace

TEST_CASE("Splitter: a boundary inside a read goes to the exact frame", "[splitter]") {
    Pipeline p(10);
    // Reads of 0.25 s starting 0.1 s after a boundary: every boundary falls inside one.
    p.wall_at_zero = 1800000000.1;
    p.run(35, 12000);
    p.end();
    REQUIRE(p.closed.size() == 4);
    std::vector<double> lengths;
    for (const auto& [name, seconds] : p.closed)
        lengths.push_back(seconds);
    CHECK(lengths[0] == Approx(9.9).margin(1e-9));
    CHECK(lengths[1] == Approx(10.0).margin(1e-9)); // 480000 frames, not one more or less
    CHECK(lengths[2] == Approx(10.0).margin(1e-9));
    CHECK(lengths[3] == Approx(5.1).margin(1e-9));
    // The first file is named after its first frame, the others after their boundaries.
    CHECK(p.closed.begin()->first == "20270115_080000.wav");
    CHECK(p.closed.count("20270115_080010.wav") == 1);
    CHECK(p.closed.count("20270115_080030.wav") == 1);
    // status.json counts the files and every byte they got, the last writes before each close too.
    const auto status = p.state->snapshot();
    CHECK(status.files == 4);
    CHECK(status.bytes_total == 35000);
}

TEST_CASE("Splitter: hourly files across the spring DST change", "[splitter]") {
    Pipeline p(3600, "Europe/Berlin");
    p.wall_at_zero = kSpringForward - 1800; // 01:30 CET
    p.run(2 * 3600, 48000);
    p.end();
    REQUIRE(p.closed.size() == 3);
    CHECK(p.closed.at("20260329_013000.wav") == Approx(1800));
    CHECK(p.closed.at("20260329_030000.wav") == Approx(3600)); // 02:00 CET is 03:00 CEST
    CHECK(p.closed.at("20260329_040000.wav") == Approx(1800));
}

TEST_CASE("Splitter: hourly files across the autumn DST change", "[splitter]") {
    Pipeline p(3600, "Europe/Berlin");
    p.wall_at_zero = kFallBack - 5400; // 01:30 CEST
    p.run(3 * 3600, 48000);
    p.end();
    // 02:00 CEST, 02:00 CET (the repeated hour gets a name of its own), 03:00 CET.
    REQUIRE(p.closed.size() == 4);
    CHECK(p.closed.at("20261025_013000.wav") == Approx(1800));
    CHECK(p.closed.at("20261025_020000.wav") == Approx(3600));
    CHECK(p.closed.at("20261025_030000.wav") == Approx(1800));
    double total = 0;
    for (const auto& [name, seconds] : p.closed)
        total += seconds;
    CHECK(total == Approx(3 * 3600));
}

TEST_CASE("Splitter: a full disk drops audio, counts it once, and recording resumes",
          "[splitter]") {
    Pipeline p(60);
    p.wall_at_zero = 1800000000;
    p.run(10);
    p.fake_disk.full = true;
    p.run(12); // the flush fails, then retries fail every 5 s
    CHECK(p.splitter->file() == nullptr);
    CHECK(p.state->snapshot().state == RunState::retrying);
    p.fake_disk.full = false;
    p.run(8); // the next retry opens a file; its first flush ends the episode
    p.end();

    const auto status = p.state->snapshot();
    CHECK(status.disk_errors == 1);
    CHECK(status.state == RunState::recording);
    // What was written before the failure survives; the file after it starts at the retry.
    double kept = 0;
    for (const auto& [name, seconds] : p.closed)
        kept += seconds;
    CHECK(status.lost_seconds + kept == Approx(30).margin(0.01));
    CHECK(status.lost_seconds >= 12);
    CHECK(status.lost_seconds <= 12 + 5 + 1.01); // a retry every 5 s, a flush every second
    CHECK(status.lost_frames ==
          static_cast<std::uint64_t>(std::llround(status.lost_seconds * 48000)));
    // The file after the gap is named after its own first audio, not a boundary.
    CHECK(p.closed.size() == 2);
}

TEST_CASE("Splitter: a file deleted while recorded is noticed and its audio counted",
          "[splitter]") {
    Pipeline p(60);
    p.wall_at_zero = 1800000000;
    p.run(5);
    REQUIRE(p.splitter->file() != nullptr);
    fs::remove(p.splitter->file()->path());
    p.run(3);
    p.end();
    const auto status = p.state->snapshot();
    CHECK(status.lost_seconds >= 5);
    CHECK(status.lost_seconds <= 6.01);
    REQUIRE(status.error.has_value());
    CHECK_THAT(*status.error, Catch::Contains("deleted"));
    CHECK(p.closed.size() == 2); // the deleted one (it keeps nothing anyone has) and the next
}

TEST_CASE("Splitter: a new session starts a new file named after its own first audio",
          "[splitter]") {
    Pipeline p(10);
    p.wall_at_zero = 1800000000;
    p.run(13);
    p.end(); // the connection drops at 13 s
    // The next session: media time from 0 again, 2.5 s later on the wall clock.
    p.media_frames = 0;
    p.wall_at_zero = 1800000000 + 15.5;
    p.run(10);
    p.end();
    REQUIRE(p.closed.size() == 4);
    CHECK(p.closed.at("20270115_080000.wav") == Approx(10));
    CHECK(p.closed.at("20270115_080010.wav") == Approx(3));
    CHECK(p.closed.at("20270115_080015.wav") == Approx(4.5)); // up to the boundary at :20
    CHECK(p.closed.at("20270115_080020.wav") == Approx(5.5));
    CHECK(p.state->snapshot().lost_seconds == 0);
}

TEST_CASE("Splitter: a runt can skip its boundary, and a file can end off schedule", "[splitter]") {
    Pipeline p(10);
    p.wall_at_zero = 1800000009.5;
    p.run(0.25);
    REQUIRE(p.splitter->file() != nullptr);
    const auto boundary = p.splitter->next_boundary();
    p.splitter->skip_boundary(); // what a stream session does with a file of a few frames
    CHECK(p.splitter->next_boundary() == boundary + 10);
    p.run(5);
    p.splitter->end_file(); // the codec changed
    p.run(1);
    p.end();
    REQUIRE(p.closed.size() == 2);
    CHECK(p.closed.at("20270115_080009.wav") == Approx(5.25));
    CHECK(p.closed.at("20270115_080014.wav") == Approx(1)); // 14.75 s, floored
}
