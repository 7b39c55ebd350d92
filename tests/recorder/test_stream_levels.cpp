// The stream levels decoder (recorder/stream/levels) fed a local file's bytes in random chunks,
// compared with isr-web's decode of the same file.
#include "recorder/stream/levels/stream_levels.hpp"

#include "common/analysis_cache_paths.hpp"
#include "common/levels/levels_file.hpp"
#include "recorder/stream/framing/framer.hpp"
#include "tests/integration/support/levels_match.hpp"
#include "tests/recorder/scratch_dir.hpp"
#include "tests/recorder/test_framing_support.hpp"
#include "webserver/analysis/levels.hpp"

#include <catch2/catch.hpp>

#include <random>

#include <sys/stat.h>

using namespace isr;
using namespace isr::rec;
using isr::rec::framing::test::Bytes;
using isr::rec::framing::test::encode;
using isr::rec::framing::test::write_bytes;
namespace fs = std::filesystem;

namespace {

// A quiet tone with a loud burst of 1.5 s every 5 s: sections for the analysis to find.
const std::string kBursts =
    "aevalsrc=exprs='(0.02+0.5*lt(mod(t\\,5)\\,1.5))*sin(2*PI*440*t)':s=44100";
const std::string kBursts48k =
    "aevalsrc=exprs='(0.02+0.5*lt(mod(t\\,5)\\,1.5))*sin(2*PI*440*t)':s=48000";

// Hands `bytes` to the levels as one recording, in random chunks of 1..max_chunk bytes.
void record(StreamLevels& levels, const fs::path& file, const std::string& name, const Bytes& bytes,
            std::mt19937& random, std::size_t max_chunk = 5000) {
    write_bytes(file, bytes); // the recording exists before its levels begin
    levels.file_opened(file, name, 0);
    std::uniform_int_distribution<std::size_t> chunk(1, max_chunk);
    for (std::size_t at = 0; at < bytes.size();) {
        const auto n = std::min(chunk(random), bytes.size() - at);
        levels.written({bytes.data() + at, n});
        at += n;
    }
}

std::vector<float> decoded_levels(const fs::path& file) {
    return web::compute_levels(file)->db;
}

} // namespace

TEST_CASE("Stream levels: each file's bytes decoded as they come match isr-web's decode",
          "[stream_levels]") {
    struct Format {
        std::string ext;
        std::string options;
        const std::string* source;
    };
    const std::vector<Format> formats = {
        {".mp3", "-ac 2 -c:a libmp3lame -b:a 128k -f mp3", &kBursts},
        {".aac", "-ac 2 -c:a aac -b:a 128k -f adts", &kBursts},
        {".ogg", "-ac 2 -c:a libvorbis -b:a 128k -f ogg", &kBursts},
        {".opus", "-ac 2 -c:a libopus -b:a 96k -f ogg", &kBursts48k},
        {".flac", "-ac 2 -c:a flac -f flac", &kBursts},
    };
    for (const auto& f : formats) {
        INFO("format " << f.ext);
        test::ScratchDir dir;
        const auto analyses = dir.path / "analyses";
        // Two recordings, one after the other, each a whole encoded stream.
        const auto& first = encode(f.options, 11.0, *f.source);
        const auto& second = encode(f.options, 7.0, *f.source);
        std::mt19937 random(7);
        {
            StreamLevels levels(analyses, Logger("test"));
            record(levels, dir.path / ("a" + f.ext), "a" + f.ext, first, random);
            levels.file_closed(dir.path / ("a" + f.ext), 11.0);
            record(levels, dir.path / ("b" + f.ext), "b" + f.ext, second, random);
            levels.file_closed(dir.path / ("b" + f.ext), 7.0);
        }
        for (const std::string name : {"a", "b"}) {
            INFO("file " << name);
            const auto file = dir.path / (name + f.ext);
            const auto recorded = read_levels_file(levels_path(analyses, name + f.ext));
            REQUIRE(recorded);
            CHECK(recorded->stamp.complete);
            CHECK(recorded->stamp.recorded);
            struct stat st {};
            REQUIRE(::stat(file.c_str(), &st) == 0);
            CHECK(recorded->complete_for(file_key(st)));
            CHECK(test::levels_mismatch(recorded->levels.db, decoded_levels(file), 0) == "");
        }
    }
}

