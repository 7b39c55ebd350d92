#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace isr::web {

// A gap in a source's audio as the continuity ledger tells it (README "The continuity
// ledger"): from `start` for `seconds`, ending at the event's `end` time.
struct LedgerGap {
    std::string source;
    std::string reason;
    std::string detail;
    std::string start; // ISO 8601, as isrd wrote it
    std::string end;   // the gap event's time
    double start_utc = 0;
    double seconds = 0;
    bool until_stop = false;
};

struct DayEvents {
    std::vector<std::string> events; // each a JSON object, re-serialized from the ledger line
    std::vector<LedgerGap> gaps;     // the gaps among them that overlap the day
    std::size_t skipped = 0;         // lines that were not ledger events (damaged, hostile)
    bool truncated = false;          // more than kMaxEvents, or a file past kMaxFileBytes
};

// The ledger's events of one day: those whose time is on `date` ("YYYY-MM-DD", in the
// ledger's own local times), and the gaps that reach into it from the day before; only those of
// `source` (and isrd's own, which have none) when given. Reads
// <root>/events/YYYY-MM.jsonl (and the next month's for a gap that crosses into it) without
// following symbolic links, only regular files, line by line: lines longer than kMaxLineBytes
// and lines that are not JSON objects with a time and an event are skipped. A missing ledger
// is no events. Never throws for what is in the files.
DayEvents read_day_events(const std::filesystem::path& root, std::string_view date,
                          const std::optional<std::string>& source);

inline constexpr std::size_t kMaxEvents = 20000;
inline constexpr std::size_t kMaxLedgerLineBytes = 16384;
inline constexpr std::size_t kMaxLedgerFileBytes = 64ull << 20;

} // namespace isr::web
