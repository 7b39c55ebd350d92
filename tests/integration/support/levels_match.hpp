#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace isr::test {

// Compares the levels isrd recorded for a file with those of a decode of the file (isr-web's):
// every window within `tolerance_db`, except `edge_windows` at each end (where a codec's
// priming may differ between decoders), the window counts within one, and the same sections
// (default parameters over noise_floor) where they do not touch those edges. Returns "" when
// they match, else what differs (for the test's message).
std::string levels_mismatch(const std::vector<float>& recorded, const std::vector<float>& decoded,
                            std::size_t edge_windows, double tolerance_db = 0.1);

} // namespace isr::test
