#pragma once

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

// Never throws. Accepts `key = value` and `key: value`; whole-line comments starting with '#'
// or ';'; inline comments after whitespace (" # …"); values in double quotes keep '#' and ';'.
// Duplicate sections and keys are kept (the config layer reports them with context).
IniFile parse_ini(std::string_view text);

} // namespace isr