TEST_CASE("Stream levels: bytes that do not decode give no levels, and the next file does",
          "[stream_levels]") {
    test::ScratchDir dir;
    const auto analyses = dir.path / "analyses";
    const auto& mp3 = encode("-ac 2 -c:a libmp3lame -b:a 128k -f mp3", 4.0, kBursts);
    const auto& vorbis = encode("-ac 2 -c:a libvorbis -b:a 128k -f ogg", 4.0, kBursts);
    Bytes garbage(100000);
    std::mt19937 random(3);
    for (auto& b : garbage)
        b = static_cast<std::uint8_t>(random());
    // The Ogg Vorbis headers cut short: no audio at all.
    const Bytes truncated(vorbis.begin(), vorbis.begin() + 200);
    {
        StreamLevels levels(analyses, Logger("test"));
        record(levels, dir.path / "garbage.mp3", "garbage.mp3", garbage, random);
        levels.file_closed(dir.path / "garbage.mp3", 4.0);
        record(levels, dir.path / "garbage.ogg", "garbage.ogg", garbage, random);
        levels.file_closed(dir.path / "garbage.ogg", 4.0);
        record(levels, dir.path / "cut.ogg", "cut.ogg", truncated, random);
        levels.file_closed(dir.path / "cut.ogg", 4.0);
        record(levels, dir.path / "good.mp3", "good.mp3", mp3, random);
        levels.file_closed(dir.path / "good.mp3", 4.0);
    }
    CHECK_FALSE(fs::exists(levels_path(analyses, "garbage.mp3")));
    CHECK_FALSE(fs::exists(levels_path(analyses, "garbage.ogg")));
    CHECK_FALSE(fs::exists(levels_path(analyses, "cut.ogg")));
    const auto good = read_levels_file(levels_path(analyses, "good.mp3"));
    REQUIRE(good);
    CHECK(good->stamp.complete);
}

TEST_CASE("Stream levels: a lost file's levels go, an open one's stay unfinished, and a file "
          "that overflows the queue is dropped",
          "[stream_levels]") {
    test::ScratchDir dir;
    const auto analyses = dir.path / "analyses";
    const auto& mp3 = encode("-ac 2 -c:a libmp3lame -b:a 128k -f mp3", 4.0, kBursts);
    const auto& long_mp3 = encode("-ac 2 -c:a libmp3lame -b:a 128k -f mp3", 11.0, kBursts);
    std::mt19937 random(5);
    std::uint64_t dropped = 0;
    {
        // A queue smaller than the long file, which is handed over in one piece.
        StreamLevels levels(analyses, Logger("test"), {}, 150000);
        record(levels, dir.path / "lost.mp3", "lost.mp3", mp3, random);
        levels.file_lost(dir.path / "lost.mp3");
        write_bytes(dir.path / "big.mp3", long_mp3);
        levels.file_opened(dir.path / "big.mp3", "big.mp3", 0);
        levels.written(long_mp3); // in one piece: it cannot fit, whatever was read already
        levels.file_closed(dir.path / "big.mp3", 11.0);
        record(levels, dir.path / "open.mp3", "open.mp3", mp3, random);
        dropped = levels.dropped_files();
    }
    CHECK_FALSE(fs::exists(levels_path(analyses, "lost.mp3")));
    CHECK(dropped == 1);
    CHECK_FALSE(fs::exists(levels_path(analyses, "big.mp3")));
    const auto open = read_levels_file(levels_path(analyses, "open.mp3"));
    REQUIRE(open);
    CHECK_FALSE(open->stamp.complete);
    CHECK(open->levels.db.size() >= 30);
}

