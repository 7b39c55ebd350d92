#include "common/ini_file.hpp"

#include "common/strings.hpp"

#include <algorithm>

namespace isr {

namespace {

struct Value {
    std::string text;
    std::string problem; // non-empty: the value is unusable
};

// The text after the delimiter. A value that starts with a double quote runs to the first quote
// that is followed only by whitespace or a comment, and may hold '#', ';' and quotes. Any other
// value ends where an inline comment begins: '#' or ';' after whitespace.
Value parse_value(std::string_view raw) {
    raw = trim(raw);
    if (!raw.empty() && raw.front() == '"') {
        for (auto close = raw.find('"', 1); close != std::string_view::npos;
             close = raw.find('"', close + 1)) {
            const auto rest = trim(raw.substr(close + 1));
            if (rest.empty() || rest.front() == '#' || rest.front() == ';') {
                return {std::string(raw.substr(1, close - 1)), {}};
            }
        }
        return {{},
                "the value starts with a double quote but has no closing one (a quoted value "
                "ends with '\"', then at most a comment)"};
    }
    for (std::size_t i = 1; i < raw.size(); ++i) {
        if ((raw[i] == '#' || raw[i] == ';') && (raw[i - 1] == ' ' || raw[i - 1] == '\t')) {
            return {std::string(trim(raw.substr(0, i))), {}};
        }
    }
    return {std::string(raw), {}};
}

// A line quoted in a message: escaped, and with a password left out (a line can be a
// "password hunter2" that forgot its '=', or hold a URL with one).
std::string quote_line(std::string_view line) {
    if (to_lower(line.substr(0, 8)) == "password")
        return "password ***";
    return printable(mask_url_password(line), 80);
}

// The first control character of a line (TAB excepted), or npos.
std::size_t control_character(std::string_view line) {
    for (std::size_t i = 0; i < line.size(); ++i) {
        const auto c = static_cast<unsigned char>(line[i]);
        if ((c < 0x20 && c != '\t') || c == 0x7F)
            return i;
    }
    return std::string_view::npos;
}

} // namespace

IniFile parse_ini(std::string_view text, std::span<const std::string_view> verbatim_keys) {
    IniFile ini;
    if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
        // A binary file (a recording, an archive) given as the config: one error, not one per line.
        const auto line =
            1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n');
        ini.errors.push_back(
            {static_cast<int>(line), cat("this is not a text file (a NUL byte at offset ", nul,
                                         "); check that it is the config file")});
        return ini;
    }
    int line_no = 0;
    // Lines before any section header belong to no section; that is an error.
    bool in_section = false;
    bool skipping = false;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        auto raw = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (line_no == 1 && raw.substr(0, 3) == "\xEF\xBB\xBF")
            raw.remove_prefix(3); // BOM
        if (!raw.empty() && raw.back() == '\r')
            raw.remove_suffix(1); // CRLF files
        const auto line = trim(raw);
        if (line.empty() || line.front() == '#' || line.front() == ';')
            continue;
        if (const auto bad = control_character(line); bad != std::string_view::npos) {
            // A CR inside a url would end the request line; no setting has a use for them.
            ini.errors.push_back({line_no, cat("control character ", printable(line.substr(bad, 1)),
                                               " at column ", bad + 1,
                                               "; no setting accepts control characters (a line "
                                               "break inside a value?)")});
            continue;
        }

        if (line.front() == '[') {
            const auto close = line.find(']');
            const auto rest = close == std::string_view::npos ? line : trim(line.substr(close + 1));
            if (close == std::string_view::npos ||
                !(rest.empty() || rest.front() == '#' || rest.front() == ';')) {
                ini.errors.push_back({line_no, cat("malformed section header '", quote_line(line),
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

        if (skipping)
            continue;
        const auto eq = line.find('=');
        const auto colon = line.find(':');
        const auto delim = std::min(eq, colon);
        if (delim == std::string_view::npos) {
            ini.errors.push_back(
                {line_no,
                 cat("'", quote_line(line), "' is not 'key = value', a [section] or a comment")});
            continue;
        }
        const auto key = trim(line.substr(0, delim));
        if (key.empty()) {
            ini.errors.push_back({line_no, cat("missing key before '", line[delim], "'")});
            continue;
        }
        if (!in_section) {
            ini.errors.push_back(
                {line_no, cat("'", printable(key, 40),
                              "' appears before any [section]; put it under [general]")});
            continue;
        }
        const auto lower_key = to_lower(key);
        const bool verbatim =
            std::find(verbatim_keys.begin(), verbatim_keys.end(), lower_key) != verbatim_keys.end();
        auto value = verbatim ? Value{std::string(trim(line.substr(delim + 1))), {}}
                              : parse_value(line.substr(delim + 1));
        if (!value.problem.empty()) {
            ini.errors.push_back({line_no, cat('[', printable(ini.sections.back().name, 64), "] ",
                                               printable(lower_key, 40), ": ", value.problem)});
            continue;
        }
        ini.sections.back().entries.push_back({lower_key, std::move(value.text), line_no});
    }
    return ini;
}

} // namespace isr
