#include "webserver/archive/recordings_root.hpp"

#include "common/strings.hpp"
#include "webserver/archive/media_types.hpp"

#include <cctype>
#include <climits>
#include <cstdlib>

#include <cerrno>

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace isr::web {

namespace fs = std::filesystem;

RecordingsRoot::RecordingsRoot(const fs::path& root, const fs::path& hidden_subdir)
    : root_(fs::canonical(root)), root_fd_(::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)) {
    std::error_code ec;
    const auto hidden = fs::weakly_canonical(hidden_subdir, ec);
    if (!ec) {
        const auto rel = hidden.lexically_relative(root_);
        if (!rel.empty() && *rel.begin() != "..") hidden_prefix_ = rel.generic_string() + "/";
    }
}

bool RecordingsRoot::hidden(std::string_view relative) const noexcept {
    return !hidden_prefix_.empty() && (relative.substr(0, hidden_prefix_.size()) == hidden_prefix_ ||
                                       std::string_view(hidden_prefix_).substr(0, hidden_prefix_.size() - 1) == relative);
}

bool RecordingsRoot::safe_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > 4096 || name.front() == '/') return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        if (c == 0 || c == '\\' || c < 0x20 || c == 0x7f) return false;
        // A percent escape left after our one decoding step means double encoding: refuse it.
        if (c == '%' && i + 2 < name.size() && std::isxdigit(static_cast<unsigned char>(name[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(name[i + 2]))) {
            return false;
        }
    }
    std::size_t start = 0;
    while (start <= name.size()) {
        const auto end = name.find('/', start);
        const auto part = name.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (part.empty() || part.front() == '.') return false; // "", ".", "..", hidden files
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return true;
}

std::optional<Recording> RecordingsRoot::resolve(std::string_view name) const {
    if (!safe_name(name) || hidden(name) || !media_type_for(name)) return std::nullopt;
    const auto joined = root_ / fs::path(std::string(name));
    char resolved[PATH_MAX];
    if (!::realpath(joined.c_str(), resolved)) return std::nullopt;
    const std::string_view real(resolved);
    const auto& root = root_.native();
    if (real.size() <= root.size() + 1 || real.substr(0, root.size()) != root || real[root.size()] != '/') {
        return std::nullopt; // a symlink out of the root
    }
    struct stat st {};
    if (::stat(resolved, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    const auto relative = std::string(real.substr(root.size() + 1));
    if (hidden(relative) || !media_type_for(relative)) return std::nullopt;
    return Recording{fs::path(resolved), std::string(name)};
}

std::optional<OpenRecording> RecordingsRoot::open(std::string_view name) const {
    if (!safe_name(name) || hidden(name) || !media_type_for(name)) return std::nullopt;
    OpenRecording out;
    if (root_fd_) {
        open_how how{};
        how.flags = O_RDONLY | O_CLOEXEC;
        how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
        const std::string relative(name);
        const auto fd = static_cast<int>(::syscall(SYS_openat2, root_fd_.get(), relative.c_str(), &how, sizeof how));
        if (fd >= 0) {
            out.fd.reset(fd);
            if (::fstat(fd, &out.st) != 0 || !S_ISREG(out.st.st_mode)) return std::nullopt;
            return out;
        }
        if (errno != EXDEV && errno != ENOSYS && errno != EPERM) return std::nullopt; // missing, unreadable
    }
    const auto rec = resolve(name);
    if (!rec) return std::nullopt;
    out.fd.reset(::open(rec->absolute.c_str(), O_RDONLY | O_CLOEXEC));
    if (!out.fd || ::fstat(out.fd.get(), &out.st) != 0 || !S_ISREG(out.st.st_mode)) return std::nullopt;
    return out;
}

} // namespace isr::web
