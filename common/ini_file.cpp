#include "common/ini_file.hpp"

#include "common/strings.hpp"

namespace isr {

namespace {

// Drops an inline comment: '#' or ';' preceded by whitespace, outside double quotes.
std::string_view strip_inline_comment(std::string_view value) {
    bool quoted = false;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '"') quoted = !quoted;
        if (!quoted && (c == '#' || c == ';') && i > 0 && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
            return trim(value.substr(0, i));
        }
    }
    return trim(value);
}

std::string unquote(std::string_view value) {
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
}

} // namespace

IniFile parse_ini(std::string_view text) {
    IniFile ini;
    int line_no = 0;
    // Lines before any section header belong to no section; that is an error.
    bool in_section = false;
    bool skipping = false;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        auto raw = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (line_no == 1 && raw.substr(0, 3) == "\xEF\xBB\xBF") raw.remove_prefix(3); // BOM
        const auto line = trim(raw);
        if (line.empty() || line.front() == '#' || line.front() == ';') continue;

        if (line.front() == '[') {
            const auto close = line.find(']');
            const auto rest = close == std::string_view::npos ? line : trim(line.substr(close + 1));
            if (close == std::string_view::npos || !(rest.empty() || rest.front() == '#' || rest.front() == ';')) {
                ini.errors.push_back({line_no, cat("malformed section header '", line,
                                                   "'; expected [name]")});
                skipping = true; // its keys would only repeat the same mistake
                continue;
            }
            const auto name = trim(line.substr(1, close - 1));
            if (name.empty()) {
                ini.errors.push_back({line_no, "empty section name '[]'"});
                skipping = true;
                continue;
            }
            ini.sections.push_back({std::string(name), line_no, {}});
            in_section = true;
            skipping = false;
            continue;
        }

        if (skipping) continue;
        const auto eq = line.find('=');
        const auto colon = line.find(':');
        const auto delim = std::min(eq, colon);
        if (delim == std::string_view::npos) {
            ini.errors.push_back({line_no, cat("'", line,
                                               "' is not 'key = value', a [section] or a comment")});
            continue;
        }
        const auto key = trim(line.substr(0, delim));
        if (key.empty()) {
            ini.errors.push_back({line_no, cat("missing key before '", line[delim], "'")});
            continue;
        }
        if (!in_section) {
            ini.errors.push_back({line_no, cat("'", key,
                                               "' appears before any [section]; put it under [general]")});
            continue;
        }
        ini.sections.back().entries.push_back(
            {to_lower(key), unquote(strip_inline_comment(line.substr(delim + 1))), line_no});
    }
    return ini;
}

} // namespace isr
