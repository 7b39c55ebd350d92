#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace isr::rec {

// The time isrd was not recording before this start, from what its last run left behind, so
// that the ledger proves this gap too: a status.json still present means the last run ended
// without stopping (killed, crashed, the power went), and its "updated" time (else its mtime)
// is the last moment it was known to record; otherwise a "stop" as the ledger's last line gives
// the time of a clean stop.
struct Downtime {
    double start_utc = 0;
    std::string reason; // "not_running" or "stopped"
    std::string detail;
};

// nullopt when nothing says (a first start, a ledger that ends otherwise, a time after `now`).
// Reads at most the last 8 KiB of the newest month file; never follows a link; never throws.
std::optional<Downtime> previous_downtime(const std::filesystem::path& status_file,
                                          const std::filesystem::path& events_folder, double now);

} // namespace isr::rec
