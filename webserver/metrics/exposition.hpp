#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace isr::web {

// Prometheus' text exposition format, version 0.0.4: one HELP and TYPE line per metric family,
// then its samples. Label values are escaped as the format requires (backslash, quote, newline),
// so a source named by a user cannot break a scrape.
class Exposition {
public:
    using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

    // Starts a family: `type` is counter, gauge or histogram.
    Exposition& family(std::string_view name, std::string_view type, std::string_view help);
    Exposition& sample(std::string_view name, Labels labels, double value);
    Exposition& sample(std::string_view name, double value) { return sample(name, {}, value); }

    const std::string& text() const noexcept { return out_; }

    static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

private:
    std::string out_;
};

// A sample value as the format writes it: integers without a fraction, NaN and ±Inf by name.
std::string format_sample_value(double value);

} // namespace isr::web
