#include "common/command_line.hpp"

#include "common/strings.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace isr {

namespace {

// Characters a shell would act on. Taken literally they would hand the program arguments such as
// "&&" or "$HOME" that the user meant the shell to interpret.
constexpr std::string_view kShellOperators = "|&;<>()$`";

// Characters a word may hold without quotes when it is shown back (quote_command_line).
bool plain(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
}

} // namespace

std::vector<std::string> split_command_line(std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false; // also true after "" or '', which make an empty word
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ' ' || c == '\t') {
            if (in_word)
                words.push_back(std::exchange(word, {}));
            in_word = false;
            continue;
        }
        if (!in_word && (c == '#' || c == ';'))
            break; // an inline comment, as everywhere else in config.ini
        if (c == '\'') {
            const auto close = text.find('\'', i + 1);
            if (close == std::string_view::npos)
                throw std::invalid_argument(cat("the ' at column ", i + 1, " is never closed"));
            word.append(text.substr(i + 1, close - i - 1));
            i = close;
            in_word = true;
            continue;
        }
        if (c == '"') {
            std::size_t k = i + 1;
            for (; k < text.size() && text[k] != '"'; ++k) {
                if (text[k] == '\\' && k + 1 < text.size() &&
                    std::string_view("\"\\$`").find(text[k + 1]) != std::string_view::npos) {
                    ++k;
                }
                word += text[k];
            }
            if (k >= text.size())
                throw std::invalid_argument(cat("the \" at column ", i + 1, " is never closed"));
            i = k;
            in_word = true;
            continue;
        }
        if (c == '\\') {
            if (i + 1 >= text.size()) {
                throw std::invalid_argument(
                    "ends with a lone \\ (write \\\\ or '\\' for a backslash)");
            }
            word += text[++i];
            in_word = true;
            continue;
        }
        if (kShellOperators.find(c) != std::string_view::npos) {
            throw std::invalid_argument(
                cat("'", c, "' at column ", i + 1,
                    " means something only to a shell, and no shell runs this command; quote it "
                    "to pass it as text, or run a shell yourself: sh -c '...' sh"));
        }
        if (c == '~' && !in_word) {
            throw std::invalid_argument(cat("'~' at column ", i + 1,
                                            " is not expanded (no shell runs this command); "
                                            "write the full path"));
        }
        word += c;
        in_word = true;
    }
    if (in_word)
        words.push_back(std::move(word));
    return words;
}

std::optional<std::string> command_line_problem(std::string_view text) {
    try {
        split_command_line(text);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return std::nullopt;
}

std::string quote_command_line(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty())
            out += ' ';
        if (!w.empty() && std::all_of(w.begin(), w.end(), plain)) {
            out += w;
            continue;
        }
        out += '\'';
        for (const char c : w) {
            if (c == '\'')
                out += "'\\''"; // close, an escaped quote, reopen
            else
                out += c;
        }
        out += '\'';
    }
    return out;
}

} // namespace isr
