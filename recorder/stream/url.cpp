#include "recorder/stream/url.hpp"

#include "common/strings.hpp"

#include <charconv>

namespace isr::rec {

namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
            hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// Spaces and control characters would end or split a request line or header.
bool has_unsafe_bytes(std::string_view s) noexcept {
    for (const char c : s) {
        const auto b = static_cast<unsigned char>(c);
        if (b <= 0x20 || b == 0x7F)
            return true;
    }
    return false;
}

// "http:", "HTTPS:", "ftp:" … at the start: an absolute reference (RFC 3986 section 3.1).
bool has_scheme(std::string_view ref) noexcept {
    const auto colon = ref.find(':');
    if (colon == 0 || colon == std::string_view::npos)
        return false;
    for (std::size_t i = 0; i < colon; ++i) {
        const char c = ref[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        const bool digit = c >= '0' && c <= '9';
        if (!(alpha || (i > 0 && (digit || c == '+' || c == '-' || c == '.'))))
            return false;
    }
    return true;
}

std::string default_port(const std::string& scheme) {
    return scheme == "https" ? "443" : "80";
}

} // namespace

std::uint16_t Url::port_number() const noexcept {
    unsigned value = 0;
    std::from_chars(port.data(), port.data() + port.size(), value);
    return static_cast<std::uint16_t>(value);
}

std::string Url::host_header() const {
    const auto h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return port == default_port(scheme) ? h : h + ":" + port;
}

std::string Url::to_string() const {
    return scheme + "://" + host_header() + target;
}

std::string Url::origin() const {
    const auto h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return scheme + "://" + h + ":" + port;
}

std::optional<Url> Url::parse(std::string_view text) {
    if (has_unsafe_bytes(text))
        return std::nullopt;
    Url url;
    const auto colon = text.find("://");
    if (colon == std::string_view::npos)
        return std::nullopt;
    url.scheme = to_lower(text.substr(0, colon));
    if (url.scheme != "http" && url.scheme != "https")
        return std::nullopt;
    auto rest = text.substr(colon + 3);
    const auto path_start = rest.find_first_of("/?#");
    auto authority = rest.substr(0, path_start);
    url.target = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
    if (const auto hash = url.target.find('#'); hash != std::string::npos)
        url.target.resize(hash);
    if (url.target.empty() || url.target.front() == '?')
        url.target.insert(0, "/");
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        url.userinfo = percent_decode(authority.substr(0, at));
        authority.remove_prefix(at + 1);
    }
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        url.host = to_lower(authority.substr(1, close - 1));
        authority.remove_prefix(close + 1);
        if (!authority.empty() && authority.front() != ':')
            return std::nullopt;
        if (!authority.empty())
            port = authority.substr(1);
    } else {
        const auto port_colon = authority.rfind(':');
        url.host = to_lower(authority.substr(0, port_colon));
        if (port_colon != std::string_view::npos)
            port = authority.substr(port_colon + 1);
    }
    if (url.host.empty() || url.host.find_first_of("[]@") != std::string::npos)
        return std::nullopt;
    if (port.empty()) {
        url.port = default_port(url.scheme); // "http://host:/" means the default (RFC 3986 6.2.3)
    } else {
        unsigned long value = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) {
            return std::nullopt;
        }
        url.port = std::to_string(value);
    }
    return url;
}

std::optional<Url> Url::resolve(std::string_view ref) const {
    ref = trim(ref);
    std::optional<Url> out;
    if (has_scheme(ref)) {
        out = parse(ref);
    } else if (ref.substr(0, 2) == "//") {
        out = parse(scheme + ":" + std::string(ref));
    } else {
        if (has_unsafe_bytes(ref))
            return std::nullopt;
        out = *this;
        if (!ref.empty() && ref.front() == '/') {
            out->target = std::string(ref);
        } else {
            auto base = target.substr(0, target.find('?'));
            base = base.substr(0, base.rfind('/') + 1);
            out->target = (ref.empty() || ref.front() == '?')
                              ? target.substr(0, target.find('?')) + std::string(ref)
                              : base + std::string(ref);
        }
        if (const auto hash = out->target.find('#'); hash != std::string::npos) {
            out->target.resize(hash);
        }
        if (out->target.empty())
            out->target = "/";
    }
    if (out)
        out->userinfo.clear();
    return out;
}

bool same_origin(const Url& a, const Url& b) noexcept {
    return a.scheme == b.scheme && a.host == b.host && a.port == b.port;
}

} // namespace isr::rec
