#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace isr::test {

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers; // lower-case names
    std::string body;
    std::string header(const std::string& name) const;
};

// A deliberately small HTTP/1.1 client for tests: one request per connection, a
// Content-Length or close-delimited body. Throws std::runtime_error on connection failures.
HttpResponse http_request(int port, const std::string& method, const std::string& target,
                          const std::vector<std::pair<std::string, std::string>>& headers = {});
inline HttpResponse http_get(int port, const std::string& target,
                             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return http_request(port, "GET", target, headers);
}

// A raw connection for tests that misbehave on purpose (slow clients, pipelining).
class RawConnection {
public:
    explicit RawConnection(int port);
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    void send(const std::string& bytes); // throws when the peer has closed
    // Reads what arrives within `timeout_ms`; empty string on timeout; nullopt once closed.
    std::optional<std::string> receive(int timeout_ms);
    bool closed_by_peer(int timeout_ms);
    int fd() const noexcept { return fd_; }

private:
    int fd_ = -1;
};

// Waits until something accepts connections on the port.
bool wait_for_port(int port, int timeout_ms);

} // namespace isr::test
