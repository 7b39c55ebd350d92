#pragma once

#include "common/time_zone.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace isr::rec {

// Which files are a source's recordings, for retention: the paths its filename_pattern makes
// (with {source} and every strftime conversion), an optional collision suffix "_N" (see
// create_unique_file) and the extension of an audio format isrd writes. Anything else in the
// folder (status.json, the lock, logs, events/, analyses/, .keep markers, a user's notes,
// replays) is not a recording and retention never touches it.
class RecordingNames {
public:
    // `pattern` passed FilenamePattern::problem(). Throws std::regex_error only on a bug.
    RecordingNames(std::string_view pattern, std::string_view source,
                   std::shared_ptr<const TimeZone> zone);

    // The leading folders that hold no conversion ("radio1" for "{source}/%Y/%m/%d/…"): the
    // scan starts there, and they are never removed when they empty.
    const std::vector<std::string>& fixed_folders() const noexcept { return fixed_; }
    // How many components follow the fixed folders (the last is the file name).
    std::size_t depth() const noexcept { return parts_.size(); }

    // Whether a folder name at `level` (0 = the first after the fixed folders) can hold
    // recordings.
    bool folder_matches(std::size_t level, std::string_view name) const;

    struct Match {
        // UTC seconds the name encodes (year, month and day at least), nullopt when the pattern
        // has no full date or the fields are not a real time.
        std::optional<std::int64_t> start;
    };
    // `components`: the path after the fixed folders, one element per component (depth()).
    std::optional<Match> match(const std::vector<std::string>& components) const;

private:
    enum class Field { year, year2, month, day, hour, minute, second, epoch };
    struct Part {
        std::regex re;
        std::vector<Field> fields; // one per capture group, in order
    };

    std::vector<std::string> fixed_;
    std::vector<Part> parts_;
    std::shared_ptr<const TimeZone> zone_;
};

} // namespace isr::rec
