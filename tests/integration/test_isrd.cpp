// isrd as a user runs it: the generator, configuration errors, signals, one recorder per folder.
#include "common/status_file.hpp"
#include "tests/integration/support/audio_files.hpp"
#include "tests/integration/support/isrd_run.hpp"
#include "tests/integration/support/process.hpp"

#include <catch2/catch.hpp>

#include <csignal>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

fs::path write_generator_config(const TempDir& dir, const std::string& extra = "") {
    const auto config = dir / "config.ini";
    write_file(config,
               "[general]\noutput_directory = " + (dir / "rec").string() +
                   "\nsplit_interval = 1s\nfilename_pattern = {source}/%H%M%S\nlog_file = " +
                   (dir / "recorder.log").string() + "\n" + extra +
                   "\n[garden]\ntype = generator\nformat = flac\nchannels = 1\nsample_rate = "
                   "16000\nseed = 3\n"
                   "\n[shed]\ntype = generator\nformat = wav\nchannels = 2\nsample_rate = 22050\n");
    return config;
}

} // namespace

TEST_CASE("the generator records in real time, split on the second, with levels in status.json",
          "[integration][isrd]") {
    TempDir dir("isr-gen");
    const auto config = write_generator_config(dir);
    ChildProcess isrd({isrd_path().string(), config.string()}, dir / "out.log");
    const auto status_path = dir / "rec" / "status.json";
    REQUIRE(wait_until(
        [&] {
            const auto r = read_status_file(status_path);
            return r.status && r.status->sources.size() == 2 && r.status->sources[0].level_dbfs &&
                   r.status->active.size() == 2;
        },
        10s));
    std::this_thread::sleep_for(2500ms);
    const auto reading = read_status_file(status_path);
    REQUIRE(reading.status);
    CHECK_FALSE(reading.stale);
    CHECK(reading.status->pid == isrd.pid());
    for (const auto& s : reading.status->sources) {
        INFO(s.name);
        CHECK(s.state == RunState::recording);
        CHECK(s.type == SourceType::generator);
        REQUIRE(s.level_dbfs);
        CHECK(*s.level_dbfs < -20);
        CHECK(*s.level_dbfs > -90);
        CHECK(*s.peak_dbfs >= *s.level_dbfs);
        REQUIRE(s.file);
        CHECK(fs::exists(dir / "rec" / *s.file));
    }
    CHECK(isrd.stop() == 0);
    CHECK_FALSE(fs::exists(status_path));
    // Whole seconds in the middle files; every file decodes.
    for (const auto& [source, ext, rate] :
         {std::tuple{"garden", ".flac", 16000}, std::tuple{"shed", ".wav", 22050}}) {
        const auto files = files_with_extension(dir / "rec" / source, ext);
        REQUIRE(files.size() >= 3);
        for (std::size_t i = 1; i + 1 < files.size(); ++i) {
            const auto pcm = read_pcm_file(files[i]);
            REQUIRE(pcm);
            CHECK(pcm->frames == Approx(rate).margin(rate * 0.02));
        }
    }
    CHECK_THAT(read_file(dir / "recorder.log"), Catch::Contains("INFO     [garden] recording to "));
}

