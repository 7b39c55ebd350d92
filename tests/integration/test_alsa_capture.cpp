// isrd capturing through alsa-lib's real capture path, from the isrtest plugin (tests/alsa):
// a counter signal in real time, and faults on demand (busy, overrun, unplug).
#include "common/json.hpp"
#include "common/status_file.hpp"
#include "common/strings.hpp"
#include "common/wav_header.hpp"
#include "tests/integration/support/alsa_run.hpp"
#include "tests/integration/support/audio_files.hpp"
#include "tests/integration/support/isrd_run.hpp"
#include "tests/integration/support/process.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <regex>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

using Source = AlsaSource;

int bits_of(const Source& s) {
    return s.bit_depth == 24 ? 24 : 16;
}

} // namespace

namespace {

// The continuity ledger's gap events of `recordings` (every month file), parsed.
std::vector<rapidjson::Document> ledger_gaps(const fs::path& recordings) {
    std::vector<rapidjson::Document> out;
    for (const auto& file : fs::directory_iterator(recordings / "events")) {
        for (const auto& line : isr::split(read_file(file.path()), '\n')) {
            rapidjson::Document doc;
            doc.Parse(line.data(), line.size());
            if (!line.empty() && doc.IsObject() && isr::json_string(doc, "event") == "gap")
                out.push_back(std::move(doc));
        }
    }
    return out;
}

} // namespace

TEST_CASE("ALSA capture splits sample-exactly, WAV and FLAC, mono and stereo, 16 and 24 bit",
          "[integration][alsa]") {
    AlsaRun run;
    const std::vector<Source> sources = {
        {"wav_mono16", "isrtest_mono", "wav", 1, 48000, 16},
        {"flac_mono16", "isrtest_mono", "flac", 1, 48000, 16},
        {"wav_stereo16", "isrtest_stereo", "wav", 2, 48000, 16},
        {"flac_stereo16", "isrtest_stereo", "flac", 2, 48000, 16},
        {"wav_stereo24", "isrtest_stereo24", "wav", 2, 48000, 24},
        {"flac_stereo24", "isrtest_stereo24", "flac", 2, 48000, 24},
        {"wav_mono24", "isrtest_mono24", "wav", 1, 44100, 24},
        {"flac_mono24", "isrtest_mono24", "flac", 1, 44100, 24},
    };
    run.write_config("split_interval = 5s", sources);
    run.start();
    // Long enough for three complete 5 s files between a partial first and last one.
    std::this_thread::sleep_for(17s);
    const auto stop_started = std::chrono::steady_clock::now();
    REQUIRE(run.process->stop() == 0);
    CHECK(std::chrono::steady_clock::now() - stop_started < 2s);
    CHECK_FALSE(fs::exists(run.recordings / "status.json"));

    for (const auto& s : sources) {
        INFO("source " << s.name);
        const auto files = files_with_extension(run.recordings / s.name, "." + s.format);
        REQUIRE(files.size() >= 4);
        std::vector<std::int32_t> all;
        for (std::size_t i = 0; i < files.size(); ++i) {
            INFO("file " << files[i].filename());
            std::string error;
            const auto pcm = read_pcm_file(files[i], &error);
            REQUIRE(pcm);
            CHECK(pcm->rate == s.rate);
            CHECK(pcm->channels == s.channels);
            // Each file on its own is a clean run of the counter…
            CHECK_FALSE(counter_break(pcm->samples, bits_of(s)));
            // …the files between the first and the last hold exactly 5 s, give or take the
            // anchor's few-ms settling, and start on a 5 s boundary.
            if (i > 0 && i + 1 < files.size()) {
                CHECK(pcm->frames == Approx(5.0 * s.rate).margin(0.02 * s.rate));
                const std::regex name(R"(_(\d\d)(\d\d)(\d\d)\.)");
                std::smatch m;
                const auto filename = files[i].filename().string();
                REQUIRE(std::regex_search(filename, m, name));
                CHECK(std::stoi(m[3]) % 5 == 0);
            }
            all.insert(all.end(), pcm->samples.begin(), pcm->samples.end());
        }
        // …and together they are exactly what was captured: nothing lost, nothing doubled.
        CHECK_FALSE(counter_break(all, bits_of(s), 0u));
        CHECK(all.size() > static_cast<std::size_t>(15 * s.rate * s.channels));
    }
    // FLAC files carry their final sample count after a clean close.
    for (const auto& f : files_with_extension(run.recordings / "flac_stereo16", ".flac")) {
        const auto r = run_command("metaflac --show-total-samples '" + f.string() + "'");
        const auto pcm = read_pcm_file(f);
        REQUIRE(pcm);
        CHECK(std::stoll(r.output) == pcm->frames);
    }
}

