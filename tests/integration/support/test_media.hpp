#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace isr::test {

// Test audio made once per build tree (under the build's test-media folder, guarded by a lock
// so parallel test processes share one generation) and reused by every test that needs it.
//
// `ground_truth(ext)`: 180 s of stereo noise at 22.05 kHz (48 kHz for .opus) whose level drifts
// 20 dB over the file, with loud tone events and 50 ms clicks at the times below.
std::filesystem::path ground_truth(const std::string& extension);

struct Event {
    double start;
    double end;
};
// The events as the analysis should report them with min_gap 2 and min_duration 0.5.
const std::vector<Event>& ground_truth_events();
// The clicks (each 50 ms).
const std::vector<double>& ground_truth_clicks();
// Two of the events are 1.0 s apart (merged at min_gap 2): their separate times.
const std::vector<Event>& ground_truth_close_pair();

} // namespace isr::test
