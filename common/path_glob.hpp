#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace isr {

// Globs over '/'-separated relative paths (the `protect` key): within one folder or file name
// `*`, `?` and `[...]` as in the shell (fnmatch, never crossing a '/'); a whole component `**`
// matches any number of folders, none included. "radio1/2026/11/**" is everything under that
// month, "**/*_1200*.flac" every FLAC file whose name holds _1200, at any depth.

// Why `glob` is unusable (empty, absolute, an empty, '.' or '..' component, control
// characters), or nullopt.
std::optional<std::string> path_glob_problem(std::string_view glob);

// True when the relative path `path` matches `glob` (also when memory runs out: the caller
// keeps what it matches). Pure; never throws.
bool path_glob_match(std::string_view glob, std::string_view path) noexcept;

} // namespace isr
