#pragma once

#include "recorder/control/protocol.hpp"

#include <functional>

namespace isr::rec {

// Answers a reply slot of the ControlServer. Safe to call from any thread, at any time, even
// after the server has stopped (the reply is then dropped). Only the first call counts.
using ReplyFn = std::function<void(Reply)>;

// What isrd does with control commands; the Recorder implements it.
class ControlHandler {
public:
    virtual ~ControlHandler() = default;

    // Called on the control server's thread, one command at a time, in the order the clients'
    // lines arrive. Must not block: work that waits (a save with post_seconds) goes to another
    // thread, which calls `reply` when done. Calls `reply` exactly once, now or later, from any
    // thread; every copy of `reply` dropped uncalled answers with an error instead, so a client
    // never waits forever. An exception thrown here becomes the error reply (its what()).
    virtual void handle(const Command& command, ReplyFn reply) = 0;
};

} // namespace isr::rec
