#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace isr::web {

enum class Method { get, head, post, put, delete_, options, other };

std::string_view method_name(Method m) noexcept;

// A request as handlers see it: no Beast types, so handlers compile fast and test alone.
struct Request {
    Method method = Method::get;
    std::string target; // as received: "/stream/a%20b.wav?x=1"
    std::string path;   // percent-decoded path: "/stream/a b.wav"
    std::map<std::string, std::string, std::less<>> query; // decoded; last value wins
    std::vector<std::pair<std::string, std::string>> headers;
    std::string remote; // peer address, for logs
    int version = 11;   // 10 for HTTP/1.0, 11 for HTTP/1.1
    bool keep_alive = true;
    std::string body; // at most kRequestBodyLimit bytes

    // Case-insensitive header lookup; empty when absent.
    std::string_view header(std::string_view name) const noexcept;
    // A query parameter, or nullopt.
    std::optional<std::string> param(std::string_view name) const;
    bool is_head() const noexcept { return method == Method::head; }
};

// Splits a request target into its decoded path and query. Returns false when the target is
// not origin-form ("/…") or a percent escape is malformed.
bool parse_target(std::string_view target, std::string& path,
                  std::map<std::string, std::string, std::less<>>& query);

// Percent-decodes `in` ("+" as space only when `plus_as_space`). nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view in, bool plus_as_space);
std::string percent_encode_path(std::string_view in); // keeps '/', unreserved characters

} // namespace isr::web
