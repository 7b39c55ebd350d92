#include "recorder/retention/retention_plan.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace isr::rec;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::int64_t kDay = 86400;

RetentionCandidate file(std::string name, std::size_t source, std::int64_t start,
                        std::uint64_t bytes = 1000, bool kept = false) {
    RetentionCandidate c;
    c.name = std::move(name);
    c.source = source;
    c.start = start;
    c.bytes = bytes;
    c.allocated = bytes;
    c.kept = kept;
    return c;
}

// The names the plan deletes, in its order.
std::vector<std::string> deleted(const RetentionInput& in, const RetentionPlan& plan) {
    std::vector<std::string> names;
    for (const auto& d : plan.deletions)
        names.push_back(in.files[d.file].name);
    return names;
}

RetentionInput two_sources() {
    RetentionInput in;
    in.now = kNow;
    in.sources = {{"radio1", 0, 0}, {"mic", 0, 0}};
    return in;
}

} // namespace

TEST_CASE("retention deletes by age only files older than the limit", "[recorder][retention]") {
    auto in = two_sources();
    in.sources[0].max_age_days = 30;
    in.files = {file("radio1/a.mp3", 0, kNow - 31 * kDay),
                file("radio1/b.mp3", 0, kNow - 29 * kDay),
                file("radio1/c.mp3", 0, kNow - 30 * kDay),  // exactly 30 days: not older
                file("mic/old.wav", 1, kNow - 400 * kDay)}; // mic has no limit
    const auto plan = plan_retention(in);
    CHECK(deleted(in, plan) == std::vector<std::string>{"radio1/a.mp3"});
    REQUIRE(plan.deletions.size() == 1);
    CHECK(plan.deletions[0].reason == "older than 30 days");
    CHECK(plan.unmet.empty());
    CHECK_FALSE(plan.disk_low);
}

TEST_CASE("retention by age never deletes kept or active files", "[recorder][retention]") {
    auto in = two_sources();
    in.sources[0].max_age_days = 1.5;
    in.files = {file("radio1/kept.mp3", 0, kNow - 10 * kDay, 10, true),
                file("radio1/active.mp3", 0, kNow - 10 * kDay),
                file("radio1/old.mp3", 0, kNow - 2 * kDay)};
    in.active = {"radio1/active.mp3"};
    const auto plan = plan_retention(in);
    CHECK(deleted(in, plan) == std::vector<std::string>{"radio1/old.mp3"});
    CHECK(plan.deletions[0].reason == "older than 1.50 days");
}

TEST_CASE("retention by size deletes a source's oldest until it fits", "[recorder][retention]") {
    auto in = two_sources();
    in.sources[0].max_bytes = 2500;
    in.files = {file("radio1/3.mp3", 0, kNow - 1 * kDay), file("radio1/1.mp3", 0, kNow - 3 * kDay),
                file("radio1/2.mp3", 0, kNow - 2 * kDay), file("radio1/4.mp3", 0, kNow),
                file("mic/x.wav", 1, kNow - 100 * kDay, 100000)}; // another source's files
    in.active = {"radio1/4.mp3"}; // counts toward the total, never deleted
    const auto plan = plan_retention(in);
    CHECK(deleted(in, plan) == std::vector<std::string>{"radio1/1.mp3", "radio1/2.mp3"});
    CHECK(plan.deletions[0].reason.find("radio1 above retention_max_gb") == 0);
    CHECK(plan.unmet.empty());
}

TEST_CASE("retention by size says so when kept files hold it above the limit",
          "[recorder][retention]") {
    auto in = two_sources();
    in.sources[0].max_bytes = 1500;
    in.files = {file("radio1/1.mp3", 0, kNow - 3 * kDay, 1000, true),
                file("radio1/2.mp3", 0, kNow - 2 * kDay, 1000, true),
                file("radio1/3.mp3", 0, kNow - 1 * kDay, 1000)};
    const auto plan = plan_retention(in);
    // Deleting the one deletable file is not enough, and it is still deleted: a limit is a limit.
    CHECK(deleted(in, plan) == std::vector<std::string>{"radio1/3.mp3"});
    REQUIRE(plan.unmet.size() == 1);
    CHECK(plan.unmet[0].first == "radio1");
    CHECK(plan.unmet[0].second.find("2 kept files") != std::string::npos);
}

TEST_CASE("age and size together delete each file once", "[recorder][retention]") {
    auto in = two_sources();
    in.sources[0].max_age_days = 10;
    in.sources[0].max_bytes = 1000;
    in.files = {file("radio1/a.mp3", 0, kNow - 20 * kDay), file("radio1/b.mp3", 0, kNow - 5 * kDay),
                file("radio1/c.mp3", 0, kNow - 1 * kDay)};
    const auto plan = plan_retention(in);
    CHECK(deleted(in, plan) == std::vector<std::string>{"radio1/a.mp3", "radio1/b.mp3"});
    CHECK(plan.deletions[0].reason == "older than 10 days");
    CHECK(plan.deletions[1].reason.find("above retention_max_gb") != std::string::npos);
}

TEST_CASE("the disk guard deletes oldest first across sources until above",
          "[recorder][retention]") {
    auto in = two_sources();
    in.guard.min_free_percent = 10;
    in.disk = DiskSpace{100000, 7000}; // 7 % free, 10 000 needed
    in.files = {file("radio1/r1.mp3", 0, kNow - 5 * kDay, 1500),
                file("mic/m1.wav", 1, kNow - 6 * kDay, 1500),
                file("radio1/r2.mp3", 0, kNow - 4 * kDay, 1500),
                file("mic/m2.wav", 1, kNow - 3 * kDay, 1500)};
    const auto plan = plan_retention(in);
    // 7000 + 1500 + 1500 = 10 000: stops there.
    CHECK(deleted(in, plan) == std::vector<std::string>{"mic/m1.wav", "radio1/r1.mp3"});
    CHECK(plan.deletions[0].reason == "free space below min_free_percent = 10 (7.0 % free)");
    CHECK_FALSE(plan.disk_low);
}

