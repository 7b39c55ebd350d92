#include "webserver/etag.hpp"

#include "common/strings.hpp"

namespace isr::web {

namespace {

std::string_view opaque(std::string_view tag) noexcept {
    tag = trim(tag);
    if (tag.substr(0, 2) == "W/")
        tag.remove_prefix(2);
    return tag;
}

} // namespace

bool none_match_hits(std::string_view field, std::string_view etag) noexcept {
    field = trim(field);
    if (field.empty())
        return false;
    if (field == "*")
        return true;
    const auto want = opaque(etag);
    // Entity tags are quoted strings that cannot contain '"' themselves, so a comma outside
    // quotes separates entries.
    std::size_t begin = 0;
    bool quoted = false;
    for (std::size_t i = 0; i <= field.size(); ++i) {
        if (i < field.size() && field[i] == '"')
            quoted = !quoted;
        if (i == field.size() || (field[i] == ',' && !quoted)) {
            if (opaque(field.substr(begin, i - begin)) == want)
                return true;
            begin = i + 1;
        }
    }
    return false;
}

} // namespace isr::web
