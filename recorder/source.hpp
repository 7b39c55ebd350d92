#pragma once

#include <stdexcept>
#include <stop_token>
#include <string>

namespace isr::rec {

// A failure of one recording attempt, already worded for the log and status.json: it names the
// source's input (device, URL) and, where we know it, what the user can do about it.
class SourceError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One attempt at recording a source: open the input, record until it fails, ends, or a stop is
// requested. The runner calls run() again (after retry_delay_seconds) when it returns or throws.
class SourceSession {
public:
    virtual ~SourceSession() = default;

    // Records until `stop` is requested (returns) or the input fails or ends (throws
    // SourceError, or returns for a clean end of stream). Called on the source's thread.
    virtual void run(std::stop_token stop) = 0;

    // Seconds of audio this attempt delivered; a long one resets the failure count.
    virtual double recorded_seconds() const noexcept = 0;

    // After run() returned without a stop request: why the input ended, worded for the log and
    // status.json, or empty for the runner's generic "the input ended after N s of audio".
    virtual std::string end_reason() const { return {}; }
};

} // namespace isr::rec
