#include "common/config.hpp"
#include "recorder/retention/retention_scan.hpp"
#include "recorder/retention/retention_worker.hpp"
#include "tests/recorder/scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>

#include <fcntl.h>
#include <sys/stat.h>

using namespace isr::rec;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& path, std::size_t bytes = 100) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << std::string(bytes, 'x');
}

void set_mtime(const fs::path& path, std::int64_t seconds) {
    const timespec times[2] = {{seconds, 0}, {seconds, 0}};
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
}

ScanSource source(const std::string& name, const fs::path& root, const std::string& pattern) {
    return {name, root, RecordingNames(pattern, name, isr::TimeZone::utc())};
}

std::map<std::string, RetentionCandidate> by_name(const ScanResult& r) {
    std::map<std::string, RetentionCandidate> out;
    for (const auto& f : r.files)
        out[f.candidate.name] = f.candidate;
    return out;
}

constexpr std::int64_t k20261001 = 1790812800; // 2026-10-01 00:00:00 UTC
constexpr const char* kDated = "{source}/%Y/%m/%d/{source}_%H%M%S";

} // namespace

TEST_CASE("recording names follow the pattern, a collision suffix and isrd's extensions",
          "[recorder][retention]") {
    RecordingNames dated(kDated, "radio1", isr::TimeZone::utc());
    CHECK(dated.fixed_folders() == std::vector<std::string>{"radio1"});
    CHECK(dated.depth() == 4);
    CHECK(dated.folder_matches(0, "2026"));
    CHECK_FALSE(dated.folder_matches(0, "analyses"));
    CHECK_FALSE(dated.folder_matches(3, "radio1_000000.mp3")); // the file level is no folder
    const auto m = dated.match({"2026", "10", "01", "radio1_013000.mp3"});
    REQUIRE(m);
    CHECK(m->start == k20261001 + 5400);
    CHECK(dated.match({"2026", "10", "01", "radio1_013000_2.flac"}));
    CHECK_FALSE(dated.match({"2026", "10", "01", "radio1_013000.mp3.keep"}));
    CHECK_FALSE(dated.match({"2026", "10", "01", "radio1_013000.txt"}));
    CHECK_FALSE(dated.match({"2026", "10", "01", "radio2_013000.mp3"}));
    CHECK_FALSE(dated.match({"2026", "10", "01", "radio1_0130.mp3"}));

    // A name that is no real time falls back to the mtime (start unset), still a recording.
    const auto bad = dated.match({"2026", "13", "01", "radio1_013000.mp3"});
    REQUIRE(bad);
    CHECK_FALSE(bad->start);

    RecordingNames flat("%Y%m%d_%H%M%S", "mic", isr::TimeZone::locate("Europe/Berlin"));
    CHECK(flat.fixed_folders().empty());
    const auto local = flat.match({"20261001_020000.wav"});
    REQUIRE(local);
    CHECK(local->start == k20261001); // 02:00 CEST is 00:00 UTC
    CHECK_FALSE(flat.match({"status.json"}));
    CHECK_FALSE(flat.match({"holiday.wav"}));

    RecordingNames undated("{source}/take", "mic", isr::TimeZone::utc());
    const auto u = undated.match({"take_3.wav"});
    REQUIRE(u);
    CHECK_FALSE(u->start);
}

