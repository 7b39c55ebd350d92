#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace isr::rec {

// An http:// or https:// URL, split for a request. Every part is safe to put in a request
// line or a Host header: parse() refuses spaces and control characters anywhere.
struct Url {
    std::string scheme;   // "http" | "https" (lower case)
    std::string userinfo; // "user:password" (percent-decoded), or empty
    std::string host;     // lower case, without brackets for IPv6
    std::string port;     // decimal 1-65535 without leading zeros; the scheme's default if absent
    std::string target;   // path and query, at least "/"

    bool tls() const noexcept { return scheme == "https"; }
    std::uint16_t port_number() const noexcept;
    // The Host header value ("host" or "host:port" when the port is not the default).
    std::string host_header() const;
    // Without userinfo: safe for logs.
    std::string to_string() const;
    // "scheme://host:port", the port always given: what credentials are tied to.
    std::string origin() const;

    // nullopt when `text` is not an absolute http(s) URL with a host and a port in 1-65535, or
    // holds a space or a control character. Pure (a fuzzing entry point).
    static std::optional<Url> parse(std::string_view text);
    // Resolves a Location header (absolute, scheme-relative "//h/p", absolute-path "/p", or
    // relative "p") against this URL (RFC 3986 section 5.2, without dot-segment removal).
    // The result never carries userinfo: a redirect brings no credentials of its own. Pure.
    std::optional<Url> resolve(std::string_view reference) const;
};

// Same scheme, host and port (RFC 6454's origin), the default port counting as given: the only
// place the credentials configured for `a` may be sent to.
bool same_origin(const Url& a, const Url& b) noexcept;

} // namespace isr::rec
