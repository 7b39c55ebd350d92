#include "webserver/handlers/params.hpp"

#include "common/strings.hpp"
#include "webserver/app.hpp"
#include "webserver/http_error.hpp"

#include <charconv>
#include <cmath>

namespace isr::web {

namespace {
std::optional<double> number(std::string_view s) {
    s = trim(s);
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v))
        return std::nullopt;
    return v;
}
} // namespace

double number_param(const Request& request, std::string_view name, double fallback, double lo,
                    double hi) {
    const auto text = request.param(name);
    if (!text)
        return fallback;
    const auto v = number(*text);
    if (!v || *v < lo || *v > hi) {
        throw HttpError(400, cat(name, " must be a number from ", lo, " to ", hi, "; got '",
                                 text->substr(0, 40), "'"));
    }
    return *v;
}

std::optional<double> parse_time(std::string_view text) {
    text = trim(text);
    double total = 0;
    int fields = 0;
    while (true) {
        const auto colon = text.find(':');
        const auto part = text.substr(0, colon);
        const auto v = number(part);
        if (!v || *v < 0)
            return std::nullopt;
        if (colon != std::string_view::npos && (*v != std::floor(*v)))
            return std::nullopt; // only seconds have decimals
        if (fields > 0 && *v >= 60)
            return std::nullopt;
        total = total * 60 + *v;
        if (++fields > 3 || !(total <= kMaxTimeSeconds))
            return std::nullopt;
        if (colon == std::string_view::npos)
            break;
        text.remove_prefix(colon + 1);
    }
    return total;
}

double time_param(const Request& request, std::string_view name) {
    const auto text = request.param(name);
    if (!text)
        throw HttpError(400, cat("missing parameter ", name, " (seconds, m:ss or h:mm:ss)"));
    const auto v = parse_time(*text);
    if (!v) {
        throw HttpError(400, cat(name, " must be seconds, m:ss or h:mm:ss, at most ",
                                 kMaxTimeSeconds, "; got '", text->substr(0, 40), "'"));
    }
    return *v;
}

SectionParams section_params(const Request& request, const App& app) {
    SectionParams p;
    p.margin = number_param(request, "margin", app.options.margin, 0, kMarginMax);
    p.min_gap = number_param(request, "min_gap", app.options.min_gap, 0, kGapMax);
    p.min_duration =
        number_param(request, "min_duration", app.options.min_duration, 0, kDurationMax);
    return p;
}

std::string required_param(const Request& request, std::string_view name) {
    auto v = request.param(name);
    if (!v || v->empty())
        throw HttpError(400, cat("missing parameter ", name));
    return *v;
}

std::optional<std::string> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-')
        return std::nullopt;
    const auto digits = [&](std::size_t at, std::size_t n) -> int {
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (text[i] < '0' || text[i] > '9')
                return -1;
            v = v * 10 + (text[i] - '0');
        }
        return v;
    };
    const int year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
    if (year < 1970 || month < 1 || month > 12 || day < 1)
        return std::nullopt;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > kDays[month - 1] + (month == 2 && leap ? 1 : 0))
        return std::nullopt;
    return std::string(text);
}

std::optional<std::string> date_param(const Request& request) {
    const auto text = request.param("date");
    if (!text)
        return std::nullopt;
    auto date = parse_date(*text);
    if (!date)
        throw HttpError(400, "date must be YYYY-MM-DD, a real day");
    return date;
}

std::string format_time(double seconds) {
    const auto whole = static_cast<long long>(std::floor(seconds));
    const double frac = seconds - static_cast<double>(whole);
    std::string out = whole >= 3600
                          ? cat(whole / 3600, ':', whole / 60 % 60 < 10 ? "0" : "", whole / 60 % 60)
                          : cat(whole / 60);
    out += cat(':', whole % 60 < 10 ? "0" : "", whole % 60);
    if (frac > 0.0005)
        out += fixed(frac, 3).substr(1);
    while (out.back() == '0' && out.find('.') != std::string::npos)
        out.pop_back();
    return out;
}

} // namespace isr::web
