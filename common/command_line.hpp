#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace isr {

// A command a user writes in config.ini (on_save), split into words the way a POSIX shell
// splits them — but no shell ever runs it, so nothing is expanded:
//   - spaces and tabs separate words;
//   - '…' keeps everything up to the next ' literally;
//   - "…" keeps everything up to the next unescaped ", where \" \\ \$ and \` are escapes;
//   - outside quotes, \ keeps the next character;
//   - a word that starts with an unquoted # or ; begins a comment (config.ini's inline comments);
//   - unquoted | & ; < > ( ) $ ` and a word-leading ~ are refused: a shell would give them a
//     meaning that this split cannot, and the command would then run with surprising arguments.
// Pure; throws std::invalid_argument saying what is wrong and where (unterminated quote, …).
std::vector<std::string> split_command_line(std::string_view text);

// The same, returning the problem instead of throwing (config validation).
std::optional<std::string> command_line_problem(std::string_view text);

// Words joined back into text split_command_line reads as the same words: each word that needs
// it is put in single quotes (isrd --check-config shows on_save this way).
std::string quote_command_line(const std::vector<std::string>& words);

} // namespace isr
