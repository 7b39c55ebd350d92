// isrd's record-time levels of streams (levels = yes): a real Icecast fed by ffmpeg in every
// stream format isrd records, each file's levels compared with isr-web's decode of the file.
#include "common/analysis_cache_paths.hpp"
#include "common/levels/levels_file.hpp"
#include "tests/integration/support/audio_files.hpp"
#include "tests/integration/support/icecast.hpp"
#include "tests/integration/support/isrd_run.hpp"
#include "tests/integration/support/levels_match.hpp"
#include "tests/integration/support/web_fixture.hpp"
#include "webserver/analysis/levels.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST_CASE("Stream levels: every format's files get levels at record time that match isr-web's "
          "decode of the file",
          "[integration][stream][stream_levels]") {
    IsrdRun run;
    IcecastServer icecast(run.dir / "icecast");
    struct Format {
        std::string name;
        std::string mount;
        std::string ext;
    };
    const std::vector<Format> formats = {
        {"mp3", "/live.mp3", ".mp3"},      {"aac", "/live.aac", ".aac"},
        {"vorbis", "/vorbis.ogg", ".ogg"}, {"opus", "/opus.ogg", ".opus"},
        {"flac", "/flac.ogg", ".ogg"},
    };
    // A quiet tone with a loud burst of 1.5 s every 5 s: sections for the analysis to find.
    const std::string signal = "(0.02+0.5*lt(mod(t\\,5)\\,1.5))*sin(2*PI*440*t)";
    std::vector<std::unique_ptr<FfmpegSource>> feeders;
    std::string sources;
    for (const auto& f : formats) {
        feeders.push_back(std::make_unique<FfmpegSource>(
            icecast, f.mount, f.name, run.dir / ("ffmpeg-" + f.name + ".log"), signal));
        sources += "[" + f.name + "]\ntype = stream\nurl = " + icecast.url(f.mount) + "\n";
    }
    // The same MP3 mount without levels: none are written.
    sources += "[off]\ntype = stream\nlevels = no\nurl = " + icecast.url("/live.mp3") + "\n";
    std::this_thread::sleep_for(3s);
    run.write_config("split_interval = 10s", sources);
    run.start();
    for (const auto& f : formats)
        REQUIRE(run.wait_for_state(f.name, "recording", 15s));
    std::this_thread::sleep_for(22s);
    REQUIRE(run.process->stop() == 0);

    const auto analyses = run.recordings / std::string(kDefaultAnalysesFolder);
    for (const auto& f : formats) {
        INFO("format " << f.name);
        const auto files = files_with_extension(run.recordings / f.name, f.ext);
        REQUIRE(files.size() >= 2);
        for (const auto& file : files) {
            INFO("file " << file.filename());
            const auto name = fs::relative(file, run.recordings).string();
            const auto recorded = read_levels_file(levels_path(analyses, name));
            REQUIRE(recorded);
            CHECK(recorded->stamp.recorded);
            struct stat st {};
            REQUIRE(::stat(file.c_str(), &st) == 0);
            CHECK(recorded->complete_for(file_key(st)));
            const auto decoded = web::compute_levels(file);
            CHECK(recorded->levels.sample_rate == decoded->sample_rate);
            CHECK(recorded->levels.channels == decoded->channels);
            // The first and the last window (0.1 s) are left out: a file cut from a stream
            // begins with an MP3 frame whose bit reservoir is in the file before (decoders fill
            // the gap differently), and mpg123 and libavcodec end an MP3 file differently (the
            // last, partial window held 0.1 dB apart). Every other window must agree.
            CHECK(levels_mismatch(recorded->levels.db, decoded->db, 1) == "");
        }
    }
    // isr-web answers from isrd's levels: nothing is decoded.
    WebServer web(run.recordings);
    for (const auto& f : formats) {
        const auto files = files_with_extension(run.recordings / f.name, f.ext);
        const auto name = fs::relative(files.front(), run.recordings).string();
        INFO("file " << name);
        const auto r = web.get("/api/analyze?file=" + name);
        REQUIRE(r.status == 200);
        CHECK(parse_json(r.body)["cached"].GetBool());
    }
    CHECK_FALSE(fs::exists(analyses / "off"));
    CHECK(files_with_extension(run.recordings / "off", ".mp3").size() >= 2);
}
