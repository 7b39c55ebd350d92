// Faults of the machine isrd runs on, injected for real: a full disk (a small tmpfs filled to
// the last byte) under every format isrd writes.
#include "common/json.hpp"
#include "common/strings.hpp"
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
        if (line.find(needle) != std::string::npos)
            out.push_back(line);
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

std::string error_line(const std::string& source) {
    return "ERROR    [" + source + "] cannot write recordings";
}
std::string summary_line(const std::string& source) {
    return "WARNING  [" + source + "] writing again after a disk problem";
}

} // namespace

TEST_CASE("a full disk under WAV and FLAC: one error and one summary per episode, the true loss, "
          "decodable files",
          "[integration][isrd]") {
    AlsaRun run;
    const SmallFilesystem disk(run.dir / "small", "8m");
    if (!disk.mounted())
        return;
    // The 24-bit mono counter wraps only after 380 s: every gap between files is measurable.
    const std::vector<AlsaSource> sources = {{"wav", "isrtest_mono24", "wav", 1, 44100, 24},
                                             {"flac", "isrtest_mono24", "flac", 1, 44100, 24}};
    run.write_config("split_interval = 1h\nretry_delay_seconds = 1", sources,
                     "output_directory = " + disk.path().string());
    run.start();
    for (const auto& s : sources)
        REQUIRE(run.wait_for_state(s.name, "recording", 10s));
    constexpr int kEpisodes = 4; // the FLAC of each must decode: "4 of 4 runs"
    for (int episode = 1; episode <= kEpisodes; ++episode) {
        INFO("episode " << episode);
        std::this_thread::sleep_for(1s);
        const auto ballast = disk.fill();
        // (The waits look for the messages loosely; their exact form and count are checked below.)
        REQUIRE(wait_until(
            [&] {
                const auto log = run.process->log();
                return lines_with(log, error_line("wav")).size() >=
                           static_cast<std::size_t>(episode) &&
                       lines_with(log, error_line("flac")).size() >=
                           static_cast<std::size_t>(episode);
            },
            10s));
        std::this_thread::sleep_for(1500ms); // a retry or two meanwhile
        const auto summaries_before =
            lines_with(run.process->log(), "writing again after a disk problem").size();
        fs::remove(ballast);
        REQUIRE(wait_until(
            [&] {
                return lines_with(run.process->log(), "writing again after a disk problem")
                           .size() >= summaries_before + 2;
            },
            10s));
        std::this_thread::sleep_for(1s);
    }
    std::this_thread::sleep_for(2500ms); // status.json catches up
    std::map<std::string, SourceStatus> status;
    for (const auto& s : sources) {
        status[s.name] = *run.status_of(s.name);
        CHECK(status[s.name].state == RunState::recording);
        CHECK_FALSE(status[s.name].error);
    }
    REQUIRE(run.process->stop() == 0);
    const auto log = run.process->log();
    CHECK(lines_with(log, "still cannot write").empty());

    for (const auto& s : sources) {
        INFO("source " << s.name);
        const auto summaries = lines_with(log, summary_line(s.name));
        CHECK(lines_with(log, error_line(s.name)).size() ==
              kEpisodes); // one per episode, not per retry
        REQUIRE(summaries.size() == kEpisodes);
        CHECK(status[s.name].disk_errors == kEpisodes);
        // One file before the first episode and one after each; no empty ones from the retries.
        const auto files = files_with_extension(disk.path() / s.name, "." + s.format);
        REQUIRE(files.size() == kEpisodes + 1);
        std::vector<std::pair<std::uint32_t, std::uint32_t>> spans; // first and last counter value
        for (const auto& f : files) {
            INFO("file " << f.filename());
            CHECK(decode_errors(f) == "");
            if (s.format == "flac")
                CHECK(run_command("flac -s -t '" + f.string() + "'").status == 0);
            const auto pcm = read_pcm_file(f);
            REQUIRE(pcm);
            REQUIRE(pcm->frames > 0);
            CHECK_FALSE(counter_break(pcm->samples, 24)); // whole frames only, in order
            spans.emplace_back(counter_value(pcm->samples.front(), 24),
                               counter_value(pcm->samples.back(), 24));
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
        CHECK(static_cast<double>(status[s.name].lost_frames) ==
              Approx(static_cast<double>(lost)).margin(8));
        CHECK(status[s.name].lost_seconds ==
              Approx(static_cast<double>(lost) / 44100).margin(0.006)); // 2 decimals

        // The continuity ledger (in [general]'s folder): one disk_failure gap per episode, as
        // long as the summary's.
        std::vector<double> ledger_gaps;
        for (const auto& line :
             split(read_file(run.recordings / "events" /
                             fs::directory_iterator(run.recordings / "events")->path().filename()),
                   '\n')) {
            rapidjson::Document doc;
            doc.Parse(line.data(), line.size());
            if (!line.empty() && doc.IsObject() && json_string(doc, "event") == "gap" &&
                json_string(doc, "source") == s.name) {
                CHECK(json_string(doc, "reason") == "disk_failure");
                ledger_gaps.push_back(json_number(doc, "seconds").value_or(0));
            }
        }
        REQUIRE(ledger_gaps.size() == kEpisodes);
        for (std::size_t i = 0; i < ledger_gaps.size(); ++i)
            CHECK(ledger_gaps[i] == Approx(summary_loss(summaries[i])).margin(0.051));
    }
}

TEST_CASE(
    "a full disk under every stream format: one error, one summary, the true loss, decodable files",
    "[integration][stream]") {
    IsrdRun run;
    const SmallFilesystem disk(run.dir / "small", "8m");
    if (!disk.mounted())
        return;
    TempDir media("isr-media");
    struct Format {
        std::string name;
        std::string content_type;
        std::string ext;
        Stream stream;
    };
    constexpr double kSeconds = 14;
    std::vector<Format> formats = {
        {"mp3", "audio/mpeg", ".mp3",
         make_stream(media.path(), "s.mp3", "-c:a libmp3lame -b:a 128k -f mp3", kSeconds)},
        {"aac", "audio/aac", ".aac",
         make_stream(media.path(), "s.aac", "-c:a aac -b:a 96k -f adts", kSeconds)},
        {"vorbis", "audio/ogg", ".ogg",
         make_stream(media.path(), "s.ogg", "-c:a libvorbis -page_duration 250000 -f ogg",
                     kSeconds)},
        {"opus", "audio/ogg", ".opus",
         make_stream(media.path(), "s.opus", "-c:a libopus -b:a 64k -page_duration 250000 -f ogg",
                     kSeconds)},
        {"oggflac", "audio/ogg", ".ogg",
         make_stream(media.path(), "f.ogg", "-c:a flac -page_duration 250000 -f ogg", kSeconds)},
        {"flac", "audio/flac", ".flac",
         make_stream(media.path(), "s.flac", "-c:a flac -f flac", kSeconds)},
    };
    std::mutex mutex;
    std::set<std::string> served; // each stream once; a reconnection gets a 404
    ScriptServer server([&](ScriptServer::Connection& c) {
        for (const auto& f : formats) {
            if (c.path != "/" + f.name)
                continue;
            {
                std::lock_guard lock(mutex);
                if (!served.insert(f.name).second)
                    break;
            }
            c.send(ok_head(f.content_type));
            c.send_paced(f.stream.bytes, f.stream.rate());
            return;
        }
        c.send("HTTP/1.0 404 Not Found\r\n\r\n");
    });
    std::string sources;
    for (const auto& f : formats) {
        sources += stream_source(f.name, server.url("/" + f.name),
                                 "output_directory = " + disk.path().string());
    }
    run.write_config("split_interval = 1h\nretry_delay_seconds = 1\nmax_retries = 0", sources);
    run.start();
    for (const auto& f : formats)
        REQUIRE(run.wait_for_state(f.name, "recording", 15s));
    std::this_thread::sleep_for(1s);
    const auto ballast = disk.fill();
    REQUIRE(wait_until(
        [&] {
            const auto log = run.process->log();
            for (const auto& f : formats) {
                if (lines_with(log, error_line(f.name)).empty())
                    return false;
            }
            return true;
        },
        10s));
    std::this_thread::sleep_for(2500ms);
    CHECK(server.connections() == static_cast<int>(formats.size())); // every stream stays connected
    fs::remove(ballast);
    // The streams end after 14 s: every source has then said why and counted its loss.
    REQUIRE(wait_until(
        [&] {
            for (const auto& f : formats) {
                const auto s = run.status_of(f.name);
                // The connection ended ("the input ended"), and a reconnection may have been
                // refused.
                if (!s || !s->error ||
                    (s->error->find("the input ended") == std::string::npos &&
                     s->error->find("HTTP 404") == std::string::npos)) {
                    return false;
                }
            }
            return true;
        },
        30s));
    std::map<std::string, SourceStatus> status;
    for (const auto& f : formats)
        status[f.name] = *run.status_of(f.name);
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
        CHECK(static_cast<double>(s.lost_frames) ==
              Approx(s.lost_seconds * *s.sample_rate).margin(0.006 * *s.sample_rate));
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
        INFO("sent " << sent << " s, recorded " << recorded << " s, lost " << s.lost_seconds
                     << " s");
        CHECK(recorded + s.lost_seconds == Approx(sent).margin(0.3));
    }
}

