#include "webserver/archive/ledger_reader.hpp"

#include "common/file_util.hpp"
#include "common/json.hpp"
#include "common/time_format.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cerrno>
#include <functional>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::web {

namespace {

// The month after "YYYY-MM".
std::string next_month(std::string_view month) {
    int y = std::stoi(std::string(month.substr(0, 4)));
    int m = std::stoi(std::string(month.substr(5, 2))) + 1;
    if (m == 13) {
        m = 1;
        ++y;
    }
    // Dates come through parse_date: the year has four digits.
    return std::to_string(y) + (m < 10 ? "-0" : "-") + std::to_string(m);
}

// Calls `line` for each line of <root>/events/<month>.jsonl, read without following links.
// False when the file is missing or refused.
bool each_line(const std::filesystem::path& root, const std::string& month, DayEvents& out,
               const std::function<void(std::string_view)>& line) {
    UniqueFd dir(
        ::open((root / "events").c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir)
        return false;
    const auto name = month + ".jsonl";
    UniqueFd fd(::openat(dir.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    std::string pending;
    bool overlong = false; // inside a line too long to keep: skipped to its end
    std::vector<char> buffer(64 * 1024);
    std::size_t total = 0;
    for (;;) {
        const auto n = ::read(fd.get(), buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        total += static_cast<std::size_t>(n);
        std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
        while (!chunk.empty()) {
            const auto nl = chunk.find('\n');
            const auto piece = chunk.substr(0, nl);
            if (!overlong) {
                if (pending.size() + piece.size() > kMaxLedgerLineBytes) {
                    overlong = true;
                    pending.clear();
                } else {
                    pending.append(piece);
                }
            }
            if (nl == std::string_view::npos)
                break;
            if (overlong)
                ++out.skipped;
            else if (!pending.empty())
                line(pending);
            pending.clear();
            overlong = false;
            chunk.remove_prefix(nl + 1);
        }
        if (total >= kMaxLedgerFileBytes) {
            out.truncated = true;
            return true;
        }
    }
    // A last line without its newline is one isrd is writing, or was killed writing.
    if (!pending.empty() && !overlong)
        line(pending);
    return true;
}

} // namespace

DayEvents read_day_events(const std::filesystem::path& root, std::string_view date,
                          const std::optional<std::string>& source) {
    DayEvents out;
    const std::string day(date);
    const auto handle = [&](std::string_view text, bool same_month) {
        rapidjson::Document doc;
        doc.Parse(text.data(), text.size());
        if (doc.HasParseError() || !doc.IsObject()) {
            ++out.skipped;
            return;
        }
        const auto time = json_string(doc, "time");
        const auto event = json_string(doc, "event");
        if (!time || !event || time->size() < 10 || !parse_iso8601(*time)) {
            ++out.skipped;
            return;
        }
        const auto event_source = json_string(doc, "source");
        if (source && event_source && *event_source != *source)
            return;
        const auto event_day = time->substr(0, 10);
        bool wanted = same_month && event_day == day;
        std::optional<LedgerGap> gap;
        if (*event == "gap") {
            const auto start = json_string(doc, "start").value_or("");
            const auto start_utc = parse_iso8601(start);
            const auto seconds = json_number(doc, "seconds");
            if (start_utc && seconds && *seconds >= 0 && start.size() >= 10) {
                // Reaches into the day from an earlier one.
                if (start.substr(0, 10) <= day && day <= event_day)
                    wanted = true;
                gap = LedgerGap{event_source.value_or(""),
                                json_string(doc, "reason").value_or(""),
                                json_string(doc, "detail").value_or(""),
                                start,
                                *time,
                                *start_utc,
                                *seconds,
                                json_bool(doc, "until_stop").value_or(false)};
            }
        }
        if (!wanted)
            return;
        if (out.events.size() >= kMaxEvents) {
            out.truncated = true;
            return;
        }
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        doc.Accept(writer);
        out.events.emplace_back(buffer.GetString(), buffer.GetSize());
        if (gap)
            out.gaps.push_back(std::move(*gap));
    };
    const auto month = day.substr(0, 7);
    each_line(root, month, out, [&](std::string_view l) { handle(l, true); });
    // A gap that began on the last days of the month may end (and be written) in the next.
    each_line(root, next_month(month), out, [&](std::string_view l) {
        if (l.find("\"event\":\"gap\"") != std::string_view::npos)
            handle(l, false);
    });
    return out;
}

} // namespace isr::web