TEST_CASE("the retention scan finds recordings, skips links and reads ages from names",
          "[recorder][retention]") {
    isr::test::ScratchDir scratch("isr-retention");
    const auto root = scratch.path / "rec";
    const auto outside = scratch.path / "outside";
    const auto day = root / "radio1/2026/10/01";
    write(day / "radio1_000000.mp3", 1000);
    write(day / "radio1_000000_1.mp3", 10);
    write(day / "radio1_010000.mp3");
    write(day / "radio1_010000.mp3.keep", 0);
    write(day / "notes.txt");
    write(day / ".radio1_030000.mp3");
    write(root / "status.json");
    write(root / "radio1/analyses/radio1_000000.mp3.levels");
    write(outside / "radio1_020000.mp3");
    write(outside / "day/radio1_000000.mp3");
    fs::create_symlink(outside / "radio1_020000.mp3", day / "radio1_020000.mp3");
    fs::create_symlink(outside / "day", root / "radio1/2026/10/02");
    set_mtime(day / "radio1_000000.mp3", k20261001 + 86400 * 30); // the name wins over mtime

    // An undated pattern: the age is the mtime.
    write(root / "mic/take.wav");
    write(root / "mic/take_1.wav");
    set_mtime(root / "mic/take.wav", 1'000'000'000);

    const std::vector<ScanSource> sources = {source("radio1", root, kDated),
                                             source("mic", root, "{source}/take")};
    const auto result = scan_recordings(sources, root, {"radio1/**/*_000000_1.mp3"}, 0);
    CHECK(result.problems.empty());
    const auto files = by_name(result);
    std::vector<std::string> names;
    for (const auto& [name, c] : files)
        names.push_back(name);
    CHECK(names == std::vector<std::string>{"mic/take.wav", "mic/take_1.wav",
                                            "radio1/2026/10/01/radio1_000000.mp3",
                                            "radio1/2026/10/01/radio1_000000_1.mp3",
                                            "radio1/2026/10/01/radio1_010000.mp3"});
    const auto& first = files.at("radio1/2026/10/01/radio1_000000.mp3");
    CHECK(first.start == k20261001);
    CHECK(first.bytes == 1000);
    CHECK(first.source == 0);
    CHECK_FALSE(first.kept);
    CHECK(files.at("radio1/2026/10/01/radio1_000000_1.mp3").kept); // by the protect glob
    CHECK(files.at("radio1/2026/10/01/radio1_010000.mp3").kept);   // by its .keep marker
    CHECK(files.at("mic/take.wav").start == 1'000'000'000);
    CHECK(files.at("mic/take.wav").mtime == 1'000'000'000);
    CHECK(files.at("mic/take.wav").source == 1);

    // Two sources whose patterns name the same files: each file is listed once, for the first.
    const std::vector<ScanSource> twins = {source("a", root, "mic/take"),
                                           source("b", root, "mic/take")};
    const auto shared = scan_recordings(twins, root, {}, 0);
    CHECK(shared.files.size() == 2);
    CHECK(std::all_of(shared.files.begin(), shared.files.end(),
                      [](const ScannedFile& f) { return f.source == 0; }));
}

TEST_CASE("a retention deletion removes empty date folders and never goes through a link",
          "[recorder][retention]") {
    isr::test::ScratchDir scratch("isr-retention");
    const auto root = scratch.path / "rec";
    const auto outside = scratch.path / "outside";
    write(root / "radio1/2026/10/01/radio1_000000.mp3");
    write(root / "radio1/2026/10/02/radio1_000000.mp3");
    write(root / "radio1/2026/10/02/radio1_010000.mp3");
    write(outside / "radio1_000000.mp3");
    const std::vector<ScanSource> sources = {source("radio1", root, kDated)};
    const auto result = scan_recordings(sources, root, {}, 0);
    REQUIRE(result.files.size() == 3);
    const auto find = [&](const std::string& name) {
        return *std::find_if(result.files.begin(), result.files.end(),
                             [&](const ScannedFile& f) { return f.candidate.name == name; });
    };

    CHECK(delete_recording(sources[0], find("radio1/2026/10/01/radio1_000000.mp3")) == 0);
    CHECK_FALSE(fs::exists(root / "radio1/2026/10/01"));
    CHECK(fs::exists(root / "radio1/2026/10/02/radio1_000000.mp3"));
    CHECK(fs::is_directory(root / "radio1")); // a fixed folder stays

    // The date folder is swapped for a link to a folder outside holding the same name.
    fs::rename(root / "radio1/2026/10/02", scratch.path / "moved");
    fs::create_symlink(outside, root / "radio1/2026/10/02");
    const int err = delete_recording(sources[0], find("radio1/2026/10/02/radio1_000000.mp3"));
    CHECK((err == ELOOP || err == ENOTDIR)); // O_NOFOLLOW|O_DIRECTORY on a link
    CHECK(fs::exists(outside / "radio1_000000.mp3"));
    fs::remove(root / "radio1/2026/10/02");
    fs::rename(scratch.path / "moved", root / "radio1/2026/10/02");

    // Another file under the same name since the scan: left alone. Made before the old one
    // goes, so that the filesystem cannot hand it the freed inode number.
    write(root / "radio1/2026/10/02/new.tmp");
    fs::rename(root / "radio1/2026/10/02/new.tmp", root / "radio1/2026/10/02/radio1_010000.mp3");
    CHECK(delete_recording(sources[0], find("radio1/2026/10/02/radio1_010000.mp3")) == ESTALE);
    CHECK(fs::exists(root / "radio1/2026/10/02/radio1_010000.mp3"));
}

TEST_CASE("a retention pass deletes old recordings, their caches, and reports each",
          "[recorder][retention]") {
    isr::test::ScratchDir scratch("isr-retention");
    const auto root = scratch.path / "rec";
    const auto outside = scratch.path / "outside";
    const auto config = isr::parse_config(
        "[general]\noutput_directory = " + root.string() +
            "\nfilename_pattern = {source}/%Y/%m/%d/{source}_%H%M%S\ntimezone = UTC\n"
            "protect = radio1/2026/09/15/*\n"
            "[radio1]\ntype = generator\nretention_days = 30\n"
            "[mic]\ntype = generator\n",
        "test.ini");
    const auto old_day = root / "radio1/2026/09/01";
    write(old_day / "radio1_000000.wav");
    write(old_day / "radio1_010000.wav"); // being written (a clock set back)
    write(old_day / "radio1_020000.wav");
    write(old_day / "radio1_020000.wav.keep", 0); // kept by its marker
    write(old_day / "radio1_050000.wav");         // kept by a mark in the cache folder
    write(root / "analyses/radio1/2026/09/01/radio1_050000.wav.keep", 0);
    write(root / "radio1/2026/09/15/radio1_000000.wav"); // kept by protect
    write(root / "radio1/2026/10/20/radio1_000000.wav"); // young enough
    write(root / "mic/2020/01/01/mic_000000.wav");       // mic has no limit
    write(old_day / "radio1_030000.txt");                // not a recording
    write(outside / "radio1_040000.wav");
    fs::create_symlink(outside / "radio1_040000.wav", old_day / "radio1_040000.wav");
    write(root / "analyses/radio1/2026/09/01/radio1_000000.wav.levels");
    write(root / "analyses/radio1/2026/09/01/radio1_000000.wav.analysis.json");

    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (!entry.is_symlink())
            set_mtime(entry.path(), k20261001); // written long ago, as a pass sees them
    }

    std::vector<RetentionDeletion> reported;
    RetentionWorker worker(
        config, [] { return std::set<std::string>{"radio1/2026/09/01/radio1_010000.wav"}; },
        [&](const RetentionDeletion& d) { reported.push_back(d); });
    const auto done = worker.run_pass(k20261001 + 86400 * 20); // 2026-10-21

    REQUIRE(reported.size() == 1);
    CHECK(reported[0].path == "radio1/2026/09/01/radio1_000000.wav");
    CHECK(reported[0].source == "radio1");
    CHECK(reported[0].reason == "older than 30 days");
    CHECK(reported[0].bytes == 100);
    CHECK(done.size() == 1);
    CHECK_FALSE(fs::exists(old_day / "radio1_000000.wav"));
    CHECK_FALSE(fs::exists(root / "analyses/radio1/2026/09/01/radio1_000000.wav.levels"));
    CHECK_FALSE(fs::exists(root / "analyses/radio1/2026/09/01/radio1_000000.wav.analysis.json"));
    CHECK(fs::exists(old_day / "radio1_010000.wav"));
    CHECK(fs::exists(old_day / "radio1_020000.wav"));
    CHECK(fs::exists(old_day / "radio1_020000.wav.keep"));
    CHECK(fs::exists(old_day / "radio1_050000.wav"));
    CHECK(fs::exists(root / "radio1/2026/09/15/radio1_000000.wav"));
    CHECK(fs::exists(root / "radio1/2026/10/20/radio1_000000.wav"));
    CHECK(fs::exists(root / "mic/2020/01/01/mic_000000.wav"));
    CHECK(fs::exists(old_day / "radio1_030000.txt"));
    CHECK(fs::is_symlink(old_day / "radio1_040000.wav"));
    CHECK(fs::exists(outside / "radio1_040000.wav"));
    CHECK_FALSE(worker.alarm());
}

TEST_CASE("a retention pass removes the caches from analyses_directory when it is set",
          "[recorder][retention]") {
    isr::test::ScratchDir scratch("isr-retention");
    const auto root = scratch.path / "rec";
    const auto cache = scratch.path / "cache";
    const auto config = isr::parse_config(
        "[general]\noutput_directory = " + root.string() +
            "\nanalyses_directory = " + cache.string() +
            "\nfilename_pattern = {source}/{source}_%Y%m%d_%H%M%S\ntimezone = UTC\n"
            "[radio1]\ntype = generator\nretention_days = 30\n",
        "test.ini");
    write(root / "radio1/radio1_20260901_000000.wav");
    write(cache / "radio1/radio1_20260901_000000.wav.levels");
    write(root / "analyses/radio1/radio1_20260901_000000.wav.levels"); // not the cache any more
    set_mtime(root / "radio1/radio1_20260901_000000.wav", k20261001);
    RetentionWorker worker(
        config, [] { return std::set<std::string>{}; }, [](const RetentionDeletion&) {});
    CHECK(worker.run_pass(k20261001 + 86400 * 20).size() == 1);
    CHECK_FALSE(fs::exists(root / "radio1/radio1_20260901_000000.wav"));
    CHECK_FALSE(fs::exists(cache / "radio1/radio1_20260901_000000.wav.levels"));
    CHECK(fs::exists(root / "analyses/radio1/radio1_20260901_000000.wav.levels"));
}
