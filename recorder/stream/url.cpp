#include "recorder/stream/url.hpp"

#include "common/strings.hpp"

#include <cctype>

namespace isr::rec {

namespace {

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

} // namespace

std::string Url::host_header() const {
    const bool default_port = (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
    const auto h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return default_port ? h : h + ":" + port;
}

std::string Url::to_string() const { return scheme + "://" + host_header() + target; }

std::optional<Url> Url::parse(std::string_view text) {
    Url url;
    const auto colon = text.find("://");
    if (colon == std::string_view::npos) return std::nullopt;
    url.scheme = to_lower(text.substr(0, colon));
    if (url.scheme != "http" && url.scheme != "https") return std::nullopt;
    auto rest = text.substr(colon + 3);
    const auto path_start = rest.find_first_of("/?#");
    auto authority = rest.substr(0, path_start);
    url.target = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
    if (const auto hash = url.target.find('#'); hash != std::string::npos) url.target.resize(hash);
    if (url.target.empty() || url.target.front() == '?') url.target.insert(0, "/");
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        url.userinfo = percent_decode(authority.substr(0, at));
        authority.remove_prefix(at + 1);
    }
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        url.host = std::string(authority.substr(1, close - 1));
        authority.remove_prefix(close + 1);
        if (!authority.empty() && authority.front() == ':') url.port = std::string(authority.substr(1));
    } else {
        const auto port_colon = authority.rfind(':');
        url.host = std::string(authority.substr(0, port_colon));
        if (port_colon != std::string_view::npos) url.port = std::string(authority.substr(port_colon + 1));
    }
    if (url.host.empty()) return std::nullopt;
    if (url.port.empty()) url.port = url.tls() ? "443" : "80";
    for (const char c : url.port) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    }
    return url;
}

std::optional<Url> Url::resolve(std::string_view ref) const {
    ref = trim(ref);
    if (ref.find("://") != std::string_view::npos) return parse(ref);
    if (ref.substr(0, 2) == "//") return parse(scheme + ":" + std::string(ref));
    Url out = *this;
    out.userinfo.clear(); // credentials are not carried to where a redirect points
    if (!ref.empty() && ref.front() == '/') {
        out.target = std::string(ref);
    } else {
        auto base = target.substr(0, target.find('?'));
        base = base.substr(0, base.rfind('/') + 1);
        out.target = (ref.empty() || ref.front() == '?') ? target.substr(0, target.find('?')) + std::string(ref)
                                                          : base + std::string(ref);
    }
    if (const auto hash = out.target.find('#'); hash != std::string::npos) out.target.resize(hash);
    return out;
}

} // namespace isr::rec
