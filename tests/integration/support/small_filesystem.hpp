#pragma once

#include <filesystem>
#include <string>

namespace isr::test {

// A tmpfs of a few hundred KiB mounted on a fresh folder, so a test can fill a disk for real
// without touching the machine's. Unmounted (lazily, in case a process still holds a file) when
// it goes out of scope. Mounting needs root, as in CI; elsewhere mounted() is false and a
// Catch2 WARN says the test is skipped.
class SmallFilesystem {
public:
    SmallFilesystem(std::filesystem::path where, const std::string& size);
    ~SmallFilesystem();
    SmallFilesystem(const SmallFilesystem&) = delete;
    SmallFilesystem& operator=(const SmallFilesystem&) = delete;

    bool mounted() const noexcept { return mounted_; }
    const std::filesystem::path& path() const noexcept { return path_; }

    // Fills every free byte with a file named `name` (until ENOSPC) and returns its path:
    // the next write of anyone on this filesystem fails. Remove the file to make room again.
    std::filesystem::path fill(const std::string& name = "ballast") const;
    // Remounts it read-only, like a `:ro` volume or systemd's ReadOnlyPaths=. False on failure.
    bool make_read_only() const;

private:
    std::filesystem::path path_;
    bool mounted_ = false;
};

} // namespace isr::test
