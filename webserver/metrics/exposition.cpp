#include "webserver/metrics/exposition.hpp"

#include <cmath>
#include <cstdio>

namespace isr::web {

namespace {

void append_escaped(std::string& out, std::string_view text, bool quotes) {
    for (const char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '"' && quotes)
            out += "\\\"";
        else
            out += c;
    }
}

} // namespace

std::string format_sample_value(double value) {
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    char buf[32];
    if (value == std::floor(value) && std::fabs(value) < 1e15)
        std::snprintf(buf, sizeof buf, "%.0f", value);
    else
        std::snprintf(buf, sizeof buf, "%.10g", value);
    return buf;
}

Exposition& Exposition::family(std::string_view name, std::string_view type,
                               std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    append_escaped(out_, help, false);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
    return *this;
}

Exposition& Exposition::sample(std::string_view name, Labels labels, double value) {
    out_ += name;
    if (labels.size() > 0) {
        out_ += '{';
        bool first = true;
        for (const auto& [key, label_value] : labels) {
            if (!first)
                out_ += ',';
            first = false;
            out_ += key;
            out_ += "=\"";
            append_escaped(out_, label_value, true);
            out_ += '"';
        }
        out_ += '}';
    }
    out_ += ' ';
    out_ += format_sample_value(value);
    out_ += '\n';
    return *this;
}

} // namespace isr::web
