#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace isr::rec {

// An http:// or https:// URL, split for a request.
struct Url {
    std::string scheme;   // "http" | "https"
    std::string userinfo; // "user:password" (percent-decoded), or empty
    std::string host;     // without brackets for IPv6
    std::string port;     // explicit or the scheme's default
    std::string target;   // path and query, at least "/"

    bool tls() const noexcept { return scheme == "https"; }
    // The Host header value ("host" or "host:port" when the port is not the default).
    std::string host_header() const;
    // Without userinfo: safe for logs.
    std::string to_string() const;

    // nullopt when `text` is not an absolute http(s) URL with a host.
    static std::optional<Url> parse(std::string_view text);
    // Resolves a Location header (absolute, scheme-relative "//h/p", absolute-path "/p", or
    // relative "p") against this URL (RFC 3986 section 5.2, without dot-segment removal).
    std::optional<Url> resolve(std::string_view reference) const;
};

} // namespace isr::rec
