// Faults of the machine isrd runs on, injected for real: a full disk (a small tmpfs filled to
// the last byte) under every format isrd writes.
#include "tests/integration/support/alsa_run.hpp"
#include "tests/integration/support/audio_files.hpp"
#include "tests/integration/support/isrd_run.hpp"
#include "tests/integration/support/script_server.hpp"
#include "tests/integration/support/small_filesystem.hpp"
#include "tests/integration/support/stream_fixture.hpp"

#include <catch2/catch.hpp>

#include <mutex>
#include <regex>
#include <set>
#include <sstream>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_with(const std::string& log, const std::string& needle) {
    std::istringstream in(log);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) {
        if (line.find(needle) != std::string::npos) out.push_back(line);
    }
    return out;
}

// The seconds a summary line says were lost: "…: 4.2 s of audio could not be stored…".
double summary_loss(const std::string& line) {
    static const std::regex pattern(R"(: (\d+\.\d) s of audio could not be stored)");
    std::smatch m;
    REQUIRE(std::regex_search(line, m, pattern));
    return std::stod(m[1]);
}

std::string error_line(const std::string& source) { return "ERROR    [" + source + "] cannot write recordings"; }
std::string summary_line(const std::string& source) {
    return "WARNING  [" + source + "] writing again after a disk problem";
}

} // namespace

TEST_CASE("a full disk under WAV and FLAC: one error and one summary per episode, the true loss, decodable files",
          "[integration][isrd]") {
    AlsaRun run;
    const SmallFilesystem disk(run.dir / "small", "8m");
    if (!disk.mounted()) return;
    // The 24-bit mono counter wraps only after 380 s: every gap between files is measurable.
    const std::vector<AlsaSource> sources = {{"wav", "isrtest_mono24", "wav", 1, 44100, 24},
                                             {"flac", "isrtest_mono24", "flac", 1, 44100, 24}};
    run.write_config("split_interval = 1h\nretry_delay_seconds = 1", sources,
                     "output_directory = " + disk.path().string());
    run.start();
    for (const auto& s : sources) REQUIRE(run.wait_for_state(s.name, "recording", 10s));
    constexpr int kEpisodes = 4; // the FLAC of each must decode: "4 of 4 runs"
    for (int episode = 1; episode <= kEpisodes; ++episode) {
        INFO("episode " << episode);
        std::this_thread::sleep_for(1s);
        const auto ballast = disk.fill();
        // (The waits look for the messages loosely; their exact form and count are checked below.)
        REQUIRE(wait_until([&] {
            const auto log = run.process->log();
            return lines_with(log, error_line("wav")).size() >= static_cast<std::size_t>(episode) &&
                   lines_with(log, error_line("flac")).size() >= static_cast<std::size_t>(episode);
        }, 10s));
        std::this_thread::sleep_for(1500ms); // a retry or two meanwhile
        const auto summaries_before = lines_with(run.process->log(), "writing again after a disk problem").size();
        fs::remove(ballast);
        REQUIRE(wait_until([&] {
            return lines_with(run.process->log(), "writing again after a disk problem").size() >= summaries_before + 2;
        }, 10s));
        std::this_thread::sleep_for(1s);
    }
    std::this_thread::sleep_for(2500ms); // status.json catches up
    std::map<std::string, SourceStatus> status;
    for (const auto& s : sources) {
        status[s.name] = *run.status_of(s.name);
        CHECK(status[s.name].state == "recording");
        CHECK_FALSE(status[s.name].error);
    }
    REQUIRE(run.process->stop() == 0);
    const auto log = run.process->log();
    CHECK(lines_with(log, "still cannot write").empty());

    for (const auto& s : sources) {
        INFO("source " << s.name);
        const auto summaries = lines_with(log, summary_line(s.name));
        CHECK(lines_with(log, error_line(s.name)).size() == kEpisodes); // one per episode, not per retry
        REQUIRE(summaries.size() == kEpisodes);
        CHECK(status[s.name].disk_errors == kEpisodes);
        // One file before the first episode and one after each; no empty ones from the retries.
        const auto files = files_with_extension(disk.path() / s.name, "." + s.format);
        REQUIRE(files.size() == kEpisodes + 1);
        std::vector<std::pair<std::uint32_t, std::uint32_t>> spans; // first and last counter value
        for (const auto& f : files) {
            INFO("file " << f.filename());
            CHECK(decode_errors(f) == "");
            if (s.format == "flac") CHECK(run_command("flac -s -t '" + f.string() + "'").status == 0);
            const auto pcm = read_pcm_file(f);
            REQUIRE(pcm);
            REQUIRE(pcm->frames > 0);
            CHECK_FALSE(counter_break(pcm->samples, 24)); // whole frames only, in order
            spans.emplace_back(counter_value(pcm->samples.front(), 24), counter_value(pcm->samples.back(), 24));
        }
        // The loss is exactly the audio between the files: what the summary says of each
        // episode, and status.json's total.
        std::uint64_t lost = 0;
        for (std::size_t i = 0; i + 1 < spans.size(); ++i) {
            const auto gap = (spans[i + 1].first - spans[i].second - 1) & 0xFFFFFF;
            INFO("episode " << i + 1 << ": " << gap << " frames between the files");
            CHECK(gap > 44100); // the disk was full for seconds
            CHECK(summary_loss(summaries[i]) == Approx(gap / 44100.0).margin(0.051));
            lost += gap;
        }
        CHECK(static_cast<double>(status[s.name].lost_frames) == Approx(static_cast<double>(lost)).margin(8));
        CHECK(status[s.name].lost_seconds == Approx(static_cast<double>(lost) / 44100).margin(0.006)); // 2 decimals
    }
}

