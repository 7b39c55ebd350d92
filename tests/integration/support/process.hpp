#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace isr::test {

// A program started by a test, stopped by PID in every outcome (the destructor sends SIGTERM,
// then SIGKILL). Its stdout and stderr go to a log file the test can read.
class ChildProcess {
public:
    // Starts argv[0] with `env` added to the current environment. Throws on failure.
    ChildProcess(std::vector<std::string> argv, std::filesystem::path log_file,
                 std::map<std::string, std::string> env = {}, std::filesystem::path cwd = {});
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    int pid() const noexcept { return pid_; }
    bool running();
    void signal(int sig);
    // Waits for exit; the exit status (128 + signal when killed), or nullopt on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    // SIGTERM, wait up to `grace`, then SIGKILL. Returns the exit status.
    int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
    std::string log() const;
    const std::filesystem::path& log_file() const noexcept { return log_file_; }

private:
    int pid_ = -1;
    std::optional<int> status_;
    std::filesystem::path log_file_;
};

// Runs a command to completion through /bin/sh; returns its exit status and output.
struct CommandResult {
    int status = -1;
    std::string output; // stdout and stderr
};
CommandResult run_command(const std::string& command);

// Waits until `predicate` holds or `timeout` passes. Returns the predicate's last value.
template <class Predicate>
bool wait_until(Predicate predicate, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = std::chrono::milliseconds(50)) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        if (predicate())
            return true;
        std::this_thread::sleep_for(step);
    }
    return predicate();
}

// A fresh directory under the system temp dir, removed afterwards.
class TempDir {
public:
    explicit TempDir(const std::string& prefix);
    ~TempDir();
    const std::filesystem::path& path() const noexcept { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& content);

// Where the built programs and test resources are (set by CMake).
std::filesystem::path isrd_path();
std::filesystem::path isr_web_path();
std::filesystem::path alsa_test_conf();
// True when the programs under test run under AddressSanitizer: this test binary is built with
// it, or ISR_PROGRAMS_SANITIZER=address says so (make test-asan runs the release build's
// integration tests against the ASan build's isrd and isr-web).
bool programs_under_asan();
std::filesystem::path source_dir();

} // namespace isr::test
