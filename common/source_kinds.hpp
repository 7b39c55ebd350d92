#pragma once

#include <optional>
#include <string_view>

// The closed sets of words a source is described by: in config.ini (`type`) and in
// status.json (`type`, `state`). Code uses the enums; the words exist only at those boundaries.
namespace isr {

enum class SourceType { stream, soundcard, generator };

// What a source is doing, as status.json reports it (the values are a contract: isr-web, the
// UI and users' scripts read them).
enum class RunState {
    starting,   // a PCM source opens its device
    connecting, // a stream source connects
    recording,  // audio reaches the disk
    retrying,   // waiting to try again after a failure (device, connection, disk)
    failed,     // gave up after max_retries
    paused,     // part of the format for pausing a source; isrd has no way to pause one yet
    stopped,    // isrd is shutting down
};

std::string_view to_string(SourceType type) noexcept;
std::string_view to_string(RunState state) noexcept;
// nullopt for a word that is not one of the set.
std::optional<SourceType> parse_source_type(std::string_view word) noexcept;
std::optional<RunState> parse_run_state(std::string_view word) noexcept;

} // namespace isr
