#pragma once

#include "common/file_util.hpp"
#include "recorder/writer/file_identity.hpp"

#include <filesystem>

#include <sys/types.h>

namespace isr::rec {

// Owner and group may connect (an operator's shell, isr-web's user in isrd's group); nobody
// else may command the recorder.
inline constexpr mode_t kControlSocketMode = 0660;

// A listening, non-blocking Unix stream socket bound to a path in the file system, owned: the
// file is created with kControlSocketMode before anyone can connect, and removed when the
// listener closes, if the path still names this socket (a second isrd may have replaced it).
class UnixListener {
public:
    // Binds `path` and listens. A socket left by an isrd that did not stop (nothing accepts on
    // it) is replaced, with a WARNING in the log. Throws std::runtime_error with a sentence when
    // the path is too long, names something other than a socket (which is never removed), or
    // another process listens on it; std::system_error naming the path for other failures.
    explicit UnixListener(std::filesystem::path path);
    ~UnixListener() { close(); }
    UnixListener(const UnixListener&) = delete;
    UnixListener& operator=(const UnixListener&) = delete;

    int fd() const noexcept { return fd_.get(); }
    const std::filesystem::path& path() const noexcept { return path_; }

    // Stops listening and removes the file if it is still this socket. Idempotent.
    void close() noexcept;

private:
    std::filesystem::path path_;
    UniqueFd fd_;
    FileIdentity identity_;
};

} // namespace isr::rec
