#include "recorder/ledger/downtime.hpp"

#include "common/file_util.hpp"
#include "common/json.hpp"
#include "common/status_file.hpp"
#include "common/time_format.hpp"

#include <algorithm>
#include <regex>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::rec {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kTailBytes = 8192;

// The last complete line of `file` (at most kTailBytes from its end), or "".
std::string last_line(const fs::path& file) {
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
        return {};
    const auto size = static_cast<std::size_t>(st.st_size);
    const auto from = size > kTailBytes ? size - kTailBytes : 0;
    std::string tail(size - from, '\0');
    const auto got = ::pread(fd.get(), tail.data(), tail.size(), static_cast<off_t>(from));
    if (got <= 0)
        return {};
    tail.resize(static_cast<std::size_t>(got));
    // A line cut by a crash has no newline: something came after whatever precedes it.
    if (tail.back() != '\n')
        return {};
    const auto end = tail.size() - 1;
    const auto begin = tail.rfind('\n', end == 0 ? 0 : end - 1);
    if (begin == std::string::npos)
        return from == 0 ? tail.substr(0, end) : std::string{};
    return tail.substr(begin + 1, end - begin - 1);
}

// The newest "YYYY-MM.jsonl" in the events folder.
std::optional<fs::path> newest_month(const fs::path& folder) {
    static const std::regex kMonth(R"(\d{4}-\d{2}\.jsonl)");
    std::optional<fs::path> newest;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (std::regex_match(name, kMonth) && (!newest || name > newest->filename().string()))
            newest = it->path();
    }
    return newest;
}

} // namespace

std::optional<Downtime> previous_downtime(const fs::path& status_file,
                                          const fs::path& events_folder, double now) {
    try {
        std::optional<Downtime> found;
        struct stat st {};
        if (::lstat(status_file.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
            const auto reading = read_status_file(status_file);
            std::optional<double> updated;
            if (reading.status)
                updated = parse_iso8601(reading.status->updated);
            if (!updated)
                updated = static_cast<double>(st.st_mtim.tv_sec);
            found = Downtime{*updated, "not_running",
                             "isrd ended without stopping (killed, crashed or the power went)"};
        } else if (const auto month = newest_month(events_folder)) {
            const auto line = last_line(*month);
            rapidjson::Document doc;
            doc.Parse(line.data(), line.size());
            if (!doc.HasParseError() && doc.IsObject() && json_string(doc, "event") == "stop") {
                if (const auto at = parse_iso8601(json_string(doc, "time").value_or(""))) {
                    const auto why = json_string(doc, "reason").value_or("");
                    found = Downtime{*at, "stopped",
                                     why.empty() ? "isrd was stopped"
                                                 : "isrd was stopped (" + why + ")"};
                }
            }
        }
        if (found && found->start_utc < now)
            return found;
    } catch (const std::exception&) {
        // What cannot be read proves nothing; the start goes on.
    }
    return std::nullopt;
}

} // namespace isr::rec
