#pragma once

#include "common/json.hpp"
#include "common/levels/loudness.hpp"

// The JSON shapes of the analysis, one place for the API, the CLI and the cache files.
namespace isr::web {

// "margin", "min_gap", "min_duration" as members of the object being written.
void write_members(JsonWriter& w, const SectionParams& params);
// {"margin": …, "min_gap": …, "min_duration": …}
void write_json(JsonWriter& w, const SectionParams& params);
// "start", "end", "peak_db", "floor_db", "score" as members of the object being written.
void write_members(JsonWriter& w, const Section& section);
// {"start": …, "end": …, "peak_db": …, "floor_db": …, "score": …}
void write_json(JsonWriter& w, const Section& section);

} // namespace isr::web
