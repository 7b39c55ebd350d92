// isrd recording a real Icecast server (Debian's icecast2 on loopback) fed by ffmpeg.
#include "tests/integration/support/audio_files.hpp"
#include "tests/integration/support/icecast.hpp"
#include "tests/integration/support/isrd_run.hpp"

#include <catch2/catch.hpp>

#include <ctime>
#include <regex>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string stream_source(const std::string& name, const std::string& url,
                          const std::string& extra = "") {
    return "[" + name + "]\ntype = stream\nurl = " + url + "\n" + extra + "\n";
}

// Seconds of the clock time in a file name "…_HHMMSS.ext".
int name_seconds(const fs::path& file) {
    static const std::regex pattern(R"(_(\d\d)(\d\d)(\d\d)(_\d+)?\.)");
    std::smatch m;
    const auto name = file.filename().string();
    if (!std::regex_search(name, m, pattern))
        return -1;
    return std::stoi(m[1]) * 3600 + std::stoi(m[2]) * 60 + std::stoi(m[3]);
}

// Sleeps until `before` ahead of the next multiple of `interval` seconds of the wall clock.
void wait_until_before_boundary(std::chrono::seconds interval, std::chrono::milliseconds before) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    auto wait = interval - now % interval - before;
    if (wait < decltype(wait)::zero())
        wait += interval;
    std::this_thread::sleep_for(wait);
}

} // namespace

TEST_CASE("Icecast streams in five formats split every 10 s, every file playable on its own",
          "[integration][stream]") {
    IsrdRun run;
    IcecastServer icecast(run.dir / "icecast");
    struct Format {
        std::string name;
        std::string mount;
        std::string ext;
        // One MPEG/ADTS frame; for Ogg, cut between packets inside pages, one packet plus what
        // a decoder drops at the start of a file (a Vorbis packet's priming, Opus's pre-skip).
        double frame;
        int granule_rate;
        std::string header; // what an Ogg file's first page must carry
    };
    const std::vector<Format> formats = {
        {"mp3", "/live.mp3", ".mp3", 1152.0 / 44100, 0, ""},
        {"aac", "/live.aac", ".aac", 1024.0 / 44100, 0, ""},
        {"vorbis", "/vorbis.ogg", ".ogg", 2048.0 / 44100, 44100, "\x01vorbis"},
        {"opus", "/opus.ogg", ".opus", 0.02 + 312.0 / 48000, 48000, "OpusHead"},
        {"flac", "/flac.ogg", ".ogg", 4608.0 / 44100, 44100,
         "\x7f"
         "FLAC"},
    };
    std::vector<std::unique_ptr<FfmpegSource>> feeders;
    std::string sources;
    for (const auto& f : formats) {
        feeders.push_back(std::make_unique<FfmpegSource>(icecast, f.mount, f.name,
                                                         run.dir / ("ffmpeg-" + f.name + ".log")));
        sources += stream_source(f.name, icecast.url(f.mount));
    }
    // The hard case: Icecast's whole burst (64 KiB, 4 s of MP3) arrives at connect, and a
    // boundary follows a second later, while the stream clock is still settling.
    std::this_thread::sleep_for(5s);
    run.write_config("split_interval = 10s", sources);
    wait_until_before_boundary(10s, 1000ms);
    const auto started = std::chrono::system_clock::now();
    run.start();
    for (const auto& f : formats)
        REQUIRE(run.wait_for_state(f.name, "recording", 15s));
    std::this_thread::sleep_for(32s);
    const auto status = run.status_of("mp3");
    REQUIRE(status);
    CHECK(status->bitrate_kbps.value_or(0) == Approx(128).margin(8));
    CHECK(status->input.value_or("") == icecast.url("/live.mp3"));
    REQUIRE(run.process->stop() == 0);
    const double wall =
        std::chrono::duration<double>(std::chrono::system_clock::now() - started).count();

    for (const auto& f : formats) {
        INFO("format " << f.name);
        const auto files = files_with_extension(run.recordings / f.name, f.ext);
        REQUIRE(files.size() >= 4);
        double total = 0;
        std::uintmax_t bytes_total = 0;
        for (std::size_t i = 0; i < files.size(); ++i) {
            INFO("file " << files[i].filename());
            CHECK(decode_errors(files[i]) == "");
            const double seconds = ffprobe_duration(files[i]);
            total += seconds;
            bytes_total += fs::file_size(files[i]);
            const double tolerance = f.frame + 0.001;
            if (!f.header.empty()) {
                // Pages of 200 ms: a cut on a page boundary would miss by up to 100 ms.
                const auto pages = ogg_pages(read_file(files[i]));
                REQUIRE(pages);
                INFO("longest page " << longest_ogg_page_seconds(*pages, f.granule_rate) << " s");
            }
            if (i > 0)
                CHECK(name_seconds(files[i]) % 10 == 0);
            if (i > 0 && i + 1 < files.size()) {
                // Full files last the split interval, to within one frame or page, whatever
                // the burst on connect and the network did; when the source's clock is being
                // followed, the anchor moves by at most 0.2% of the interval on top.
                CHECK(seconds == Approx(10.0).margin(tolerance + 0.002 * 10.0));
            }
            if (!f.header.empty()) {
                const auto bytes = read_file(files[i]);
                REQUIRE(bytes.size() > 64);
                CHECK(bytes.substr(0, 4) == "OggS");
                CHECK((static_cast<unsigned char>(bytes[5]) & 0x02) != 0); // beginning of stream
                CHECK(bytes.find(f.header) < 64u);
            }
        }
        // Icecast's burst is 64 KiB: 4 s of the MP3, but 20 s of a quiet VBR Vorbis stream.
        const double burst = 65536.0 / (static_cast<double>(bytes_total) / total);
        INFO("burst " << burst << " s");
        // Each file reports its own duration (not the time since the stream began), and
        // together they cover the recording: wall time plus the burst, minus the time to start
        // and connect.
        CHECK(total > wall - 3);
        CHECK(total < wall + burst + 2);
        // The first file is named for when its audio was played: the burst's length before the
        // connection, not when the stream began (its Ogg granules count from there).
        const auto started_time = std::chrono::system_clock::to_time_t(started);
        std::tm local{};
        localtime_r(&started_time, &local);
        const int started_of_day = local.tm_hour * 3600 + local.tm_min * 60 + local.tm_sec;
        const int before_start =
            ((started_of_day - name_seconds(files[0])) % 86400 + 86400 + 43200) % 86400 - 43200;
        CHECK(before_start >= -2);
        CHECK(before_start <= burst + 2);
    }
}

