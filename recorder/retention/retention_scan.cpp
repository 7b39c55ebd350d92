#include "recorder/retention/retention_scan.hpp"

#include "common/analysis_cache_paths.hpp"
#include "common/path_glob.hpp"
#include "common/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::rec {

namespace fs = std::filesystem;

namespace {

constexpr int kFolderFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

struct DirCloser {
    void operator()(DIR* d) const noexcept {
        if (d)
            ::closedir(d);
    }
};
using DirHandle = std::unique_ptr<DIR, DirCloser>;

// The names in the folder `fd` (hidden ones left out); `fd` stays open.
std::vector<std::string> entries(int fd) {
    std::vector<std::string> names;
    const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0)
        return names;
    DirHandle dir(::fdopendir(copy));
    if (!dir) {
        ::close(copy);
        return names;
    }
    while (const auto* e = ::readdir(dir.get())) {
        if (e->d_name[0] != '.')
            names.emplace_back(e->d_name);
    }
    return names;
}

class Scanner {
public:
    Scanner(const ScanSource& source, std::size_t index, std::string prefix,
            const std::vector<std::string>& protect, dev_t guarded, ScanResult& out)
        : source_(source), index_(index), prefix_(std::move(prefix)), protect_(protect),
          guarded_(guarded), out_(out) {}

    void run() {
        UniqueFd fd(::open(source_.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!fd) {
            if (errno != ENOENT)
                problem(source_.root.string(), errno);
            return;
        }
        std::string path;
        for (const auto& folder : source_.names.fixed_folders()) {
            UniqueFd next(::openat(fd.get(), folder.c_str(), kFolderFlags));
            path += folder + "/";
            if (!next) {
                if (errno != ENOENT)
                    problem(path, errno);
                return;
            }
            fd = std::move(next);
        }
        walk(fd.get(), path, 0);
    }

private:
    void problem(const std::string& where, int err) {
        out_.problems.push_back(
            cat(source_.name, ": cannot read ", where, ": ", std::strerror(err)));
    }

    void walk(int fd, const std::string& path, std::size_t level) {
        const auto names = entries(fd);
        const std::set<std::string> present(names.begin(), names.end());
        const bool last = level + 1 == source_.names.depth();
        for (const auto& name : names) {
            struct stat st {};
            if (::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
                continue;
            if (!last) {
                if (!S_ISDIR(st.st_mode) || !source_.names.folder_matches(level, name))
                    continue;
                UniqueFd sub(::openat(fd, name.c_str(), kFolderFlags));
                if (!sub) {
                    problem(path + name, errno);
                    continue;
                }
                components_.push_back(name);
                walk(sub.get(), path + name + "/", level + 1);
                components_.pop_back();
                continue;
            }
            if (!S_ISREG(st.st_mode))
                continue; // links, folders, FIFOs…: never a recording
            components_.push_back(name);
            const auto match = source_.names.match(components_);
            components_.pop_back();
            if (!match)
                continue;
            // Two sources whose patterns name the same files: the first claims them.
            if (!out_.claimed.emplace(st.st_dev, st.st_ino).second)
                continue;
            ScannedFile f;
            f.source = index_;
            f.in_source = path + name;
            f.dev = st.st_dev;
            f.ino = st.st_ino;
            auto& c = f.candidate;
            c.name = prefix_.empty() ? f.in_source : prefix_ + "/" + f.in_source;
            c.source = index_;
            c.bytes = static_cast<std::uint64_t>(st.st_size);
            c.allocated = static_cast<std::uint64_t>(st.st_blocks) * 512u;
            c.mtime = st.st_mtim.tv_sec;
            c.start = match->start.value_or(c.mtime);
            c.on_guarded_disk = st.st_dev == guarded_;
            c.kept = present.count(name + std::string(kKeepSuffix)) > 0 ||
                     std::any_of(protect_.begin(), protect_.end(),
                                 [&](const std::string& g) { return path_glob_match(g, c.name); });
            out_.files.push_back(std::move(f));
        }
    }

    const ScanSource& source_;
    std::size_t index_;
    std::string prefix_;
    const std::vector<std::string>& protect_;
    dev_t guarded_;
    ScanResult& out_;
    std::vector<std::string> components_; // after the fixed folders
};

} // namespace

ScanResult scan_recordings(const std::vector<ScanSource>& sources, const fs::path& recordings_root,
                           const std::vector<std::string>& protect, dev_t guarded_dev) {
    ScanResult out;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        // Names as status.json gives them: relative to the recordings root when inside it.
        auto prefix = relative_to(sources[i].root, recordings_root);
        if (prefix == ".")
            prefix.clear();
        try {
            Scanner(sources[i], i, std::move(prefix), protect, guarded_dev, out).run();
        } catch (const std::exception& e) {
            out.problems.push_back(cat(sources[i].name, ": ", e.what()));
        }
    }
    return out;
}

int delete_recording(const ScanSource& source, const ScannedFile& file) {
    const auto parts = split(file.in_source, '/');
    std::vector<UniqueFd> folders;
    folders.emplace_back(::open(source.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!folders.back())
        return errno;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        folders.emplace_back(::openat(folders.back().get(), parts[i].c_str(), kFolderFlags));
        if (!folders.back())
            return errno;
    }
    const int dir = folders.back().get();
    struct stat st {};
    if (::fstatat(dir, parts.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno;
    if (!S_ISREG(st.st_mode) || st.st_dev != file.dev || st.st_ino != file.ino)
        return ESTALE;
    if (::unlinkat(dir, parts.back().c_str(), 0) != 0)
        return errno;
    // Folders after the fixed ones that are empty now (date folders); ENOTEMPTY ends it.
    const auto fixed = source.names.fixed_folders().size();
    for (std::size_t i = parts.size() - 1; i-- > fixed;) {
        if (::unlinkat(folders[i].get(), parts[i].c_str(), AT_REMOVEDIR) != 0)
            break;
    }
    return 0;
}

} // namespace isr::rec