TEST_CASE("isrd refuses an invalid config with every problem, and --check-config tells",
          "[integration][isrd]") {
    TempDir dir("isr-badcfg");
    write_file(
        dir / "bad.ini",
        "[general]\nsplit_minutes = 0\n[r]\ntype = stream\n[m]\ntype = soundcard\nformat = mp3\n");
    const auto run =
        run_command("'" + isrd_path().string() + "' '" + (dir / "bad.ini").string() + "'");
    CHECK(run.status == 1);
    CHECK_THAT(run.output,
               Catch::Contains("bad.ini:2: [general] split_minutes = 0: out of range (1 to 1440)"));
    CHECK_THAT(run.output, Catch::Contains("bad.ini:3: [r] missing 'url'"));
    CHECK_THAT(run.output, Catch::Contains("bad.ini:7: [m] format = mp3"));
    CHECK_THAT(run.output, Catch::Contains("not starting"));
    const auto check = run_command("'" + isrd_path().string() + "' --check-config '" +
                                   (dir / "bad.ini").string() + "'");
    CHECK(check.status == 1);
    CHECK_THAT(check.output, Catch::Contains("3 problem(s)"));
    const auto good = run_command("'" + isrd_path().string() + "' --check-config '" +
                                  (source_dir() / "config.example.ini").string() + "'");
    CHECK(good.status == 0);
    CHECK_THAT(good.output, Catch::Contains("OK:"));
    const auto missing =
        run_command("cd '" + dir.path().string() + "' && '" + isrd_path().string() + "'");
    CHECK(missing.status == 1);
    CHECK_THAT(missing.output, Catch::Contains("config.ini: cannot read the config file"));
    CHECK(run_command("'" + isrd_path().string() + "' --no-such-flag").status == 2);
    CHECK_THAT(run_command("'" + isrd_path().string() + "' --version").output,
               Catch::StartsWith("isrd "));
}

TEST_CASE("isrd --check-config masks passwords and escapes what it quotes", "[integration][isrd]") {
    TempDir dir("isr-badcfg");
    write_file(dir / "bad.ini",
               "[r]\ntype = stream\nurl = http://user:hunter2@radio.example:83706/live\n"
               "password = \"hunter2\nusername = a\rb\n\x1b[31mred\n");
    const auto check = run_command("'" + isrd_path().string() + "' --check-config '" +
                                   (dir / "bad.ini").string() + "'");
    CHECK(check.status == 1);
    CHECK_THAT(check.output,
               Catch::Contains(
                   "url = http://user:***@radio.example:83706/live: port 83706 is out of range"));
    CHECK_THAT(check.output,
               Catch::Contains(
                   "[r] password: the value starts with a double quote but has no closing one"));
    CHECK_THAT(check.output, Catch::Contains("control character \\r at column"));
    CHECK_THAT(check.output, Catch::Contains("control character \\x1b at column 1"));
    CHECK_THAT(check.output, !Catch::Contains("hunter2"));
    CHECK(check.output.find('\r') == std::string::npos);
    CHECK(check.output.find('\x1b') == std::string::npos);
    // A binary file given as the config: one error.
    write_file(dir / "binary.ini", std::string("ID3\x04\0\0\0\0\x01\x02\xff\xfb\x90\x64", 14));
    const auto binary = run_command("'" + isrd_path().string() + "' --check-config '" +
                                    (dir / "binary.ini").string() + "'");
    CHECK(binary.status == 1);
    CHECK_THAT(binary.output,
               Catch::Contains("this is not a text file") && Catch::Contains("1 problem(s)"));
}

TEST_CASE("one isrd per recordings folder, and SIGHUP reopens the log", "[integration][isrd]") {
    TempDir dir("isr-lock");
    const auto config = write_generator_config(dir);
    ChildProcess first({isrd_path().string(), config.string()}, dir / "first.log");
    REQUIRE(wait_until([&] { return fs::exists(dir / "rec" / "status.json"); }, 10s));
    ChildProcess second({isrd_path().string(), config.string()}, dir / "second.log");
    CHECK(second.wait(5s) == 1);
    CHECK_THAT(second.log(), Catch::Contains("another isrd is already recording into"));

    fs::rename(dir / "recorder.log", dir / "recorder.log.1");
    first.signal(SIGHUP);
    REQUIRE(wait_until([&] { return fs::exists(dir / "recorder.log"); }, 5s));
    REQUIRE(wait_until(
        [&] { return read_file(dir / "recorder.log").find("recording to") != std::string::npos; },
        5s));
    CHECK(first.stop() == 0);
}
