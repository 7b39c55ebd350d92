#include "webserver/origin_policy.hpp"

#include "common/strings.hpp"
#include "webserver/http_error.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

namespace isr::web {

namespace {

constexpr auto kInterfaceRefresh = std::chrono::seconds(10);

std::set<std::string> interface_addresses() {
    std::set<std::string> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0)
        return out;
    for (auto* a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr)
            continue;
        char text[INET6_ADDRSTRLEN] = {};
        if (a->ifa_addr->sa_family == AF_INET) {
            ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr, text,
                        sizeof text);
        } else if (a->ifa_addr->sa_family == AF_INET6) {
            ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(a->ifa_addr)->sin6_addr,
                        text, sizeof text);
        } else {
            continue;
        }
        out.insert(text);
    }
    ::freeifaddrs(list);
    return out;
}

} // namespace

OriginPolicy::OriginPolicy(std::string bind_address, std::vector<std::string> allowed_hosts) {
    fixed_ = {"localhost", "127.0.0.1", "::1"};
    if (bind_address != "0.0.0.0" && bind_address != "::")
        fixed_.insert(to_lower(bind_address));
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) == 0 && name[0]) {
        fixed_.insert(to_lower(name));
        fixed_.insert(to_lower(name) + ".local");
    }
    for (const auto& h : allowed_hosts) {
        if (const auto host = host_of(h); !host.empty())
            fixed_.insert(host);
    }
}

std::string OriginPolicy::host_of(std::string_view authority) {
    authority = trim(authority);
    std::string_view host;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return {};
        host = authority.substr(1, close - 1);
        const auto rest = authority.substr(close + 1);
        if (!rest.empty() && rest.front() != ':')
            return {};
    } else {
        const auto colon = authority.find(':');
        if (colon != std::string_view::npos &&
            authority.find(':', colon + 1) != std::string_view::npos)
            return {};
        host = authority.substr(0, colon);
    }
    if (host.empty() || host.size() > 253)
        return {};
    for (const char c : host) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f || c == '/' || c == '@' || c == '\\')
            return {};
    }
    auto out = to_lower(host);
    if (out.back() == '.')
        out.pop_back(); // "localhost." is "localhost"
    return out;
}

bool OriginPolicy::known(const std::string& host) const {
    if (fixed_.count(host))
        return true;
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (!interfaces_.count(host) && now - read_at_ >= kInterfaceRefresh) {
        interfaces_ = interface_addresses(); // addresses come and go (DHCP, VPNs)
        read_at_ = now;
    }
    return interfaces_.count(host) > 0;
}

void OriginPolicy::check(const Request& request) const {
    const auto host_field = request.header("Host");
    const auto host = host_of(host_field);
    if (host.empty() || !known(host)) {
        throw HttpError(
            403, cat("refused: this server does not know itself as '", host_field.substr(0, 100),
                     "' (Host field); start isr-web with --allowed-host ",
                     host.empty() ? std::string("NAME") : host, " if that name is right"));
    }
    // Browsers send Sec-Fetch-Site and Origin with a DELETE; a page from another origin must
    // not be able to delete recordings. Clients that send neither (curl, scripts) are not pages.
    const auto site = request.header("Sec-Fetch-Site");
    if (!site.empty() && site != "same-origin" && site != "none") {
        throw HttpError(
            403, cat("cross-site request refused (Sec-Fetch-Site: ", site.substr(0, 40), ")"));
    }
    const auto origin = request.header("Origin");
    if (origin.empty())
        return;
    const auto scheme_end = origin.find("://");
    const auto origin_authority =
        scheme_end == std::string_view::npos ? std::string_view{} : origin.substr(scheme_end + 3);
    if (origin == "null" || origin_authority.empty() ||
        !iequals(origin_authority, trim(host_field))) {
        throw HttpError(403,
                        cat("cross-origin request refused (Origin: ", origin.substr(0, 100), ")"));
    }
}

} // namespace isr::web