TEST_CASE("a WAV file survives SIGKILL with all but the last second", "[integration][alsa]") {
    AlsaRun run;
    run.write_config("split_interval = 1h", {{"mic", "isrtest_stereo", "wav", 2, 48000, 16}});
    run.start();
    REQUIRE(wait_until([&] { return !files_with_extension(run.recordings, ".wav").empty(); }, 5s));
    std::this_thread::sleep_for(3500ms);
    run.process->signal(SIGKILL);
    REQUIRE(run.process->wait(5s) == 128 + SIGKILL);

    const auto files = files_with_extension(run.recordings, ".wav");
    REQUIRE(files.size() == 1);
    const auto bytes = read_file(files[0]);
    const auto header = parse_wav_header(
        std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    REQUIRE(header);
    const auto present = wav_frames_present(*header, bytes.size());
    const auto declared = header->declared_data / static_cast<std::uint64_t>(header->block_align);
    INFO("frames in the file " << present << ", in the header " << declared);
    CHECK(present >= 3 * 48000);
    CHECK(declared <= present);
    CHECK(present - declared <= 48000); // the header lags by at most a second
    const auto pcm = read_pcm_file(files[0]);
    REQUIRE(pcm);
    CHECK(static_cast<std::uint64_t>(pcm->frames) == declared);
    CHECK_FALSE(counter_break(pcm->samples, 16, 0u));
}

TEST_CASE("a FLAC file survives SIGKILL with its sample count up to the last second",
          "[integration][alsa]") {
    AlsaRun run;
    run.write_config("split_interval = 1h", {{"mic", "isrtest_stereo", "flac", 2, 48000, 16}});
    run.start();
    REQUIRE(wait_until([&] { return !files_with_extension(run.recordings, ".flac").empty(); }, 5s));
    std::this_thread::sleep_for(3500ms);
    run.process->signal(SIGKILL);
    REQUIRE(run.process->wait(5s) == 128 + SIGKILL);

    const auto files = files_with_extension(run.recordings, ".flac");
    REQUIRE(files.size() == 1);
    // STREAMINFO is updated every second with the samples of the complete frames on disk (it
    // used to stay 0 until a clean close).
    const auto r = run_command("metaflac --show-total-samples '" + files[0].string() + "'");
    REQUIRE(r.status == 0);
    const auto declared = std::stoll(r.output);
    // Every frame written before the kill decodes; the last one may be cut off by it.
    const auto decoded = decoded_seconds(files[0]);
    INFO("STREAMINFO says " << declared << " samples; " << decoded << " s decode");
    CHECK(declared >= 2 * 48000);
    CHECK(static_cast<double>(declared) / 48000 <= decoded + 0.01);
    CHECK(static_cast<double>(declared) / 48000 >=
          decoded - 1.2); // lags by at most a second and a frame
    const auto pcm = read_pcm_file(files[0]);
    REQUIRE(pcm);
    CHECK(pcm->frames >= declared);
    CHECK_FALSE(counter_break(pcm->samples, 16, 0u));
}

TEST_CASE("a busy device is an error in the log and status.json, and no file is left",
          "[integration][alsa]") {
    AlsaRun run;
    run.command("isrtest_stereo", "busy");
    run.write_config("retry_delay_seconds = 0.5\nmax_retries = 0",
                     {{"mic", "isrtest_stereo", "wav", 2, 48000, 16}});
    run.start();
    REQUIRE(wait_until(
        [&] {
            const auto s = run.status_of("mic");
            return s && s->error &&
                   (s->state == RunState::retrying || s->state == RunState::failed);
        },
        10s));
    const auto s = run.status_of("mic");
    CHECK_THAT(*s->error, Catch::Contains("isrtest_stereo") && Catch::Contains("busy") &&
                              Catch::Contains("shared_mic"));
    const auto log = run.process->log();
    CHECK_THAT(log, Catch::Contains("ERROR    [mic] cannot open ALSA device 'isrtest_stereo' for "
                                    "capture: Device or resource busy"));
    CHECK_THAT(log, Catch::Contains("dsnoop"));
    std::this_thread::sleep_for(1500ms); // several retries
    CHECK(files_with_extension(run.recordings, ".wav").empty());

    // Once the other program lets go, recording starts by itself.
    fs::remove(run.control / "isrtest_stereo.ctl");
    REQUIRE(wait_until(
        [&] { return run.status_of("mic") && run.status_of("mic")->state == RunState::recording; },
        10s));
    REQUIRE(wait_until([&] { return !files_with_extension(run.recordings, ".wav").empty(); }, 5s));
    CHECK(run.process->stop() == 0);
}

TEST_CASE("overruns are recovered, counted and logged", "[integration][alsa]") {
    AlsaRun run;
    run.write_config("split_interval = 1h", {{"mic", "isrtest_stereo24", "wav", 2, 48000, 24}});
    run.start();
    REQUIRE(wait_until(
        [&] { return run.status_of("mic") && run.status_of("mic")->state == RunState::recording; },
        10s));
    std::this_thread::sleep_for(1s);
    run.command("isrtest_stereo24", "xrun 1");
    REQUIRE(
        wait_until([&] { return run.status_of("mic") && run.status_of("mic")->xruns == 1; }, 10s));
    std::this_thread::sleep_for(2500ms);
    const auto s = run.status_of("mic");
    REQUIRE(s);
    CHECK(s->state == RunState::recording);
    CHECK(s->lost_frames > 0);
    CHECK(run.process->stop() == 0);
    CHECK_THAT(run.process->log(), Catch::Contains("WARNING  [mic] overrun"));

    // The file holds the counter with exactly one gap, as long as the frames counted lost.
    const auto files = files_with_extension(run.recordings, ".wav");
    REQUIRE(files.size() == 1);
    const auto pcm = read_pcm_file(files[0]);
    REQUIRE(pcm);
    const auto gap_at = counter_break(pcm->samples, 24, 0u);
    REQUIRE(gap_at);
    const auto before = counter_value(pcm->samples[*gap_at - 1], 24);
    const auto after = counter_value(pcm->samples[*gap_at], 24);
    const auto lost_samples = (after - before - 1) & 0xFFFFFF;
    const auto lost_frames = lost_samples / 2;
    INFO("gap of " << lost_frames << " frames; status says " << s->lost_frames);
    CHECK(static_cast<double>(s->lost_frames) == Approx(lost_frames).margin(48000 * 0.05));
    const std::vector<std::int32_t> rest(
        pcm->samples.begin() + static_cast<std::ptrdiff_t>(*gap_at), pcm->samples.end());
    CHECK_FALSE(counter_break(rest, 24));

    // The ledger has the overrun as a gap of the same length.
    const auto gaps = ledger_gaps(run.recordings);
    REQUIRE(gaps.size() == 1);
    CHECK(isr::json_string(gaps[0], "reason") == "overrun");
    CHECK(isr::json_number(gaps[0], "seconds").value_or(0) * 48000 ==
          Approx(lost_frames).margin(48000 * 0.05));
}

TEST_CASE("an unplugged device is retried and recording resumes in a new file",
          "[integration][alsa]") {
    AlsaRun run;
    run.write_config("split_interval = 1h\nretry_delay_seconds = 0.5\nmax_retries = 0",
                     {{"mic", "isrtest_mono", "flac", 1, 48000, 16}});
    run.start();
    REQUIRE(wait_until(
        [&] { return run.status_of("mic") && run.status_of("mic")->state == RunState::recording; },
        10s));
    std::this_thread::sleep_for(1500ms);
    run.command("isrtest_mono", "gone");
    REQUIRE(wait_until(
        [&] {
            const auto s = run.status_of("mic");
            return s && s->state == RunState::retrying && s->error;
        },
        10s));
    CHECK_THAT(*run.status_of("mic")->error, Catch::Contains("isrtest_mono"));
    std::this_thread::sleep_for(1s);
    fs::remove(run.control / "isrtest_mono.ctl");
    REQUIRE(
        wait_until([&] { return files_with_extension(run.recordings, ".flac").size() == 2; }, 10s));
    REQUIRE(wait_until(
        [&] { return run.status_of("mic") && run.status_of("mic")->state == RunState::recording; },
        10s));
    std::this_thread::sleep_for(1s);
    CHECK(run.status_of("mic")->reconnects == 1);
    CHECK(run.process->stop() == 0);
    CHECK_THAT(run.process->log(), Catch::Contains("stopped working"));
    const auto gaps = ledger_gaps(run.recordings);
    REQUIRE(gaps.size() == 1);
    CHECK(isr::json_string(gaps[0], "reason") == "device_lost");
    CHECK_THAT(isr::json_string(gaps[0], "detail").value_or(""), Catch::Contains("isrtest_mono"));
    CHECK(isr::json_number(gaps[0], "seconds").value_or(0) >= 1.0);
    for (const auto& f : files_with_extension(run.recordings, ".flac")) {
        const auto pcm = read_pcm_file(f);
        REQUIRE(pcm);
        CHECK(pcm->frames > 48000 / 2);
        CHECK_FALSE(counter_break(pcm->samples, 16, 0u)); // each opening starts the counter afresh
    }
}

TEST_CASE("a bad device name or rate is explained and the source gives up after max_retries",
          "[integration][alsa]") {
    AlsaRun run;
    run.write_config("retry_delay_seconds = 0.2\nmax_retries = 1",
                     {{"nodev", "no_such_device_xyz", "wav", 2, 48000, 16},
                      {"badrate", "isrtest_stereo", "wav", 2, 44100, 16}});
    run.start();
    // With every source failed, isrd exits 1 and leaves status.json with the reasons.
    REQUIRE(run.process->wait(15s) == 1);
    const auto nodev = run.status_of("nodev");
    const auto badrate = run.status_of("badrate");
    REQUIRE(nodev);
    REQUIRE(badrate);
    CHECK(nodev->state == RunState::failed);
    CHECK_THAT(*nodev->error,
               Catch::Contains("no ALSA capture device matches device = no_such_device_xyz") &&
                   Catch::Contains("isrd --list-devices"));
    CHECK(badrate->state == RunState::failed);
    CHECK_THAT(*badrate->error,
               Catch::Contains("cannot capture at 44100 Hz; it supports 48000 Hz"));
    CHECK_THAT(run.process->log(), Catch::Contains("giving up after 2 consecutive failures"));
    CHECK(files_with_extension(run.recordings, ".wav").empty());
}

TEST_CASE("isrd --list-devices shows the capture PCMs of the ALSA configuration",
          "[integration][alsa]") {
    const auto r = run_command("ALSA_CONFIG_PATH='" + alsa_test_conf().string() + "' '" +
                               isrd_path().string() + "' --list-devices");
    CHECK(r.status == 0);
    CHECK_THAT(r.output, Catch::Contains("isrtest_stereo24") &&
                             Catch::Contains("isr test capture: stereo, 48000 Hz"));
    CHECK_THAT(r.output, Catch::Contains("Sound cards with capture devices"));
}
