// RecordingLevels: complete with the file's key at close, left unfinished when the file keeps
// less, removed when the recording is gone.
#include "common/analysis_cache_paths.hpp"
#include "common/file_util.hpp"
#include "common/levels/levels_file.hpp"
#include "recorder/levels/recording_levels.hpp"
#include "tests/recorder/scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>

#include <sys/stat.h>

using namespace isr;
using namespace isr::rec;
namespace fs = std::filesystem;

TEST_CASE("record-time levels: complete at close, unfinished when the file was cut back, removed "
          "when lost",
          "[recorder][levels]") {
    test::ScratchDir dir("isr-reclevels");
    const auto analyses = dir.path / "analyses";
    const auto recording = dir.path / "a.wav";
    std::ofstream(recording) << "audio";
    const Logger log("t");
    std::vector<float> sink;
    RecordingLevels levels(analyses, log, [&](float db) { sink.push_back(db); });
    const std::vector<float> half(8000 * 2, 0.5f); // 1 s of 8 kHz stereo at -6 dBFS

    levels.begin(recording, "a.wav", 8000, 2);
    levels.add(half.data(), 8000);
    levels.add(half.data(), 400); // and a partial window
    CHECK(sink.size() == 10);
    levels.end(8400);
    CHECK(sink.size() == 11); // the partial window too
    auto file = read_levels_file(levels_path(analyses, "a.wav"));
    REQUIRE(file);
    struct stat st {};
    REQUIRE(::stat(recording.c_str(), &st) == 0);
    CHECK(file->complete_for(file_key(st)));
    CHECK(file->levels.db.size() == 11);
    CHECK(file->levels.db[0] == Approx(-6.02).margin(0.01));

    // A failed write cut the file back: it keeps less than was measured. The levels stay
    // unfinished (what was appended), never completed with the file's key.
    levels.begin(recording, "a.wav", 8000, 2);
    levels.add(half.data(), 8000);
    levels.end(4000);
    file = read_levels_file(levels_path(analyses, "a.wav"));
    REQUIRE(file);
    CHECK_FALSE(file->stamp.complete);
    CHECK(file->prefix_of(static_cast<std::uint64_t>(st.st_ino)));

    levels.begin(recording, "a.wav", 8000, 2);
    levels.add(half.data(), 8000);
    CHECK(fs::exists(levels_path(analyses, "a.wav"))); // appended once a second
    levels.lose();
    CHECK_FALSE(fs::exists(levels_path(analyses, "a.wav")));
}

TEST_CASE("record-time levels without a folder feed only the window sink", "[recorder][levels]") {
    test::ScratchDir dir("isr-reclevels");
    const auto recording = dir.path / "a.wav";
    std::ofstream(recording) << "audio";
    const Logger log("t");
    std::size_t windows = 0;
    RecordingLevels levels({}, log, [&](float) { ++windows; });
    const std::vector<float> half(8000, 0.5f);
    levels.begin(recording, "a.wav", 8000, 1);
    levels.add(half.data(), 8000);
    levels.end(8000);
    CHECK(windows == 10);
    CHECK(fs::directory_iterator(dir.path) != fs::directory_iterator());
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::recursive_directory_iterator(dir.path))
        ++entries;
    CHECK(entries == 1); // the recording alone
}
