#include "webserver/archive/archive_index.hpp"

#include "common/audio_formats.hpp"
#include "common/file_key.hpp"
#include "webserver/archive/name_time.hpp"

#include "common/time_format.hpp"

#include <algorithm>
#include <cmath>

#include <sys/stat.h>

namespace isr::web {

namespace fs = std::filesystem;

ArchiveIndex::ArchiveIndex(std::shared_ptr<const RecordingsRoot> root,
                           std::shared_ptr<const TimeZone> zone)
    : root_(std::move(root)), zone_(std::move(zone)) {}

EntryPtr ArchiveIndex::describe(const std::string& relative, const fs::path& absolute,
                                std::uint64_t size, std::int64_t mtime_ns, bool recording) const {
    auto e = std::make_shared<ArchiveEntry>();
    e->name = relative;
    e->size = size;
    e->mtime = static_cast<double>(mtime_ns) / 1e9;
    e->mtime_ns = mtime_ns;
    e->format = std::string(format_of_file(relative)->extension);
    e->media = probe_media(absolute, size, recording);
    const double length = e->media.duration.value_or(0);
    if (const auto t = start_time_from_name(relative, *zone_, e->mtime - length)) {
        e->start = static_cast<double>(*t);
        e->start_from_name = true;
    } else {
        e->start = e->mtime - length;
    }
    e->date = iso8601(static_cast<std::int64_t>(std::floor(e->start)), *zone_);
    return e;
}

EntryPtr ArchiveIndex::entry(const std::string& relative, bool recording) const {
    const auto rec = root_->resolve(relative);
    if (!rec)
        return nullptr;
    std::uint64_t scan;
    {
        std::lock_guard lock(mutex_);
        scan = scans_;
    }
    return entry_at(relative, rec->absolute, recording, scan);
}

EntryPtr ArchiveIndex::entry_at(const std::string& relative, const fs::path& absolute,
                                bool recording, std::uint64_t scan) const {
    struct stat st {};
    if (::stat(absolute.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return nullptr;
    const auto [size, mtime_ns] = file_key(st);
    if (!recording) {
        std::lock_guard lock(mutex_);
        const auto it = cache_.find(relative);
        if (it != cache_.end() && it->second.size == size && it->second.mtime_ns == mtime_ns) {
            it->second.scan = scan;
            return it->second.entry;
        }
    }
    // Probing reads the file: do it without the lock so other requests are not held up.
    auto e = describe(relative, absolute, size, mtime_ns, recording);
    if (!recording) {
        std::lock_guard lock(mutex_);
        cache_[relative] = Cached{size, mtime_ns, scan, e};
    }
    return e;
}

std::vector<EntryPtr> ArchiveIndex::scan(const std::set<std::string>& recording) const {
    std::vector<EntryPtr> out;
    std::uint64_t scan;
    {
        std::lock_guard lock(mutex_);
        scan = ++scans_;
    }
    std::error_code ec;
    const auto& base = root_->path();
    const auto prefix = base.native().size() + 1;
    for (auto it = fs::recursive_directory_iterator(
             base, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const auto& path = it->path();
        const auto& full = path.native();
        const auto name = std::string_view(full).substr(full.rfind('/') + 1);
        if (!name.empty() && name.front() == '.') { // hidden files and folders, temp files
            if (it->is_directory(ec))
                it.disable_recursion_pending();
            continue;
        }
        // Everything here is under base, so the relative name is the rest of the path.
        const auto relative = full.substr(prefix);
        if (root_->hidden(relative)) {
            it.disable_recursion_pending();
            continue;
        }
        if (!format_of_file(name) || name.find(".tmp") != std::string_view::npos)
            continue;
        if (!RecordingsRoot::safe_name(relative))
            continue; // a name no URL can reach
        const bool is_recording = recording.count(relative) > 0;
        // Only a symlink can lead out of the root; everything else found here is inside it.
        auto e = it->is_symlink(ec) ? entry(relative, is_recording)
                                    : entry_at(relative, path, is_recording, scan);
        if (e)
            out.push_back(std::move(e));
    }
    {
        std::lock_guard lock(mutex_);
        std::erase_if(cache_, [scan](const auto& kv) { return kv.second.scan < scan; });
    }
    std::sort(out.begin(), out.end(), [](const EntryPtr& a, const EntryPtr& b) {
        return a->start != b->start ? a->start > b->start : a->name > b->name;
    });
    return out;
}

void ArchiveIndex::forget(const std::string& relative) const {
    std::lock_guard lock(mutex_);
    cache_.erase(relative);
}

} // namespace isr::web
