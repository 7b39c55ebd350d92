#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace isr::test {

// A tiny HTTP server on 127.0.0.1 for tests that need a server to misbehave on cue. Each
// connection runs `handler(connection)` on its own thread.
class ScriptServer {
public:
    struct Connection {
        int fd;
        std::string request;                          // the request head as received
        std::string path;                             // from the request line
        std::map<std::string, std::string> headers;   // lower-case names
        const std::atomic<bool>* stopping;
        bool send(const std::string& bytes) const;    // false once the client is gone
        // Sends `body` at `bytes_per_second` in 50 ms slices (real-time pacing). With `metaint`,
        // interleaves ICY metadata blocks after every `metaint` audio bytes, the title changing
        // every few blocks.
        bool send_paced(const std::string& body, double bytes_per_second, std::size_t metaint = 0) const;
        // Waits until the client closes or the server stops.
        void hold() const;
    };
    using Handler = std::function<void(Connection&)>;

    explicit ScriptServer(Handler handler);
    ~ScriptServer();

    int port() const noexcept { return port_; }
    std::string url(const std::string& path) const;
    int connections() const noexcept { return connections_; }
    std::vector<std::string> requests() const;

private:
    void accept_loop();

    Handler handler_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> connections_{0};
    mutable std::mutex mutex_;
    std::vector<std::string> requests_;
    std::vector<std::thread> threads_;
    std::vector<int> fds_;
    std::thread acceptor_;
};

// The ICY metadata block for a title: length byte + "StreamTitle='…';" padded to 16 bytes.
std::string icy_metadata_block(const std::string& title);

} // namespace isr::test
