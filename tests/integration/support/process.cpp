#include "tests/integration/support/process.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string_view>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace isr::test {

namespace fs = std::filesystem;

ChildProcess::ChildProcess(std::vector<std::string> argv, fs::path log_file,
                           std::map<std::string, std::string> env, fs::path cwd)
    : log_file_(std::move(log_file)) {
    std::map<std::string, std::string> merged;
    for (char** e = environ; *e; ++e) {
        const std::string kv(*e);
        const auto eq = kv.find('=');
        if (eq != std::string::npos)
            merged[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (auto& [k, v] : env)
        merged[k] = v;
    std::vector<std::string> env_strings;
    for (auto& [k, v] : merged)
        env_strings.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : env_strings)
        envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<char*> args;
    for (auto& a : argv)
        args.push_back(a.data());
    args.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (!cwd.empty())
        posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    const int err = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0)
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(err));
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !status_)
        stop(std::chrono::seconds(3));
}

bool ChildProcess::running() {
    if (status_)
        return false;
    return !wait(std::chrono::milliseconds(0)).has_value();
}

void ChildProcess::signal(int sig) {
    if (pid_ > 0 && !status_)
        ::kill(pid_, sig);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
    if (status_)
        return status_;
    const auto end = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int st = 0;
        const auto r = ::waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            return status_;
        }
        if (std::chrono::steady_clock::now() >= end)
            return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
    if (status_)
        return *status_;
    signal(SIGTERM);
    if (auto st = wait(grace))
        return *st;
    signal(SIGKILL);
    return wait(std::chrono::seconds(10)).value_or(-1);
}

std::string ChildProcess::log() const {
    return read_file(log_file_);
}

CommandResult run_command(const std::string& command) {
    CommandResult r;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (!pipe)
        return r;
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0)
        r.output.append(buf.data(), n);
    const int st = ::pclose(pipe);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

TempDir::TempDir(const std::string& prefix) {
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(path_);
}

TempDir::~TempDir() {
    // ISR_TEST_KEEP=1 keeps the files of a failing test for a look.
    if (const char* keep = std::getenv("ISR_TEST_KEEP"); keep && *keep == '1')
        return;
    std::error_code ec;
    fs::remove_all(path_, ec);
}

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file(const fs::path& path, const std::string& content) {
    // Write then rename, so readers (the ALSA plugin) never see half a command.
    const auto tmp = path.string() + ".tmp";
    if (path.has_parent_path())
        fs::create_directories(path.parent_path());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << content;
    }
    fs::rename(tmp, path);
}

// ISRD_UNDER_TEST / ISR_WEB_UNDER_TEST run the tests against another build (an older one, to
// see a regression test fail without its fix).
fs::path isrd_path() {
    const char* other = std::getenv("ISRD_UNDER_TEST");
    return other && *other ? fs::path(other) : fs::path(ISRD_PATH);
}
fs::path isr_web_path() {
    const char* other = std::getenv("ISR_WEB_UNDER_TEST");
    return other && *other ? fs::path(other) : fs::path(ISR_WEB_PATH);
}
bool programs_under_asan() {
#if defined(__SANITIZE_ADDRESS__)
    return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return true;
#endif
#endif
    const char* which = std::getenv("ISR_PROGRAMS_SANITIZER");
    return which && std::string_view(which) == "address";
}
fs::path alsa_test_conf() {
    return ALSA_TEST_CONF;
}
fs::path source_dir() {
    return ISR_SOURCE_DIR;
}

} // namespace isr::test