TEST_CASE("Stream levels: files cut from a stream the way isrd cuts them match isr-web's decode",
          "[stream_levels]") {
    struct Format {
        std::string framer;
        std::string ext;
        std::string options;
        const std::string* source;
    };
    const std::vector<Format> formats = {
        {"mp3", ".mp3", "-ac 2 -c:a libmp3lame -b:a 128k -f mp3", &kBursts},
        {"aac", ".aac", "-ac 2 -c:a aac -b:a 128k -f adts", &kBursts},
        {"ogg", ".ogg", "-ac 2 -c:a libvorbis -b:a 128k -page_duration 200000 -f ogg", &kBursts},
        {"opus", ".opus", "-ac 2 -c:a libopus -b:a 96k -page_duration 200000 -f ogg", &kBursts48k},
        {"ogg", ".ogg", "-ac 2 -c:a flac -page_duration 200000 -f ogg", &kBursts},
    };
    for (const auto& f : formats) {
        INFO("format " << f.options);
        test::ScratchDir dir;
        const auto analyses = dir.path / "analyses";
        const auto& stream = encode(f.options, 19.0, *f.source);
        auto framer = framing::make_framer(f.framer);
        REQUIRE(framer);
        auto units = framing::test::feed(*framer, stream, 4096);
        while (auto unit = framer->flush())
            units.push_back(std::move(*unit));
        // Three files: from the stream's start, then cut at about 6.3 s and 12.7 s of audio.
        std::vector<std::vector<std::uint8_t>> files(1);
        std::vector<std::size_t> firsts{0};
        double audio = 0;
        for (std::size_t i = 0; i < units.size(); ++i) {
            const double cut = 6.3 * static_cast<double>(files.size());
            if (!units[i].is_header && units[i].cut_ok && audio >= cut && files.size() < 3) {
                files.emplace_back();
                firsts.push_back(i);
            }
            if (!units[i].is_header)
                audio += units[i].duration;
        }
        std::mt19937 random(11);
        {
            StreamLevels levels(analyses, Logger("test"));
            std::size_t at = 0;
            for (std::size_t k = 0; k < firsts.size(); ++k) {
                const auto end = k + 1 < firsts.size() ? firsts[k + 1] : units.size();
                Bytes bytes = framer->begin_file(units[firsts[k]]);
                for (at = firsts[k]; at < end; ++at) {
                    framer->adapt(units[at]);
                    bytes.insert(bytes.end(), units[at].bytes.begin(), units[at].bytes.end());
                }
                const auto name = "f" + std::to_string(k) + f.ext;
                record(levels, dir.path / name, name, bytes, random);
                levels.file_closed(dir.path / name, 6.0);
            }
        }
        for (std::size_t k = 0; k < firsts.size(); ++k) {
            const auto name = "f" + std::to_string(k) + f.ext;
            INFO("file " << name);
            const auto recorded = read_levels_file(levels_path(analyses, name));
            REQUIRE(recorded);
            CHECK(recorded->stamp.complete);
            // All but the first and last window (see test_stream_levels.cpp in integration/).
            CHECK(test::levels_mismatch(recorded->levels.db, decoded_levels(dir.path / name), 1) ==
                  "");
        }
    }
}

TEST_CASE("Stream levels: the live detector gets every window, timed from its file's first audio",
          "[stream_levels]") {
    test::ScratchDir dir;
    const auto& bytes = encode("-ac 1 -c:a flac -f flac", 3.0, kBursts);
    std::vector<std::pair<float, double>> windows;
    std::mt19937 random(3);
    {
        // No levels folder: windows for the detector only, no file written.
        StreamLevels levels({}, Logger("test"), [&windows](float db, double start_utc) {
            windows.emplace_back(db, start_utc);
        });
        write_bytes(dir.path / "a.flac", bytes);
        levels.file_opened(dir.path / "a.flac", "a.flac", 1000.0);
        levels.written({bytes.data(), bytes.size()});
        levels.file_closed(dir.path / "a.flac", 3.0);
        write_bytes(dir.path / "b.flac", bytes);
        levels.file_opened(dir.path / "b.flac", "b.flac", 2000.0);
        levels.written({bytes.data(), bytes.size()});
        levels.file_closed(dir.path / "b.flac", 3.0);
    }
    REQUIRE(windows.size() == 60); // 30 windows of 100 ms per 3 s file
    CHECK(windows[0].second == Approx(1000.0));
    CHECK(windows[29].second == Approx(1002.9));
    CHECK(windows[30].second == Approx(2000.0));
    CHECK(windows[59].second == Approx(2002.9));
    CHECK(windows[0].first > -10.0f);  // the burst
    CHECK(windows[20].first < -20.0f); // the quiet tone
    CHECK_FALSE(fs::exists(dir.path / "a.flac.levels"));
}
