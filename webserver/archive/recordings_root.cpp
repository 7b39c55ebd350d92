#include "webserver/archive/recordings_root.hpp"

#include "common/audio_formats.hpp"

#include <cerrno>
#include <climits>
#include <cstdlib>

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace isr::web {

namespace fs = std::filesystem;

namespace {

// openat2(2) beneath `dir`; -1 with errno ENOSYS on kernels without it (before 5.6).
int open_beneath(int dir, const std::string& relative, std::uint64_t flags, std::uint64_t resolve) {
    open_how how{};
    how.flags = flags;
    how.resolve = resolve;
    return static_cast<int>(::syscall(SYS_openat2, dir, relative.c_str(), &how, sizeof how));
}

constexpr std::uint64_t kNoLinks = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
// O_NONBLOCK: opening a FIFO must not wait for a writer. It changes nothing for regular files.
constexpr std::uint64_t kReadFlags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;

} // namespace

RecordingsRoot::RecordingsRoot(const fs::path& root, const fs::path& hidden_subdir)
    : root_(fs::canonical(root)),
      root_fd_(::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)) {
    std::error_code ec;
    const auto hidden = fs::weakly_canonical(hidden_subdir, ec);
    if (!ec) {
        const auto rel = hidden.lexically_relative(root_);
        if (!rel.empty() && *rel.begin() != "..")
            hidden_prefix_ = rel.generic_string() + "/";
    }
}

bool RecordingsRoot::hidden(std::string_view relative) const noexcept {
    return !hidden_prefix_.empty() &&
           (relative.substr(0, hidden_prefix_.size()) == hidden_prefix_ ||
            std::string_view(hidden_prefix_).substr(0, hidden_prefix_.size() - 1) == relative);
}

bool RecordingsRoot::safe_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > 4096 || name.front() == '/')
        return false;
    for (const char ch : name) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f)
            return false;
    }
    std::size_t start = 0;
    while (start <= name.size()) {
        const auto end = name.find('/', start);
        const auto part = name.substr(start, end == std::string_view::npos ? std::string_view::npos
                                                                           : end - start);
        if (part.empty() || part.front() == '.')
            return false; // "", ".", "..", hidden files
        if (end == std::string_view::npos)
            break;
        start = end + 1;
    }
    return true;
}

bool RecordingsRoot::acceptable(std::string_view relative) const noexcept {
    return safe_name(relative) && !hidden(relative) && format_of_file(relative) != nullptr;
}

std::optional<Recording> RecordingsRoot::resolve(std::string_view name) const {
    if (!acceptable(name))
        return std::nullopt;
    const std::string requested(name);
    const auto joined = root_ / fs::path(requested);
    char resolved[PATH_MAX];
    if (!::realpath(joined.c_str(), resolved))
        return std::nullopt;
    const std::string_view real(resolved);
    const auto& root = root_.native();
    if (real.size() <= root.size() + 1 || real.substr(0, root.size()) != root ||
        real[root.size()] != '/') {
        return std::nullopt; // a symlink out of the root
    }
    const auto relative = std::string(real.substr(root.size() + 1));
    if (!acceptable(relative))
        return std::nullopt;
    struct stat st {};
    if (::stat(resolved, &st) != 0 || !S_ISREG(st.st_mode))
        return std::nullopt;
    return Recording{fs::path(resolved), relative, requested};
}

std::optional<OpenRecording> RecordingsRoot::open(std::string_view name) const {
    if (!acceptable(name))
        return std::nullopt;
    OpenRecording out;
    if (root_fd_) {
        const std::string relative(name);
        const int fd = open_beneath(root_fd_.get(), relative, kReadFlags, kNoLinks);
        if (fd >= 0) {
            out.fd.reset(fd);
            if (::fstat(fd, &out.st) != 0 || !S_ISREG(out.st.st_mode))
                return std::nullopt;
            out.recording = Recording{root_ / relative, relative, relative};
            return out;
        }
        if (errno != ELOOP && errno != EXDEV && errno != ENOSYS && errno != EPERM)
            return std::nullopt;
    }
    // A symbolic link on the way (or no openat2): judge the real path, then open that.
    auto rec = resolve(name);
    if (!rec)
        return std::nullopt;
    int fd = root_fd_ ? open_beneath(root_fd_.get(), rec->relative, kReadFlags, kNoLinks) : -1;
    if (fd < 0 && errno == ENOSYS)
        fd = ::open(rec->absolute.c_str(), static_cast<int>(kReadFlags) | O_NOFOLLOW);
    out.fd.reset(fd);
    if (!out.fd || ::fstat(out.fd.get(), &out.st) != 0 || !S_ISREG(out.st.st_mode))
        return std::nullopt;
    out.recording = std::move(*rec);
    return out;
}

int RecordingsRoot::unlink(const Recording& recording) const {
    const auto& name = recording.requested;
    const auto slash = name.rfind('/');
    const auto base = slash == std::string::npos ? name : name.substr(slash + 1);
    UniqueFd dir;
    if (slash == std::string::npos) {
        dir.reset(::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    } else {
        const int fd = open_beneath(root_fd_.get(), name.substr(0, slash),
                                    O_PATH | O_DIRECTORY | O_CLOEXEC, kNoLinks);
        if (fd < 0)
            return errno == ELOOP ? EXDEV : errno;
        dir.reset(fd);
    }
    if (!dir)
        return errno;
    struct stat st {};
    if (::fstatat(dir.get(), base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno;
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
        return ENOENT;
    return ::unlinkat(dir.get(), base.c_str(), 0) == 0 ? 0 : errno;
}

int RecordingsRoot::set_keep_marker(const Recording& recording, bool keep) const {
    const auto& name = recording.relative;
    const auto slash = name.rfind('/');
    const auto marker = (slash == std::string::npos ? name : name.substr(slash + 1)) + ".keep";
    UniqueFd dir(slash == std::string::npos
                     ? ::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)
                     : open_beneath(root_fd_.get(), name.substr(0, slash),
                                    O_PATH | O_DIRECTORY | O_CLOEXEC, kNoLinks));
    if (!dir)
        return errno;
    if (keep) {
        UniqueFd fd(::openat(dir.get(), marker.c_str(),
                             O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
        if (fd || errno != EEXIST)
            return fd ? 0 : errno;
        struct stat st {};
        if (::fstatat(dir.get(), marker.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            return errno;
        return S_ISREG(st.st_mode) ? 0 : EEXIST;
    }
    if (::unlinkat(dir.get(), marker.c_str(), 0) != 0 && errno != ENOENT)
        return errno;
    return 0;
}

bool RecordingsRoot::has_keep_marker(std::string_view relative) const {
    struct stat st {};
    const auto marker = std::string(relative) + ".keep";
    return ::fstatat(root_fd_.get(), marker.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

} // namespace isr::web
