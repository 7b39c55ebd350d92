#include "recorder/folder_watch.hpp"

#include "scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>

namespace fs = std::filesystem;
using isr::test::ScratchDir;

namespace {

// A folder like a recordings folder: a source's subfolder with a file in it.
void fill(const fs::path& folder) {
    fs::create_directories(folder / "radio");
    std::ofstream(folder / "radio" / "a.mp3") << "x";
}

// A recordings folder, watched since its file was opened.
struct Watched {
    ScratchDir scratch;
    fs::path rec = scratch.path / "rec";
    isr::rec::FolderWatch watch{rec};
    Watched() {
        fill(rec);
        watch.file_opened();
    }
};

} // namespace

TEST_CASE("FolderWatch: a folder removed and created again at once is told from a deleted file",
          "[folder_watch]") {
    Watched w;
    const auto& rec = w.rec;
    // `rm -rf rec && mkdir rec`: ext4 hands the freed inode number to the new folder, which a
    // watch holding only (device, inode) took for the same folder.
    fs::remove_all(rec);
    fs::create_directory(rec);
    fill(rec);
    CHECK_THAT(w.watch.deleted("radio/a.mp3", 2.5),
               Catch::StartsWith("output_directory " + rec.string() +
                                 " was removed while recording: the 2.5 s of audio written to "
                                 "radio/a.mp3 since it was opened are lost"));
}

TEST_CASE("FolderWatch: a file deleted from a folder still there is named as such",
          "[folder_watch]") {
    Watched w;
    const auto& rec = w.rec;
    fs::remove(rec / "radio" / "a.mp3");
    CHECK_THAT(w.watch.deleted("radio/a.mp3", 1),
               Catch::StartsWith("radio/a.mp3 was deleted while it was being recorded"));
}

TEST_CASE("FolderWatch: a folder moved away and replaced is a removed folder", "[folder_watch]") {
    Watched w;
    const auto& rec = w.rec;
    fs::rename(rec, w.scratch.path / "rec.old");
    fs::create_directory(rec);
    CHECK_THAT(w.watch.deleted("radio/a.mp3", 1), Catch::Contains(" was removed while recording"));
}