// `rm -rf` of a folder isrd writes into: a file isrd creates meanwhile (a levels file, status.json)
// makes the last rmdir fail with "Directory not empty", and a user runs it again.
static void remove_while_written(const fs::path& dir) {
    for (int attempt = 1;; ++attempt) {
        std::error_code ec;
        fs::remove_all(dir, ec);
        if (!ec)
            return;
        if (attempt == 20)
            throw fs::filesystem_error("cannot remove while isrd writes", dir, ec);
        std::this_thread::sleep_for(10ms);
    }
}

TEST_CASE("the recordings folder removed while recording: found, created again, the loss counted, "
          "locked again",
          "[integration][isrd]") {
    TempDir media("isr-media");
    const auto mp3 =
        make_stream(media.path(), "s.mp3", "-c:a libmp3lame -b:a 64k -id3v2_version 0 -f mp3", 40);
    std::atomic<bool> served{false};
    ScriptServer server([&](ScriptServer::Connection& c) {
        if (served.exchange(true)) {
            c.send("HTTP/1.0 404 Not Found\r\n\r\n");
            return;
        }
        c.send(ok_head("audio/mpeg"));
        c.send_paced(mp3.bytes, mp3.rate());
    });
    IsrdRun run;
    run.write_config(
        "split_interval = 1h\nretry_delay_seconds = 60",
        "[gen]\ntype = generator\nformat = flac\nsample_rate = 16000\nchannels = 1\n\n" +
            stream_source("radio", server.url("/live")));
    run.start();
    const std::vector<std::pair<std::string, std::string>> sources = {{"gen", ".flac"},
                                                                      {"radio", ".mp3"}};
    for (const auto& [name, ext] : sources)
        REQUIRE(run.wait_for_state(name, "recording", 15s));
    std::this_thread::sleep_for(2s);
    const auto removed = [&](const std::string& source) {
        return lines_with(run.process->log(), "ERROR    [" + source + "] output_directory " +
                                                  run.recordings.string() +
                                                  " was removed while recording")
            .size();
    };
    const auto new_files_there = [&] {
        for (const auto& [name, ext] : sources) {
            if (files_with_extension(run.recordings / name, ext).size() != 1)
                return false;
        }
        return fs::exists(run.recordings / "status.json") &&
               fs::exists(run.recordings / ".isrd.lock");
    };

    // 1. Removed: isrd notices within a second or two, creates it again and goes on in new files.
    remove_while_written(run.recordings);
    REQUIRE(wait_until([&] { return removed("gen") == 1 && removed("radio") == 1; }, 5s));
    REQUIRE(wait_until(new_files_there, 5s));
    CHECK_THAT(run.process->log(),
               Catch::Contains("ERROR    output_directory " + run.recordings.string() +
                               " was removed while recording; created it again and locked it"));
    std::this_thread::sleep_for(2500ms); // status.json catches up
    std::map<std::string, double> lost;
    for (const auto& [name, ext] : sources) {
        INFO(name);
        const auto s = run.status_of(name);
        REQUIRE(s);
        CHECK(s->state == RunState::recording);
        REQUIRE(s->error);
        CHECK_THAT(*s->error, Catch::Contains("was removed while recording") &&
                                  Catch::Contains("s of audio written to"));
        CHECK(s->lost_seconds > 1.5); // the files deleted held two seconds and more
        CHECK(s->lost_seconds < 15);
        lost[name] = s->lost_seconds;
    }
    // The lock was taken again: a second isrd on the folder is refused.
    ChildProcess second({isrd_path().string(), run.config.string()}, run.dir / "second.log");
    CHECK(second.wait(5s) == 1);
    CHECK_THAT(second.log(), Catch::Contains("another isrd is already recording into"));

    // 2. Removed and created again at once, the way `rm -rf rec && mkdir rec` does.
    remove_while_written(run.recordings);
    fs::create_directories(run.recordings);
    REQUIRE(wait_until([&] { return removed("gen") == 2 && removed("radio") == 2; }, 5s));
    REQUIRE(wait_until(new_files_there, 5s));
    std::this_thread::sleep_for(2500ms);
    for (const auto& [name, ext] : sources) {
        INFO(name);
        const auto s = run.status_of(name);
        REQUIRE(s);
        CHECK(s->state == RunState::recording);
        CHECK(s->lost_seconds > lost[name] + 2.0);
    }
    // 3. Only the lock file deleted: a new one is locked, the recordings are untouched.
    fs::remove(run.recordings / ".isrd.lock");
    REQUIRE(wait_until(
        [&] {
            return run.process->log().find(
                       ".isrd.lock was deleted while recording; locked a new one") !=
                   std::string::npos;
        },
        5s));
    CHECK(removed("gen") == 2);
    REQUIRE(run.process->stop() == 0);
    for (const auto& [name, ext] : sources) {
        INFO(name);
        const auto files = files_with_extension(run.recordings / name, ext);
        REQUIRE(files.size() == 1);
        CHECK(decode_errors(files[0]) == "");
        CHECK(decoded_seconds(files[0]) > 2.0);
    }
}
