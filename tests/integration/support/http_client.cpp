#include "tests/integration/support/http_client.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace isr::test {

namespace {

int connect_to(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        const int err = errno;
        ::close(fd);
        throw std::runtime_error(std::string("connect: ") + std::strerror(err));
    }
    return fd;
}

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

} // namespace

std::string HttpResponse::header(const std::string& name) const {
    const auto it = headers.find(lower(name));
    return it == headers.end() ? std::string() : it->second;
}

HttpResponse http_request(int port, const std::string& method, const std::string& target,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
    RawConnection c(port);
    // A Host among `headers` replaces the default one (HTTP/1.1 allows exactly one).
    const bool own_host = std::any_of(headers.begin(), headers.end(),
                                      [](const auto& h) { return lower(h.first) == "host"; });
    std::string req = method + " " + target + " HTTP/1.1\r\n";
    if (!own_host)
        req += "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
    req += "Connection: close\r\n";
    for (const auto& [k, v] : headers)
        req += k + ": " + v + "\r\n";
    req += "\r\n";
    c.send(req);
    std::string data;
    HttpResponse r;
    std::size_t head_end = std::string::npos;
    std::optional<std::size_t> length;
    for (;;) {
        const auto chunk = c.receive(30000);
        if (!chunk)
            break;
        if (chunk->empty())
            throw std::runtime_error("timeout waiting for the response");
        data += *chunk;
        if (head_end == std::string::npos) {
            head_end = data.find("\r\n\r\n");
            if (head_end == std::string::npos)
                continue;
            std::size_t pos = data.find("\r\n");
            r.status = std::stoi(data.substr(9, 3));
            while (pos < head_end) {
                const auto next = data.find("\r\n", pos + 2);
                const auto line = data.substr(pos + 2, next - pos - 2);
                const auto colon = line.find(':');
                if (colon != std::string::npos) {
                    auto value = line.substr(colon + 1);
                    while (!value.empty() && value.front() == ' ')
                        value.erase(0, 1);
                    r.headers[lower(line.substr(0, colon))] = value;
                }
                pos = next;
            }
            if (r.headers.count("content-length"))
                length = std::stoull(r.headers["content-length"]);
            if (method == "HEAD" || r.status == 304 || r.status == 204)
                length = 0;
        }
        if (length && data.size() >= head_end + 4 + *length)
            break;
    }
    if (head_end == std::string::npos)
        throw std::runtime_error("connection closed before a response");
    r.body = data.substr(head_end + 4, length ? *length : std::string::npos);
    return r;
}

RawConnection::RawConnection(int port) : fd_(connect_to(port)) {}
RawConnection::~RawConnection() {
    if (fd_ >= 0)
        ::close(fd_);
}

void RawConnection::send(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const auto n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0)
            throw std::runtime_error("send failed");
        done += static_cast<std::size_t>(n);
    }
}

std::optional<std::string> RawConnection::receive(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0)
        return std::string();
    char buf[65536];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0)
        return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
}

bool RawConnection::closed_by_peer(int timeout_ms) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < end) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        const auto r = receive(static_cast<int>(std::max<long long>(1, left.count())));
        if (!r)
            return true;
    }
    return false;
}

bool wait_for_port(int port, int timeout_ms) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < end) {
        try {
            RawConnection c(port);
            return true;
        } catch (const std::exception&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    return false;
}

} // namespace isr::test
