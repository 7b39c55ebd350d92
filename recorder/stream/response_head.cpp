#include "recorder/stream/response_head.hpp"

#include <algorithm>

namespace isr::rec {

namespace {

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

// Whether `bytes` can still become the start of `prefix` (or already starts with it).
bool may_start_with(std::string_view bytes, std::string_view prefix) noexcept {
    const auto n = std::min(bytes.size(), prefix.size());
    return bytes.substr(0, n) == prefix.substr(0, n);
}

struct StatusLine {
    int code = 0;
    std::string text; // normalised, without the line end
    std::string problem;
};

// "HTTP/1.1 200 OK", "HTTP/1.0 200", "ICY 200 OK".
StatusLine parse_status_line(std::string_view line) {
    StatusLine s;
    std::string version;
    std::string_view rest;
    if (line.substr(0, 4) == "ICY ") {
        version = "HTTP/1.0"; // SHOUTcast v1 speaks HTTP/1.0 otherwise
        rest = line.substr(4);
    } else if (line.size() >= 9 && line.substr(0, 5) == "HTTP/" && is_digit(line[5]) &&
               line[6] == '.' && is_digit(line[7]) && line[8] == ' ') {
        version = std::string(line.substr(0, 8));
        rest = line.substr(9);
    } else {
        s.problem = "the status line is not 'HTTP/1.x NNN reason'";
        return s;
    }
    if (rest.size() < 3 || !is_digit(rest[0]) || !is_digit(rest[1]) || !is_digit(rest[2]) ||
        (rest.size() > 3 && rest[3] != ' ')) {
        s.problem = "the status line has no three-digit status code";
        return s;
    }
    s.code = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
    const auto reason = rest.size() > 4 ? rest.substr(4) : std::string_view();
    s.text = version + " " + std::string(rest.substr(0, 3)) + " " + std::string(reason);
    return s;
}

ResponseHead invalid(std::string problem) {
    ResponseHead r;
    r.status = ResponseHead::Status::invalid;
    r.problem = std::move(problem);
    return r;
}

} // namespace

ResponseHead parse_response_head(std::string_view received, std::size_t max_head_bytes) {
    ResponseHead result;
    std::size_t head_start = 0;
    for (;;) {
        const auto rest = received.substr(head_start);
        if (!may_start_with(rest, "HTTP/") && !may_start_with(rest, "ICY ")) {
            return invalid("it does not start with a status line ('HTTP/1.x NNN' or 'ICY NNN')");
        }
        std::string head;
        int code = 0;
        std::size_t pos = head_start;
        bool first = true;
        bool ended = false;
        while (!ended) {
            const auto nl = received.find('\n', pos);
            const auto line_end = nl == std::string_view::npos ? received.size() : nl + 1;
            if (line_end - head_start > max_head_bytes) {
                return invalid("the response head is larger than " +
                               std::to_string(max_head_bytes / 1024) + " KiB");
            }
            if (nl == std::string_view::npos)
                return result; // incomplete
            auto line = received.substr(pos, nl - pos);
            if (!line.empty() && line.back() == '\r')
                line.remove_suffix(1);
            if (line.find('\0') != std::string_view::npos) {
                return invalid("the response head contains a NUL byte");
            }
            pos = nl + 1;
            if (first) {
                auto status = parse_status_line(line);
                if (!status.problem.empty())
                    return invalid(std::move(status.problem));
                code = status.code;
                head = std::move(status.text) + "\r\n";
                first = false;
            } else if (line.empty()) {
                head += "\r\n";
                ended = true;
            } else {
                head.append(line);
                head += "\r\n";
            }
        }
        // Interim responses say "more is coming": the final head follows them.
        if (code >= 100 && code < 200 && code != 101) {
            if (++result.interim > kMaxInterimResponses) {
                return invalid("more than " + std::to_string(kMaxInterimResponses) +
                               " interim (1xx) responses");
            }
            head_start = pos;
            continue;
        }
        result.status = ResponseHead::Status::complete;
        result.size = pos;
        result.head = std::move(head);
        result.status_code = code;
        return result;
    }
}

} // namespace isr::rec
