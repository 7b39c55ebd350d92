// Record-time levels through the real PCM path (PcmSession, Splitter, PcmFileWriter, libsndfile)
// against a decode of the same files by isr-web: the same windows, the same sections.
#include "common/analysis_cache_paths.hpp"
#include "common/levels/levels_file.hpp"
#include "common/levels/loudness.hpp"
#include "recorder/levels/pcm_to_float.hpp"
#include "recorder/pcm/pcm_session.hpp"
#include "recorder/writer/pcm_file_writer.hpp"
#include "tests/recorder/scratch_dir.hpp"
#include "webserver/analysis/levels.hpp"

#include <catch2/catch.hpp>

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <random>

#include <fcntl.h>
#include <sys/stat.h>

using namespace isr;
using namespace isr::rec;
namespace fs = std::filesystem;

namespace {

// Noise at about -50 dBFS with loud bursts (+30 dB), delivered
// as fast as it is read; media time runs ahead of the wall clock, which the session's clock
// follows (splits fall on media seconds). Asks the session to stop after `total` frames.
class FastSource final : public PcmSource {
public:
    FastSource(int rate, int channels, std::uint64_t total, std::stop_source stop)
        : format_{rate, channels}, total_(total), stop_(std::move(stop)) {}
    void open() override { start_ = mono_now(); }
    PcmFormat format() const override { return format_; }
    PcmRead read(std::span<std::int32_t> buffer, std::stop_token) override {
        if (frame_ >= total_) {
            stop_.request_stop();
            return {};
        }
        const auto ch = static_cast<std::size_t>(format_.channels);
        const auto frames =
            std::min<std::uint64_t>(buffer.size() / ch / 3 + 17, total_ - frame_); // odd sizes
        std::uniform_int_distribution<std::int32_t> noise(-(1 << 26), 1 << 26);
        for (std::uint64_t i = 0; i < frames; ++i, ++frame_) {
            const double t = static_cast<double>(frame_) / format_.rate;
            // Half of every second loud: a whole 2 s file has at least eight quiet windows (its
            // background) and loud ones spanning more than min_duration: a section.
            const bool loud = std::fmod(t, 1.0) < 0.5;
            for (std::size_t c = 0; c < ch; ++c) {
                // Every bit set somewhere, so quantization to 16 and 24 bits matters.
                const auto v = static_cast<std::int64_t>(noise(rng_)) / (loud ? 1 : 32);
                buffer[i * ch + c] = static_cast<std::int32_t>(v);
            }
        }
        return {static_cast<std::size_t>(frames), 0,
                start_ + static_cast<double>(frame_) / format_.rate, false};
    }
    std::uint64_t xruns() const noexcept override { return 0; }
    std::string describe() const override { return "fast test source"; }

private:
    PcmFormat format_;
    std::uint64_t total_;
    std::stop_source stop_;
    std::uint64_t frame_ = 0;
    double start_ = 0;
    std::mt19937 rng_{7};
};

SourceConfig config_for(const fs::path& dir, const std::string& format, int bits) {
    SourceConfig cfg;
    cfg.name = "t";
    cfg.type = SourceType::generator;
    cfg.output_directory = dir;
    cfg.analyses_directory = dir / "analyses";
    cfg.split = SplitInterval{2};
    cfg.filename_pattern = "{source}/%H%M%S";
    cfg.format = format;
    cfg.bit_depth = bits;
    cfg.sample_rate = 48000;
    cfg.channels = 2;
    return cfg;
}

std::vector<fs::path> recordings(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir / "t"))
        out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

void record(const SourceConfig& cfg, std::uint64_t frames) {
    auto state = std::make_shared<SourceState>(SourceStatus{});
    auto namer = std::make_shared<const FileNamer>(cfg, cfg.output_directory);
    auto disk = std::make_shared<DiskFailure>(cfg, state, "capture goes on");
    std::stop_source stop;
    PcmSession session(cfg,
                       std::make_unique<FastSource>(cfg.sample_rate, cfg.channels, frames, stop),
                       state, namer, disk);
    session.run(stop.get_token());
}

} // namespace

