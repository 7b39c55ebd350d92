#include "common/file_util.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <stdlib.h>

using namespace isr;
namespace fs = std::filesystem;

namespace {

// A fresh folder per test run: other builds on this machine run the same tests at once.
struct ScratchDir {
    fs::path path;
    ScratchDir() {
        std::string pattern = (fs::temp_directory_path() / "isr_test_file_util.XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()));
        path = pattern;
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string read(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

TEST_CASE("a replay file is created without overwriting, _N before the extension",
          "[common][replay]") {
    ScratchDir dir;
    const std::string name = "replays/2026-04-08/143052_mic_untitled.wav";
    auto a = create_unique_file_at(dir.path, name);
    write_all(a.fd.get(), "first", a.path.string());
    auto b = create_unique_file_at(dir.path, name);
    auto c = create_unique_file_at(dir.path, name);
    CHECK(a.path == dir.path / "replays/2026-04-08/143052_mic_untitled.wav");
    CHECK(b.path == dir.path / "replays/2026-04-08/143052_mic_untitled_1.wav");
    CHECK(c.path == dir.path / "replays/2026-04-08/143052_mic_untitled_2.wav");
    CHECK(read(a.path) == "first"); // untouched by the later saves

    // The extension is what follows the file name's last '.'; dots in folders do not count.
    CHECK(create_unique_file_at(dir.path, "v1.2/take.one.flac").path ==
          dir.path / "v1.2/take.one.flac");
    CHECK(create_unique_file_at(dir.path, "v1.2/take.one.flac").path ==
          dir.path / "v1.2/take.one_1.flac");
    CHECK(create_unique_file_at(dir.path, "v1.2/noext").path == dir.path / "v1.2/noext");
    CHECK(create_unique_file_at(dir.path, "v1.2/noext").path == dir.path / "v1.2/noext_1");
}

TEST_CASE("a replay file path that could leave its folder is refused", "[common][replay]") {
    ScratchDir dir;
    for (const char* bad :
         {"", "/etc/x.wav", "../x.wav", "a/../../x.wav", "a//x.wav", "./x.wav", "a/", "a/."}) {
        INFO(bad);
        CHECK_THROWS_AS(create_unique_file_at(dir.path, bad), std::invalid_argument);
    }
    CHECK(fs::is_empty(dir.path));
}

TEST_CASE("a replay file that cannot be created names its path", "[common][replay]") {
    ScratchDir dir;
    {
        std::ofstream blocker(dir.path / "replays"); // a file where a folder must go
    }
    try {
        create_unique_file_at(dir.path, "replays/x.wav");
        FAIL("expected std::system_error");
    } catch (const std::system_error& e) {
        CHECK_THAT(e.what(), Catch::Contains((dir.path / "replays").string()));
    }
}
