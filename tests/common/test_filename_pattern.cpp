#include "common/civil_time.hpp"
#include "common/file_util.hpp"
#include "common/filename_pattern.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace isr;

TEST_CASE("file names come from strftime patterns with subdirectories", "[common]") {
    const auto t = civil::days_from_civil(2024, 12, 25) * 86400 + 14 * 3600 + 30 * 60;
    const auto& utc = *TimeZone::locate("UTC");
    CHECK(FilenamePattern("%Y%m%d_%H%M%S").expand("s", t, utc) == "20241225_143000");
    CHECK(FilenamePattern("radio_%Y-%m-%d_%H%M").expand("s", t, utc) == "radio_2024-12-25_1430");
    CHECK(FilenamePattern("%Y/%m/%d/rec_%H%M%S").expand("s", t, utc) == "2024/12/25/rec_143000");
    CHECK(FilenamePattern("{source}/{source}-%H").expand("mic", t, utc) == "mic/mic-14");
}

TEST_CASE("bad patterns are explained", "[common]") {
    CHECK_FALSE(FilenamePattern::problem("%Y/%m/%d/rec_%H%M%S"));
    CHECK(FilenamePattern::problem(""));
    CHECK(FilenamePattern::problem("/etc/x"));
    CHECK(FilenamePattern::problem("a//b"));
    CHECK(FilenamePattern::problem("a/../b"));
    CHECK(FilenamePattern::problem("dir/"));
    CHECK(FilenamePattern::problem("x%"));
}

TEST_CASE("files are created exclusively with numbered suffixes", "[common]") {
    const auto dir = std::filesystem::temp_directory_path() / "isr_test_unique";
    std::filesystem::remove_all(dir);
    auto a = create_unique_file(dir, "2024/12/25/rec", ".wav");
    auto b = create_unique_file(dir, "2024/12/25/rec", ".wav");
    auto c = create_unique_file(dir, "2024/12/25/rec", ".wav");
    auto d = create_unique_file(dir, "2024/12/25/rec", ".flac");
    CHECK(a.path == dir / "2024/12/25/rec.wav");
    CHECK(b.path == dir / "2024/12/25/rec_1.wav");
    CHECK(c.path == dir / "2024/12/25/rec_2.wav");
    CHECK(d.path == dir / "2024/12/25/rec.flac");
    CHECK(relative_to(b.path, dir) == "2024/12/25/rec_1.wav");
    std::filesystem::remove_all(dir);
}
