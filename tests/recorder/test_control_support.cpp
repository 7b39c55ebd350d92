#include "tests/recorder/test_control_support.hpp"

#include "common/log.hpp"
#include "recorder/control/unix_address.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cerrno>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace isr::rec::test {

namespace fs = std::filesystem;

QuietLog::QuietLog() {
    log::set_level(log::Level::error);
}

QuietLog::~QuietLog() {
    log::set_level(log::Level::info);
}

ScratchDir::ScratchDir() {
    // Short on purpose: a socket path has at most 107 bytes.
    std::string pattern = "/tmp/isr-ctl-XXXXXX";
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
}

ScratchDir::~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

FakeHandler::~FakeHandler() {
    const std::lock_guard lock(mutex_);
    workers_.clear(); // joins
}

void FakeHandler::handle(const Command& command, ReplyFn reply) {
    ++calls;
    if (const auto* save = std::get_if<SaveCommand>(&command)) {
        if (save->label == "drop")
            return;
        if (save->label == "twice") {
            reply(Reply::success([](JsonWriter& w) { w.member("path", "first"); }));
            reply(Reply::success([](JsonWriter& w) { w.member("path", "second"); }));
            return;
        }
        const std::lock_guard lock(mutex_);
        workers_.emplace_back([reply, save = *save] {
            std::this_thread::sleep_for(std::chrono::duration<double>(save.post_seconds));
            reply(Reply::success([&](JsonWriter& w) {
                w.member("source", save.source.value_or("mic"))
                    .member("seconds", save.seconds.value_or(60.0) + save.post_seconds)
                    .member("path", "replays/" + save.label.value_or("untitled") + ".wav");
            }));
        });
        return;
    }
    if (const auto* pause = std::get_if<PauseCommand>(&command); pause && pause->source == "boom")
        throw std::runtime_error("no source is called boom");
    const auto name = std::string(command_name(command));
    const bool pad = std::holds_alternative<SourcesCommand>(command);
    reply(Reply::success([&](JsonWriter& w) {
        w.member("cmd", name);
        if (pad && pad_bytes > 0)
            w.member("pad", std::string(pad_bytes, 'p'));
    }));
    ++answered;
}

RawClient::RawClient(const fs::path& socket)
    : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    REQUIRE(fd_);
    const auto address = unix_address(socket);
    REQUIRE(::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) ==
            0);
}

bool RawClient::send(std::string_view data) {
    while (!data.empty()) {
        const auto n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

void RawClient::shutdown_write() {
    ::shutdown(fd_.get(), SHUT_WR);
}

std::optional<std::string> RawClient::line(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::array<char, 4096> chunk;
    for (;;) {
        if (const auto end = buffer_.find('\n'); end != std::string::npos) {
            auto line = buffer_.substr(0, end);
            buffer_.erase(0, end + 1);
            return line;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return std::nullopt;
        pollfd pfd{fd_.get(), POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0)
            continue;
        const auto n = ::recv(fd_.get(), chunk.data(), chunk.size(), 0);
        if (n <= 0)
            return std::nullopt;
        buffer_.append(chunk.data(), static_cast<std::size_t>(n));
    }
}

bool RawClient::closed_within(std::chrono::milliseconds timeout, std::size_t* lines) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::array<char, 65536> chunk;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return false;
        pollfd pfd{fd_.get(), POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0)
            continue;
        const auto n = ::recv(fd_.get(), chunk.data(), chunk.size(), 0);
        if (n <= 0)
            return true; // end of stream, or reset
        if (lines)
            *lines += static_cast<std::size_t>(std::count(chunk.begin(), chunk.begin() + n, '\n'));
    }
}

std::optional<std::string> ask(const fs::path& socket, const std::string& line) {
    RawClient client(socket);
    if (!client.send(line + "\n"))
        return std::nullopt;
    return client.line();
}

} // namespace isr::rec::test
