#pragma once

#include "recorder/stream/url.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>

namespace isr::rec {

struct HttpOptions {
    std::string user_agent;
    std::string username; // Basic auth; the URL's own user:password is used when these are empty
    std::string password;
    bool tls_verify = true;
    double connect_timeout_seconds = 10;
    double stall_timeout_seconds = 15;
    int max_redirects = 5;
    // Called on the caller's thread at least once a second while a step waits (and after each
    // event it waits for): the caller's sign of life for systemd's watchdog.
    std::function<void()> alive;
};

// A streaming HTTP/1.x GET over TCP or TLS (Boost.Beast + Asio's OpenSSL), for endless bodies:
// Icecast (HTTP/1.0, no Content-Length), SHOUTcast v1 ("ICY 200 OK"), chunked HTTP/1.1, and a
// finite body with a Content-Length (read to its end). Redirects are followed, but never from
// https to http, and Basic credentials go only to the configured URL's scheme, host and port.
// Every step (DNS, connect, TLS, the whole response head, each read) has a deadline, and a stop
// request aborts it within 200 ms. Failures throw SourceError with the URL (password masked),
// the status code if any, and what to check. Used on one thread.
class HttpStream {
public:
    explicit HttpStream(HttpOptions options);
    ~HttpStream();
    HttpStream(const HttpStream&) = delete;
    HttpStream& operator=(const HttpStream&) = delete;

    // Connects and reads the response head of a 2xx answer. Throws SourceError.
    void open(const std::string& url, std::stop_token stop);

    // Reads body bytes (de-chunked). Returns 0 at the end of the body or when stop was
    // requested. Throws SourceError on errors and when nothing arrives for the stall timeout.
    std::size_t read_some(std::span<std::uint8_t> out, std::stop_token stop);

    // Wakes read_some only once `bytes` have arrived (SO_RCVLOWAT) rather than for every TCP
    // segment. The end of the stream, errors and the stall timeout still wake it at once.
    void wake_for(int bytes);

    int status() const noexcept;
    // The body's length when the server gave a Content-Length (a file, not an endless stream).
    std::optional<std::uint64_t> content_length() const;
    std::string header(std::string_view name) const; // empty when absent
    const Url& url() const noexcept;                 // after redirects
    std::string describe() const;                    // "http://host/mount" (no password)

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace isr::rec