TEST_CASE("a full disk under every stream format: one error, one summary, the true loss, decodable files",
          "[integration][stream]") {
    IsrdRun run;
    const SmallFilesystem disk(run.dir / "small", "8m");
    if (!disk.mounted()) return;
    TempDir media("isr-media");
    struct Format {
        std::string name;
        std::string content_type;
        std::string ext;
        Stream stream;
    };
    constexpr double kSeconds = 14;
    std::vector<Format> formats = {
        {"mp3", "audio/mpeg", ".mp3", make_stream(media.path(), "s.mp3", "-c:a libmp3lame -b:a 128k -f mp3", kSeconds)},
        {"aac", "audio/aac", ".aac", make_stream(media.path(), "s.aac", "-c:a aac -b:a 96k -f adts", kSeconds)},
        {"vorbis", "audio/ogg", ".ogg", make_stream(media.path(), "s.ogg", "-c:a libvorbis -page_duration 250000 -f ogg", kSeconds)},
        {"opus", "audio/ogg", ".opus", make_stream(media.path(), "s.opus", "-c:a libopus -b:a 64k -page_duration 250000 -f ogg", kSeconds)},
        {"oggflac", "audio/ogg", ".ogg", make_stream(media.path(), "f.ogg", "-c:a flac -page_duration 250000 -f ogg", kSeconds)},
        {"flac", "audio/flac", ".flac", make_stream(media.path(), "s.flac", "-c:a flac -f flac", kSeconds)},
    };
    std::mutex mutex;
    std::set<std::string> served; // each stream once; a reconnection gets a 404
    ScriptServer server([&](ScriptServer::Connection& c) {
        for (const auto& f : formats) {
            if (c.path != "/" + f.name) continue;
            {
                std::lock_guard lock(mutex);
                if (!served.insert(f.name).second) break;
            }
            c.send(ok_head(f.content_type));
            c.send_paced(f.stream.bytes, f.stream.rate());
            return;
        }
        c.send("HTTP/1.0 404 Not Found\r\n\r\n");
    });
    std::string sources;
    for (const auto& f : formats) {
        sources += stream_source(f.name, server.url("/" + f.name), "output_directory = " + disk.path().string());
    }
    run.write_config("split_interval = 1h\nretry_delay_seconds = 1\nmax_retries = 0", sources);
    run.start();
    for (const auto& f : formats) REQUIRE(run.wait_for_state(f.name, "recording", 15s));
    std::this_thread::sleep_for(1s);
    const auto ballast = disk.fill();
    REQUIRE(wait_until([&] {
        const auto log = run.process->log();
        for (const auto& f : formats) {
            if (lines_with(log, error_line(f.name)).empty()) return false;
        }
        return true;
    }, 10s));
    std::this_thread::sleep_for(2500ms);
    CHECK(server.connections() == static_cast<int>(formats.size())); // every stream stays connected
    fs::remove(ballast);
    // The streams end after 14 s: every source has then said why and counted its loss.
    REQUIRE(wait_until([&] {
        for (const auto& f : formats) {
            const auto s = run.status_of(f.name);
            // The connection ended ("the input ended"), and a reconnection may have been refused.
            if (!s || !s->error || (s->error->find("the input ended") == std::string::npos &&
                                    s->error->find("HTTP 404") == std::string::npos)) {
                return false;
            }
        }
        return true;
    }, 30s));
    std::map<std::string, SourceStatus> status;
    for (const auto& f : formats) status[f.name] = *run.status_of(f.name);
    REQUIRE(run.process->stop() == 0);
    const auto log = run.process->log();

    for (const auto& f : formats) {
        INFO("format " << f.name);
        CHECK(lines_with(log, error_line(f.name)).size() == 1);
        const auto summaries = lines_with(log, summary_line(f.name));
        REQUIRE(summaries.size() == 1);
        const auto& s = status[f.name];
        CHECK(s.disk_errors == 1);
        CHECK(s.lost_seconds > 2.0);
        CHECK(summary_loss(summaries[0]) == Approx(s.lost_seconds).margin(0.051));
        // lost_frames counts at the stream's rate; lost_seconds has two decimals in status.json.
        REQUIRE(s.sample_rate);
        CHECK(static_cast<double>(s.lost_frames) == Approx(s.lost_seconds * *s.sample_rate).margin(0.006 * *s.sample_rate));
        // What the files hold and what was lost add up to what was sent.
        const auto files = files_with_extension(disk.path() / f.name, f.ext);
        REQUIRE(files.size() == 2); // before and after the episode
        double recorded = 0;
        for (const auto& file : files) {
            INFO("file " << file.filename());
            CHECK(decode_errors(file) == "");
            recorded += decoded_seconds(file);
        }
        const auto sent_file = media.path() / ("sent" + f.ext);
        write_file(sent_file, f.stream.bytes);
        const double sent = decoded_seconds(sent_file);
        INFO("sent " << sent << " s, recorded " << recorded << " s, lost " << s.lost_seconds << " s");
        CHECK(recorded + s.lost_seconds == Approx(sent).margin(0.3));
    }
}
