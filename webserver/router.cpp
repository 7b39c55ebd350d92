#include "webserver/router.hpp"

#include "common/log.hpp"
#include "common/strings.hpp"
#include "webserver/http_error.hpp"

#include <algorithm>

namespace isr::web {

namespace {

bool match_pattern(std::string_view pattern, std::string_view path, Params& params) {
    constexpr std::string_view kRest = "{path*}";
    if (pattern.size() >= kRest.size() && pattern.substr(pattern.size() - kRest.size()) == kRest) {
        const auto prefix = pattern.substr(0, pattern.size() - kRest.size());
        if (path.size() <= prefix.size() || path.substr(0, prefix.size()) != prefix)
            return false;
        params.emplace_back(path.substr(prefix.size()));
        return true;
    }
    return pattern == path;
}

} // namespace

Router::Match Router::match(Method method, std::string_view path) const {
    Match m;
    for (const auto& route : routes_) {
        Params params;
        if (!match_pattern(route.pattern, path, params))
            continue;
        if (route.method == method || (route.method == Method::get && method == Method::head)) {
            m.route = &route;
            m.params = std::move(params);
            m.allowed.clear();
            return m;
        }
        const auto add = [&m](std::string_view name) {
            if (std::find(m.allowed.begin(), m.allowed.end(), name) == m.allowed.end())
                m.allowed.emplace_back(name);
        };
        add(method_name(route.method));
        if (route.method == Method::get)
            add("HEAD");
    }
    return m;
}

Response Router::handle(const Request& request, const Match& match) const noexcept {
    try {
        try {
            if (!match.route) {
                if (!match.allowed.empty()) {
                    auto r = json_error(
                        405, cat("method ", method_name(request.method),
                                 " is not allowed here; allowed: ", join(match.allowed, ", ")));
                    r.header("Allow", join(match.allowed, ", "));
                    return r;
                }
                return json_error(404, cat("no such endpoint: ", request.path));
            }
            if (state_change_ && match.route->method != Method::get)
                state_change_(request);
            return match.route->handle(request, match.params);
        } catch (const HttpError& e) {
            auto r = json_error(e.status(), e.what());
            for (const auto& [k, v] : e.headers())
                r.header(k, v);
            return r;
        } catch (const std::exception& e) {
            log::error("web", method_name(request.method), ' ', request.target,
                       " failed: ", e.what());
            return json_error(500, "internal error; the server log has the details");
        }
    } catch (...) {
        Response r;
        r.status = 500;
        return r;
    }
}

} // namespace isr::web
