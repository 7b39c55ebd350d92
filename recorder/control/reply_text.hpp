#pragma once

#include "recorder/control/protocol.hpp"

#include <string>

namespace isr::rec {

// What `isrd COMMAND` prints for a successful reply, lines ending in '\n':
//   save            "saved 20.0 s of mic to replays/2026-11-30/143052_mic_dog.wav"
//   pause, resume   "paused mic", "resumed every source"
//   quit            "isrd is stopping"
//   status, sources every scalar member as "key: value", then each array of objects as a
//                   table with one column per key
// A reply without the members a sentence needs is shown the generic way, so a newer isrd's
// answers still print.
std::string describe_reply(const Command& command, const rapidjson::Value& reply);

// The generic way: scalars as "key: value" lines, arrays of objects as aligned tables.
std::string describe_members(const rapidjson::Value& reply);

} // namespace isr::rec
