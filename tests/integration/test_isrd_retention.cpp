// isrd's disk guard on a real small filesystem: old recordings go when the free space falls
// below min_free_percent; when none may go, a disk_low alarm in status.json, cleared by the
// pass a split starts once they may.
#include "common/status_file.hpp"
#include "tests/integration/support/isrd_run.hpp"
#include "tests/integration/support/small_filesystem.hpp"

#include <catch2/catch.hpp>

using namespace isr;
using namespace isr::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr const char* kSource = "[gen]\ntype = generator\nsample_rate = 8000\nchannels = 1\n"
                                "filename_pattern = {source}/%Y/%m/%d/{source}_%H%M%S\n"
                                "timezone = UTC\n";

// Five old recordings of 500 kB: 2.5 MB of the 4 MiB filesystem, so 39 % is free.
std::vector<fs::path> old_recordings(const fs::path& recordings) {
    std::vector<fs::path> files;
    for (int day = 1; day <= 5; ++day) {
        files.push_back(recordings / ("gen/2020/01/0" + std::to_string(day) + "/gen_000000.wav"));
        write_file(files.back(), std::string(500000, 'x'));
        // Finished long ago: retention leaves recently modified files alone.
        fs::last_write_time(files.back(),
                            fs::file_time_type::clock::now() - std::chrono::hours(24));
    }
    return files;
}

// Every line of the continuity ledger's month files, as one text.
std::string ledger_text(const fs::path& recordings) {
    std::string all;
    if (fs::exists(recordings / "events")) {
        for (const auto& file : fs::directory_iterator(recordings / "events"))
            all += read_file(file.path());
    }
    return all;
}

std::optional<Alarm> alarm(const IsrdRun& run) {
    const auto reading = read_status_file(run.recordings / "status.json");
    return reading.status ? reading.status->alarm : std::nullopt;
}

} // namespace

TEST_CASE("isrd's disk guard deletes the oldest recordings until the disk is above",
          "[integration][isrd]") {
    IsrdRun run;
    const SmallFilesystem disk(run.recordings, "4m");
    if (!disk.mounted())
        return;
    const auto files = old_recordings(run.recordings);
    write_file(run.recordings / "gen/2020/01/01/notes.txt", "not a recording");
    run.write_config("min_free_percent = 50\nsplit_interval = 1h", kSource);
    run.start();
    REQUIRE(run.wait_for_state("gen", "recording", 10s));
    REQUIRE(wait_until([&] { return !fs::exists(files[0]); }, 10s));
    REQUIRE(wait_until(
        [&] {
            return run.process->log().find("[retention] deleted gen/2020/01/01/gen_000000.wav "
                                           "(free space below min_free_percent = 50") !=
                   std::string::npos;
        },
        5s));
    // The deletion is in the continuity ledger, with its reason and size.
    REQUIRE(wait_until(
        [&] {
            const auto ledger = ledger_text(run.recordings);
            return ledger.find(R"("event":"retention_delete","source":"gen")") !=
                       std::string::npos &&
                   ledger.find(R"("path":"gen/2020/01/01/gen_000000.wav")") != std::string::npos &&
                   ledger.find(R"("bytes":500000)") != std::string::npos;
        },
        5s));
    // One file was enough; the rest, and what is not a recording, stay.
    CHECK(fs::exists(files[4]));
    CHECK(fs::exists(files[3]));
    CHECK(fs::exists(run.recordings / "gen/2020/01/01/notes.txt"));
    CHECK(fs::exists(run.recordings / "status.json"));
    REQUIRE(wait_until([&] { return fs::exists(run.recordings / "status.json"); }, 5s));
    CHECK_FALSE(alarm(run));
}

TEST_CASE("isrd raises disk_low when only kept files are left, and clears it at a split",
          "[integration][isrd]") {
    IsrdRun run;
    const SmallFilesystem disk(run.recordings, "4m");
    if (!disk.mounted())
        return;
    const auto files = old_recordings(run.recordings);
    for (const auto& f : files)
        write_file(f.string() + ".keep", "");
    // The 4 MB filesystem is sized for the recordings alone: no levels files in it.
    run.write_config("min_free_percent = 50\nsplit_interval = 2s\nlevels = no", kSource);
    run.start();
    REQUIRE(wait_until([&] { return alarm(run).has_value(); }, 10s));
    const auto raised = *alarm(run);
    CHECK(raised.kind == "disk_low");
    CHECK_FALSE(raised.since.empty());
    CHECK_THAT(raised.message, Catch::Contains("5 kept files"));
    CHECK_THAT(run.process->log(), Catch::Contains("[retention] disk low:"));
    for (const auto& f : files)
        CHECK(fs::exists(f));

    // Unkept: the next split's pass deletes the oldest, and the alarm goes.
    fs::remove(files[0].string() + ".keep");
    REQUIRE(wait_until([&] { return !fs::exists(files[0]); }, 10s));
    REQUIRE(wait_until([&] { return !alarm(run).has_value(); }, 10s));
    CHECK_THAT(run.process->log(), Catch::Contains("disk space is above the guard again"));
    CHECK(fs::exists(files[4]));
}
