#pragma once

#include <cstdint>

#include <sys/stat.h>

namespace isr {

// A recording as it is now: what caches are keyed by (analysis files, media facts) and ETags
// are made of, so a changed file is never answered from what was known of it before.
struct FileKey {
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const FileKey&) const = default;
};

inline FileKey file_key(const struct stat& st) noexcept {
    return {static_cast<std::uint64_t>(st.st_size),
            std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

} // namespace isr
