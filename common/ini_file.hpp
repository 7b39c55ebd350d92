#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace isr {

// The lexical layer of config.ini: sections of `key = value` lines with '#'/';' comments.
struct IniEntry {
    std::string key; // lower-cased
    std::string value;
    int line = 0;
};

struct IniSection {
    std::string name;
    int line = 0;
    std::vector<IniEntry> entries;
};

struct IniProblem {
    int line = 0;
    std::string message;
};

struct IniFile {
    std::vector<IniSection> sections;
    std::vector<IniProblem> errors; // in file order
};

// Never throws; pure (a fuzzing entry point). Accepts `key = value` and `key: value`;
// whole-line comments starting with '#' or ';'; inline comments after whitespace (" # …");
// a value in double quotes keeps '#' and ';' (and must be closed). Refuses, as errors: a file
// with NUL bytes (not a text file: one error), control characters other than TAB in a line.
// Messages quote config text escaped (printable()) and never with a password. Duplicate
// sections and keys are kept (the config layer reports them with context).
// The values of `verbatim_keys` (lower-case) are kept as written, trimmed, quotes and inline
// comments included: a key whose value has its own quoting (on_save's shell-like words) reads
// them itself, where config.ini's rules would take a command's first quoted word for the value.
IniFile parse_ini(std::string_view text, std::span<const std::string_view> verbatim_keys = {});

} // namespace isr