TEST_CASE("samples as float exactly as libsndfile reads them back from 16- and 24-bit files",
          "[recorder][levels]") {
    test::ScratchDir dir("isr-pcmfloat");
    std::mt19937 rng(11);
    std::uniform_int_distribution<std::int32_t> any(INT32_MIN, INT32_MAX);
    std::vector<std::int32_t> samples(4000);
    for (auto& s : samples)
        s = any(rng);
    samples[0] = INT32_MIN;
    samples[1] = INT32_MAX;
    samples[2] = -1;
    samples[3] = 1;
    for (const auto& [format, bits] : {std::pair{"wav", 16}, std::pair{"wav", 24},
                                       std::pair{"flac", 16}, std::pair{"flac", 24}}) {
        INFO(format << " " << bits << " bit");
        const auto path = dir.path / (std::string("x") + std::to_string(bits) + "." + format);
        {
            CreatedFile created{
                path,
                UniqueFd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644))};
            REQUIRE(created.fd);
            PcmFileSpec spec;
            spec.format = format;
            spec.bit_depth = bits;
            spec.rate = 48000;
            spec.channels = 2;
            PcmFileWriter writer(std::move(created), spec);
            writer.write(samples);
            (void)writer.close();
        }
        SF_INFO info{};
        SndFile in(sf_open(path.c_str(), SFM_READ, &info));
        REQUIRE(in);
        std::vector<float> read(samples.size());
        REQUIRE(sf_readf_float(in.get(), read.data(), 2000) == 2000);
        std::vector<float> ours(samples.size());
        pcm_to_float(samples, bits, ours);
        CHECK(std::equal(read.begin(), read.end(), ours.begin())); // bit for bit
    }
}

TEST_CASE("record-time levels of WAV and FLAC, 16 and 24 bit, equal a decode of the files",
          "[recorder][levels]") {
    for (const auto& [format, bits] : {std::pair{"wav", 16}, std::pair{"wav", 24},
                                       std::pair{"flac", 16}, std::pair{"flac", 24}}) {
        INFO(format << " " << bits << " bit");
        test::ScratchDir dir("isr-pcmlevels");
        const auto cfg = config_for(dir.path, format, bits);
        record(cfg, 48000 * 13 / 2); // 6.5 s: split every 2 media seconds into 4 or 5 files
        const auto files = recordings(dir.path);
        REQUIRE(files.size() >= 4);
        std::size_t sections = 0;
        for (const auto& file : files) {
            INFO(file.string());
            const auto name = fs::relative(file, dir.path).generic_string();
            const auto recorded = read_levels_file(levels_path(cfg.analyses_directory, name));
            REQUIRE(recorded);
            struct stat st {};
            REQUIRE(::stat(file.c_str(), &st) == 0);
            CHECK(recorded->complete_for(file_key(st)));
            CHECK(recorded->stamp.recorded);
            const auto decoded = web::compute_levels(file);
            REQUIRE(decoded);
            CHECK(recorded->stamp.frames == std::llround(decoded->duration * 48000));
            REQUIRE(recorded->levels.db.size() == decoded->db.size());
            double worst = 0;
            for (std::size_t i = 0; i < decoded->db.size(); ++i)
                worst = std::max(worst, std::abs(double(recorded->levels.db[i]) - decoded->db[i]));
            CHECK(worst <= 0.01);
            const auto a =
                find_sections(recorded->levels.db, noise_floor(recorded->levels.db, kWindowSeconds),
                              kWindowSeconds, SectionParams{});
            const auto b = find_sections(decoded->db, noise_floor(decoded->db, kWindowSeconds),
                                         kWindowSeconds, SectionParams{});
            REQUIRE(a.size() == b.size());
            for (std::size_t i = 0; i < a.size(); ++i) {
                CHECK(a[i].start == b[i].start);
                CHECK(a[i].end == b[i].end);
                CHECK(a[i].score == Approx(b[i].score).margin(0.02));
            }
            sections += a.size();
        }
        CHECK(sections >= 2); // the comparison saw loud bursts, not just noise
    }
}

TEST_CASE("levels = no writes no levels files, the recordings are the same", "[recorder][levels]") {
    test::ScratchDir dir("isr-nolevels");
    auto cfg = config_for(dir.path, "wav", 16);
    cfg.levels = false;
    record(cfg, 48000);
    CHECK_FALSE(recordings(dir.path).empty());
    CHECK_FALSE(fs::exists(cfg.analyses_directory));
}