TEST_CASE("the disk guard counts what age and size freed first", "[recorder][retention]") {
    auto in = two_sources();
    in.sources[1].max_age_days = 1;
    in.guard.min_free_bytes = 5000;
    in.disk = DiskSpace{100000, 3000};
    in.files = {file("mic/old.wav", 1, kNow - 2 * kDay, 2000),
                file("radio1/r1.mp3", 0, kNow - 5 * kDay, 2000)};
    const auto plan = plan_retention(in);
    CHECK(deleted(in, plan) == std::vector<std::string>{"mic/old.wav"});
    CHECK_FALSE(plan.disk_low);
}

TEST_CASE("the disk guard uses the larger of percent and bytes", "[recorder][retention]") {
    CHECK(required_free_bytes(DiskGuard{10, 0}, 1000) == 100);
    CHECK(required_free_bytes(DiskGuard{10, 500}, 1000) == 500);
    CHECK(required_free_bytes(DiskGuard{50, 100}, 1000) == 500);
    CHECK(required_free_bytes(DiskGuard{0, 0}, 1000) == 0);
}

TEST_CASE("the disk guard raises disk_low when nothing may be deleted", "[recorder][retention]") {
    auto in = two_sources();
    in.guard.min_free_percent = 50;
    in.disk = DiskSpace{10000, 1000};
    in.files = {file("radio1/kept.mp3", 0, kNow - 5 * kDay, 3000, true),
                file("radio1/now.mp3", 0, kNow, 3000)};
    in.active = {"radio1/now.mp3"};
    const auto plan = plan_retention(in);
    CHECK(plan.deletions.empty());
    REQUIRE(plan.disk_low);
    CHECK(plan.disk_low->find("1 kept file") != std::string::npos);
    CHECK(plan.disk_low->find("the file being written") != std::string::npos);
    CHECK(plan.disk_low->find("min_free_percent = 50") != std::string::npos);
}

TEST_CASE("the disk guard leaves files on other filesystems alone", "[recorder][retention]") {
    auto in = two_sources();
    in.guard.min_free_bytes = 5000;
    in.disk = DiskSpace{100000, 1000};
    in.files = {file("mic/elsewhere.wav", 1, kNow - 9 * kDay, 9000),
                file("radio1/here.mp3", 0, kNow - 1 * kDay, 9000)};
    in.files[0].on_guarded_disk = false;
    const auto plan = plan_retention(in);
    CHECK(deleted(in, plan) == std::vector<std::string>{"radio1/here.mp3"});
}

TEST_CASE("the disk guard does nothing when off or when the free space is unknown",
          "[recorder][retention]") {
    auto in = two_sources();
    in.files = {file("radio1/a.mp3", 0, kNow - 9 * kDay)};
    in.disk = DiskSpace{100000, 0};
    CHECK(plan_retention(in).deletions.empty()); // no guard set
    in.guard.min_free_percent = 10;
    in.disk.reset();
    const auto plan = plan_retention(in);
    CHECK(plan.deletions.empty());
    CHECK_FALSE(plan.disk_low);
}

TEST_CASE("equal start times go by name, and the order does not depend on the input's",
          "[recorder][retention]") {
    auto in = two_sources();
    in.guard.min_free_bytes = 3000;
    in.disk = DiskSpace{100000, 1000};
    in.files = {file("radio1/b.mp3", 0, kNow - kDay), file("mic/z.wav", 1, kNow - kDay),
                file("radio1/a.mp3", 0, kNow - kDay), file("radio1/c.mp3", 0, kNow - kDay)};
    const auto expected = std::vector<std::string>{"mic/z.wav", "radio1/a.mp3"};
    CHECK(deleted(in, plan_retention(in)) == expected);
    std::reverse(in.files.begin(), in.files.end());
    CHECK(deleted(in, plan_retention(in)) == expected);
}

TEST_CASE("retention with no limits deletes nothing", "[recorder][retention]") {
    auto in = two_sources();
    in.files = {file("radio1/a.mp3", 0, 0), file("mic/b.wav", 1, kNow - 1000 * kDay)};
    const auto plan = plan_retention(in);
    CHECK(plan.deletions.empty());
    CHECK(plan.unmet.empty());
    CHECK_FALSE(plan.disk_low);
}

TEST_CASE("retention leaves alone a file modified within idle_seconds", "[recorder][retention]") {
    auto in = two_sources();
    in.idle_seconds = 120;
    in.guard.min_free_bytes = 100000;
    in.disk = DiskSpace{1000000, 0};
    in.files = {file("radio1/old.mp3", 0, kNow - 9 * kDay), file("radio1/new.mp3", 0, kNow - 60),
                file("radio1/future.mp3", 0, kNow - 9 * kDay)};
    in.files[0].mtime = kNow - 8 * kDay;
    in.files[1].mtime = kNow - 30;   // just created by a split, not yet in status
    in.files[2].mtime = kNow + 3600; // a clock set back: treated as busy too
    const auto plan = plan_retention(in);
    CHECK(deleted(in, plan) == std::vector<std::string>{"radio1/old.mp3"});
    REQUIRE(plan.disk_low);
    CHECK(plan.disk_low->find("the file being written") != std::string::npos);
}
