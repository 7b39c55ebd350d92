#include "common/path_glob.hpp"

#include "common/strings.hpp"

#include <vector>

#include <fnmatch.h>

namespace isr {

namespace {

std::vector<std::string> components(std::string_view path) {
    return split(path, '/');
}

bool match_from(const std::vector<std::string>& glob, std::size_t g,
                const std::vector<std::string>& path, std::size_t p) noexcept {
    for (; g < glob.size(); ++g, ++p) {
        if (glob[g] == "**") {
            // Any number of folders: try every remaining suffix (globs are short).
            for (std::size_t skip = p; skip <= path.size(); ++skip) {
                if (match_from(glob, g + 1, path, skip))
                    return true;
            }
            return false;
        }
        if (p >= path.size() || ::fnmatch(glob[g].c_str(), path[p].c_str(), 0) != 0)
            return false;
    }
    return p == path.size();
}

} // namespace

std::optional<std::string> path_glob_problem(std::string_view glob) {
    if (glob.empty())
        return "is empty";
    if (glob.front() == '/')
        return "must be relative to output_directory (no leading '/')";
    for (const char c : glob) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            return "contains a control character";
    }
    for (const auto& part : components(glob)) {
        if (part.empty())
            return "has an empty folder name ('//' or a trailing '/')";
        if (part == "." || part == "..")
            return "must not contain '.' or '..' folders";
    }
    return std::nullopt;
}

bool path_glob_match(std::string_view glob, std::string_view path) noexcept {
    try {
        return match_from(components(glob), 0, components(path), 0);
    } catch (const std::bad_alloc&) {
        return true; // retention errs on the side of keeping
    }
}

} // namespace isr
