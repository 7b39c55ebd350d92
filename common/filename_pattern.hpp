#pragma once

#include "common/time_zone.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace isr {

// A file name pattern: strftime codes plus "{source}" for the source's name, with '/' making
// subdirectories ("{source}/%Y/%m/%d/{source}_%H%M%S"). The extension is added by the writer.
class FilenamePattern {
public:
    static constexpr std::string_view kDefault = "%Y%m%d_%H%M%S";

    // Returns why `pattern` is unusable (absolute, "..", empty component, control characters,
    // %n or %t, or names with those once expanded), or nullopt.
    static std::optional<std::string> problem(std::string_view pattern);

    explicit FilenamePattern(std::string pattern) : pattern_(std::move(pattern)) {}

    // The relative path (without extension) for a file starting at `utc_seconds`.
    std::string expand(std::string_view source, std::int64_t utc_seconds,
                       const TimeZone& zone) const;

    const std::string& text() const noexcept { return pattern_; }

private:
    std::string pattern_;
};

} // namespace isr
