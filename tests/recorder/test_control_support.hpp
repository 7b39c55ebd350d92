#pragma once

#include "common/file_util.hpp"
#include "recorder/control/control_handler.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

// Helpers of the control socket tests: a scratch folder, a handler that answers like isrd
// will (slowly when asked to), and a raw client that sends and reads lines.
namespace isr::rec::test {

using namespace std::chrono_literals;

// The closures, refusals and replaced sockets these tests provoke are logged as warnings:
// expected here, so only errors are shown.
struct QuietLog {
    QuietLog();
    ~QuietLog();
};

// A folder under the system temp dir, removed with its contents.
class ScratchDir {
public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// Answers every command with {"ok":true,"cmd":NAME}, except:
//   save            {"ok":true,"source":…,"seconds":…,"path":"replays/LABEL.wav"} after
//                   post_seconds, from a thread of its own (label "drop": never answers;
//                   label "twice": answers "first" then "second")
//   pause "boom"    throws
//   sources         with a "pad" member of `pad_bytes` bytes
class FakeHandler : public ControlHandler {
public:
    ~FakeHandler() override;
    void handle(const Command& command, ReplyFn reply) override;

    std::atomic<int> calls{0};
    std::atomic<int> answered{0}; // synchronous answers given
    std::size_t pad_bytes = 0;

private:
    std::mutex mutex_;
    std::vector<std::jthread> workers_;
};

// A blocking Unix socket client with a timeout on every read.
class RawClient {
public:
    explicit RawClient(const std::filesystem::path& socket);
    // Sends all of `data` (no newline added); false when the server has closed.
    bool send(std::string_view data);
    void shutdown_write();
    // The next line without its newline; nullopt on end of stream, error or timeout.
    std::optional<std::string> line(std::chrono::milliseconds timeout = 5s);
    // Reads until the server closes the connection (true) or `timeout` passes (false); counts
    // the lines read meanwhile.
    bool closed_within(std::chrono::milliseconds timeout, std::size_t* lines = nullptr);
    void close() { fd_.reset(); }

private:
    UniqueFd fd_;
    std::string buffer_;
};

// Polls `predicate` until it holds or `timeout` passes; its last value.
template <class Predicate>
bool wait_for(Predicate predicate, std::chrono::milliseconds timeout = 5s) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (!predicate()) {
        if (std::chrono::steady_clock::now() > end)
            return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

// One request, one reply, on a connection of its own.
std::optional<std::string> ask(const std::filesystem::path& socket, const std::string& line);

} // namespace isr::rec::test