TEST_CASE("Icecast stops and comes back: isrd reconnects into a new file",
          "[integration][stream]") {
    IsrdRun run;
    IcecastServer icecast(run.dir / "icecast");
    auto feeder =
        std::make_unique<FfmpegSource>(icecast, "/live.mp3", "mp3", run.dir / "ffmpeg1.log");
    std::this_thread::sleep_for(1s);
    run.write_config("split_interval = 1h\nretry_delay_seconds = 1\nmax_retries = 0",
                     stream_source("radio", icecast.url("/live.mp3")));
    run.start();
    REQUIRE(run.wait_for_state("radio", "recording", 15s));
    std::this_thread::sleep_for(3s);

    icecast.stop(); // listeners see a clean EOF; the ffmpeg source dies with it
    feeder.reset();
    REQUIRE(wait_until(
        [&] {
            const auto s = run.status_of("radio");
            return s && s->state == RunState::retrying && s->error;
        },
        10s));
    icecast.start();
    feeder = std::make_unique<FfmpegSource>(icecast, "/live.mp3", "mp3", run.dir / "ffmpeg2.log");
    REQUIRE(wait_until(
        [&] {
            const auto s = run.status_of("radio");
            return s && s->state == RunState::recording && s->reconnects == 1;
        },
        20s));
    std::this_thread::sleep_for(3s);
    REQUIRE(run.process->stop() == 0);
    const auto files = files_with_extension(run.recordings / "radio", ".mp3");
    REQUIRE(files.size() == 2); // a gap is never merged silently
    for (const auto& f : files) {
        CHECK(decode_errors(f) == "");
        CHECK(ffprobe_duration(f) > 2.0);
    }
    const auto log = run.process->log();
    CHECK_THAT(log, Catch::Contains("connecting to " + icecast.url("/live.mp3")));
}

TEST_CASE("a mount behind Basic auth: the right password records, a wrong one says 401",
          "[integration][stream]") {
    IsrdRun run;
    IcecastServer::Options options;
    options.auth_mount = "/private.mp3";
    IcecastServer icecast(run.dir / "icecast", options);
    FfmpegSource feeder(icecast, "/private.mp3", "mp3", run.dir / "ffmpeg.log");
    std::this_thread::sleep_for(1500ms);
    const auto url = icecast.url("/private.mp3");
    run.write_config("split_interval = 1h\nretry_delay_seconds = 1\nmax_retries = 0",
                     stream_source("good", url, "username = listener\npassword = s3cret") +
                         stream_source("bad", url, "username = listener\npassword = wrong") +
                         stream_source("inurl", "http://listener:s3cret@127.0.0.1:" +
                                                    std::to_string(icecast.port()) +
                                                    "/private.mp3"));
    run.start();
    REQUIRE(run.wait_for_state("good", "recording", 15s));
    REQUIRE(run.wait_for_state("inurl", "recording", 15s));
    REQUIRE(wait_until(
        [&] {
            const auto s = run.status_of("bad");
            return s && s->error;
        },
        15s));
    const auto bad = run.status_of("bad");
    CHECK_THAT(*bad->error, Catch::Contains("HTTP 401") &&
                                Catch::Contains("check username and password") &&
                                Catch::Contains(url));
    std::this_thread::sleep_for(2s);
    REQUIRE(run.process->stop() == 0);
    CHECK(files_with_extension(run.recordings / "good", ".mp3").size() == 1);
    CHECK_FALSE(fs::exists(run.recordings / "bad"));
    // The password never appears in the log or status.
    CHECK_THAT(run.process->log(), !Catch::Contains("s3cret") && Catch::Contains("listener:***@"));
}
