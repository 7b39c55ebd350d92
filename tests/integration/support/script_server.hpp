#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace isr::test {

// A self-signed certificate for 127.0.0.1 and localhost, made with the openssl command.
struct TlsCertificate {
    std::filesystem::path cert;
    std::filesystem::path key;
};
TlsCertificate make_self_signed_certificate(const std::filesystem::path& dir);

// A tiny HTTP server on 127.0.0.1 for tests that need a server to misbehave on cue. Each
// connection runs `handler(connection)` on its own thread. With a certificate it speaks HTTPS.
class ScriptServer {
public:
    struct Connection {
        int fd;
        std::string request;                        // the request head as received
        std::string path;                           // from the request line
        std::map<std::string, std::string> headers; // lower-case names
        const std::atomic<bool>* stopping;
        SSL* ssl = nullptr;                        // HTTPS: the TLS session on fd
        bool send(const std::string& bytes) const; // false once the client is gone
        // Sends `body` at `bytes_per_second` in 50 ms slices (real-time pacing). With `metaint`,
        // interleaves ICY metadata blocks after every `metaint` audio bytes, the title changing
        // every few blocks.
        bool send_paced(const std::string& body, double bytes_per_second,
                        std::size_t metaint = 0) const;
        // Waits until the client closes or the server stops.
        void hold() const;
    };
    using Handler = std::function<void(Connection&)>;

    explicit ScriptServer(Handler handler);
    ScriptServer(Handler handler, const TlsCertificate& tls);
    ~ScriptServer();

    int port() const noexcept { return port_; }
    // "http://127.0.0.1:PORT/path" (https:// with a certificate).
    std::string url(const std::string& path) const;
    int connections() const noexcept { return connections_; }
    std::vector<std::string> requests() const;

private:
    void accept_loop();
    void serve(int fd);

    Handler handler_;
    SSL_CTX* tls_ = nullptr;
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
