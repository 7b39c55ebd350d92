#include "tests/integration/support/script_server.hpp"

#include "tests/integration/support/process.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <chrono>
#include <stdexcept>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

namespace isr::test {

std::string icy_metadata_block(const std::string& title) {
    std::string text = "StreamTitle='" + title + "';";
    const auto blocks = (text.size() + 15) / 16;
    text.resize(blocks * 16, '\0');
    return std::string(1, static_cast<char>(blocks)) + text;
}

TlsCertificate make_self_signed_certificate(const std::filesystem::path& dir) {
    TlsCertificate c{dir / "cert.pem", dir / "key.pem"};
    const auto r = run_command(
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout '" + c.key.string() + "' -out '" +
        c.cert.string() +
        "' -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost");
    if (r.status != 0)
        throw std::runtime_error("openssl req failed: " + r.output);
    return c;
}

bool ScriptServer::Connection::send(const std::string& bytes) const {
    std::size_t done = 0;
    while (done < bytes.size()) {
        if (ssl) {
            const int n =
                SSL_write(ssl, bytes.data() + done, static_cast<int>(bytes.size() - done));
            if (n <= 0)
                return false;
            done += static_cast<std::size_t>(n);
            continue;
        }
        const auto n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool ScriptServer::Connection::send_paced(const std::string& body, double rate,
                                          std::size_t metaint) const {
    const auto start = std::chrono::steady_clock::now();
    std::size_t sent = 0;
    std::size_t until_meta = metaint;
    int block = 0;
    while (sent < body.size() && !*stopping) {
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const auto due = std::min(body.size(), static_cast<std::size_t>((elapsed + 0.05) * rate));
        while (sent < due) {
            auto n = due - sent;
            if (metaint)
                n = std::min(n, until_meta);
            if (!send(body.substr(sent, n)))
                return false;
            sent += n;
            if (metaint && (until_meta -= n) == 0) {
                const auto meta =
                    block % 3 == 0
                        ? icy_metadata_block("Artist " + std::to_string(block / 3) + " - Song")
                        : std::string(1, '\0');
                if (!send(meta))
                    return false;
                ++block;
                until_meta = metaint;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return sent == body.size();
}

void ScriptServer::Connection::hold() const {
    while (!*stopping) {
        pollfd p{fd, POLLIN, 0};
        if ((ssl && SSL_pending(ssl) > 0) || ::poll(&p, 1, 100) > 0) {
            char buf[256];
            if (ssl ? SSL_read(ssl, buf, sizeof buf) <= 0 : ::recv(fd, buf, sizeof buf, 0) <= 0)
                return;
        }
    }
}

ScriptServer::ScriptServer(Handler handler, const TlsCertificate& tls)
    : ScriptServer(std::move(handler)) {
    // The acceptor thread runs already; it reads tls_ only once a connection arrives, and the
    // test connects only after this constructor returned.
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, tls.cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, tls.key.c_str(), SSL_FILETYPE_PEM) != 1) {
        if (ctx)
            SSL_CTX_free(ctx);
        throw std::runtime_error("script server: cannot load " + tls.cert.string());
    }
    std::lock_guard lock(mutex_);
    tls_ = ctx;
}

ScriptServer::ScriptServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 16) != 0) {
        throw std::runtime_error("script server: cannot listen");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

ScriptServer::~ScriptServer() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    {
        std::lock_guard lock(mutex_);
        for (const int fd : fds_)
            ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : threads_)
        t.join();
    for (const int fd : fds_)
        ::close(fd);
    ::close(listen_fd_);
    if (tls_)
        SSL_CTX_free(tls_);
}

std::string ScriptServer::url(const std::string& path) const {
    std::lock_guard lock(mutex_);
    return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_) + path;
}

std::vector<std::string> ScriptServer::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

void ScriptServer::accept_loop() {
    // SSL_write writes with write(), not send(MSG_NOSIGNAL): a client that leaves would end the
    // whole test binary with SIGPIPE. Blocked here, in the connection threads too (they inherit
    // the mask), such a write fails with EPIPE, and the signal is dropped with the thread.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    while (!stopping_) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if (stopping_)
                return;
            continue;
        }
        ++connections_;
        std::lock_guard lock(mutex_);
        fds_.push_back(fd);
        threads_.emplace_back([this, fd] { serve(fd); });
    }
}

void ScriptServer::serve(int fd) {
    SSL_CTX* tls = nullptr;
    {
        std::lock_guard lock(mutex_);
        tls = tls_;
    }
    Connection c{fd, {}, {}, {}, &stopping_};
    if (tls) {
        c.ssl = SSL_new(tls);
        SSL_set_fd(c.ssl, fd);
        if (SSL_accept(c.ssl) != 1) { // a client that refused our certificate
            SSL_free(c.ssl);
            ::shutdown(fd, SHUT_RDWR);
            return;
        }
    }
    char buf[4096];
    while (c.request.find("\r\n\r\n") == std::string::npos && c.request.size() < 65536) {
        const auto n = c.ssl ? static_cast<long>(SSL_read(c.ssl, buf, sizeof buf))
                             : ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        c.request.append(buf, static_cast<std::size_t>(n));
    }
    const auto sp1 = c.request.find(' ');
    const auto sp2 = c.request.find(' ', sp1 + 1);
    if (sp1 != std::string::npos && sp2 != std::string::npos)
        c.path = c.request.substr(sp1 + 1, sp2 - sp1 - 1);
    std::size_t pos = c.request.find("\r\n");
    while (pos != std::string::npos && pos + 2 < c.request.size()) {
        const auto next = c.request.find("\r\n", pos + 2);
        const auto line = c.request.substr(pos + 2, next - pos - 2);
        const auto colon = line.find(':');
        if (colon != std::string::npos) {
            std::string key = line.substr(0, colon);
            for (auto& ch : key)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            auto value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ')
                value.erase(0, 1);
            c.headers[key] = value;
        }
        pos = next;
    }
    {
        std::lock_guard inner(mutex_);
        requests_.push_back(c.request);
    }
    handler_(c);
    if (c.ssl) {
        SSL_shutdown(c.ssl);
        SSL_free(c.ssl);
    }
    ::shutdown(fd, SHUT_RDWR); // closed by the destructor, so the number is not reused meanwhile
}

} // namespace isr::test
