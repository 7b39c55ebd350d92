// isrd's record-time levels and live loud events, through the real program and the generator.
#include "common/analysis_cache_paths.hpp"
#include "common/levels/levels.hpp"
#include "common/levels/levels_file.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "tests/integration/support/isrd_run.hpp"
#include "tests/integration/support/process.hpp"

#include <catch2/catch.hpp>

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <csignal>

#include <sys/stat.h>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// The file's windows as isr-web computes them: libsndfile's floats, the shared window definition.
std::vector<float> decode_windows(const fs::path& path) {
    SF_INFO info{};
    SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
    REQUIRE(file);
    WindowAccumulator acc(info.samplerate, info.channels);
    std::vector<float> db;
    std::vector<float> buffer(4096 * static_cast<std::size_t>(info.channels));
    sf_count_t n = 0;
    while ((n = sf_readf_float(file, buffer.data(), 4096)) > 0)
        acc.add(buffer.data(), static_cast<std::size_t>(n), db);
    if (const auto last = acc.finish())
        db.push_back(*last);
    sf_close(file);
    return db;
}

std::vector<fs::path> audio_files(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        const auto ext = e.path().extension();
        if (e.is_regular_file() && (ext == ".wav" || ext == ".flac"))
            out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

double worst_difference(const std::vector<float>& a, const std::vector<float>& b, std::size_t n) {
    double worst = 0;
    for (std::size_t i = 0; i < n; ++i)
        worst = std::max(worst, std::abs(double(a[i]) - b[i]));
    return worst;
}

} // namespace

TEST_CASE("isrd writes levels that match a decode of each recording, complete at close and a "
          "valid prefix after kill -9",
          "[integration][isrd][levels]") {
    IsrdRun run;
    const auto analyses = run.dir / "cache";
    run.write_config("split_interval = 2s\nanalyses_directory = " + analyses.string(),
                     "[flac24]\ntype = generator\nformat = flac\nbit_depth = 24\nsample_rate = "
                     "48000\nchannels = 2\nseed = 5\n\n[wav16]\ntype = generator\nformat = "
                     "wav\nsample_rate = 22050\nchannels = 1\nseed = 6\n");
    run.start();
    REQUIRE(wait_until([&] { return audio_files(run.recordings).size() >= 6; }, 10s));
    // Killed 1.5 to 1.9 s into the current files (splits on even seconds): their levels have
    // had one append (isrd appends about once a second).
    REQUIRE(wait_until(
        [] {
            const double into = std::fmod(to_seconds(std::chrono::system_clock::now()), 2.0);
            return into >= 1.5 && into <= 1.9;
        },
        3s, 10ms));
    run.process->signal(SIGKILL);
    REQUIRE(run.process->wait(5s) == 128 + SIGKILL);

    std::size_t complete = 0;
    std::size_t unfinished = 0;
    for (const auto& file : audio_files(run.recordings)) {
        INFO(file.string());
        const auto name = fs::relative(file, run.recordings).generic_string();
        const auto levels = read_levels_file(levels_path(analyses, name));
        REQUIRE(levels);
        CHECK(levels->stamp.recorded);
        const auto decoded = decode_windows(file);
        struct stat st {};
        REQUIRE(::stat(file.c_str(), &st) == 0);
        if (levels->stamp.complete) {
            ++complete;
            CHECK(levels->complete_for(file_key(st)));
            REQUIRE(levels->levels.db.size() == decoded.size());
            CHECK(worst_difference(levels->levels.db, decoded, decoded.size()) <= 0.01);
        } else {
            // Killed while recording it: what was appended is the start of the file's levels.
            ++unfinished;
            CHECK(levels->prefix_of(static_cast<std::uint64_t>(st.st_ino)));
            REQUIRE_FALSE(levels->levels.db.empty());
            // A WAV's header tells its length as of the last flush (once a second), so the
            // decode may end sooner; its last window is then partial and not compared.
            REQUIRE(decoded.size() >= 2);
            const auto n = std::min(levels->levels.db.size(), decoded.size() - 1);
            CHECK(worst_difference(levels->levels.db, decoded, n) <= 0.01);
        }
    }
    CHECK(complete >= 4);
    CHECK(unfinished == 2);
}

TEST_CASE("live loud events: log, ledger, status.json and on_event, with a cooldown",
          "[integration][isrd][levels]") {
    IsrdRun run;
    const auto calls = run.dir / "calls.txt";
    // Seed 2681 at 16 kHz mono: chirps at 4.0 s (1.6 s) and 7.5 s (1.9 s), the next at 68 s.
    run.write_config("",
                     "[garden]\ntype = generator\nsample_rate = 16000\nchannels = 1\nseed = 2681\n"
                     "live_events = yes\nevent_min_gap = 1\nevent_cooldown_seconds = 60\n"
                     "on_event = sh -c 'printf \"%s|\" \"$@\" >> " +
                         calls.string() + "; echo >> " + calls.string() + "' sh\n");
    run.start();
    REQUIRE(wait_until(
        [&] {
            const auto s = run.status_of("garden");
            return s && s->events_total >= 2;
        },
        20s));
    const auto s = run.status_of("garden");
    REQUIRE(s);
    CHECK(s->events_total == 2);
    CHECK(s->events_suppressed == 1);
    REQUIRE(s->last_event);
    CHECK_FALSE(s->last_event->ongoing);
    CHECK(s->last_event->duration > 0.5);
    CHECK(s->last_event->duration < 2.5);
    CHECK(s->last_event->score > 12);
    REQUIRE(wait_until([&] { return fs::exists(calls); }, 5s));
    std::this_thread::sleep_for(300ms);
    const auto hook = read_file(calls);
    // One call: the second event came within the cooldown.
    REQUIRE(std::count(hook.begin(), hook.end(), '\n') == 1);
    const auto args = split(hook.substr(0, hook.find('\n')), '|');
    REQUIRE(args.size() >= 4);
    CHECK(args[0] == "garden");
    const auto start = parse_iso8601(args[1]);
    REQUIRE(start);
    CHECK(std::abs(*start - to_seconds(std::chrono::system_clock::now())) < 30);
    CHECK(std::stod(args[2]) > 0.5);
    CHECK(std::stod(args[2]) < 2.5);
    CHECK(std::stod(args[3]) > 12);
    CHECK(std::stod(args[3]) < 50);
    CHECK(run.process->stop() == 0);

    std::string ledger;
    for (const auto& e : fs::directory_iterator(run.recordings / "events"))
        ledger += read_file(e.path());
    std::size_t lines = 0;
    for (std::size_t at = 0;
         (at = ledger.find("\"event\":\"loud_event\"", at)) != std::string::npos; ++at)
        ++lines;
    CHECK(lines == 2);
    CHECK_THAT(ledger, Catch::Contains("\"source\":\"garden\",\"start\":\"" + args[1]));
    CHECK_THAT(run.process->log(), Catch::Contains("INFO     [garden] loud event on garden: +"));
    CHECK_THAT(run.process->log(), Catch::Contains("on_event not run"));
}
