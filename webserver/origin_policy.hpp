#pragma once

#include "webserver/request.hpp"

#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace isr::web {

// Who may change state (DELETE, and any method but GET and HEAD): requests that name this
// server in their Host field, from a page of the same origin or from no page at all.
//
// The Host rule stops DNS rebinding: a page on evil.example whose name the attacker re-points
// to 127.0.0.1 or a LAN address reaches this server with Host and Origin both "evil.example",
// which a same-origin check alone would accept. Known names: localhost, the loopback
// addresses, the bind address, the machine's host name (also with ".local"), every address of
// its network interfaces (re-read when a name is not found, at most every 10 s), and what
// --allowed-host adds (a reverse proxy's public name, a DNS name on the LAN). Ports are not
// compared: proxies and port forwarding change them. Thread-safe.
class OriginPolicy {
public:
    OriginPolicy(std::string bind_address, std::vector<std::string> allowed_hosts);

    // Throws HttpError 403 with the reason when the request may not change state.
    void check(const Request& request) const;

    // The host part of a Host field or of an Origin's authority, lower-cased, without the port or
    // IPv6 brackets ("[::1]:8080" -> "::1"). Empty when malformed.
    static std::string host_of(std::string_view authority);

private:
    bool known(const std::string& host) const;

    std::set<std::string> fixed_; // lower-case names and addresses that never change
    mutable std::mutex mutex_;
    mutable std::set<std::string> interfaces_;
    mutable std::chrono::steady_clock::time_point read_at_{};
};

} // namespace isr::web
