#pragma once

#include "tests/integration/support/isrd_run.hpp"

#include <string>
#include <vector>

namespace isr::test {

// A soundcard source on one of the isrtest PCMs (tests/alsa).
struct AlsaSource {
    std::string name;
    std::string device;
    std::string format;
    int channels;
    int rate;
    int bit_depth;
};

// isrd with the test ALSA configuration and its own folder of plugin control files.
struct AlsaRun : IsrdRun {
    std::filesystem::path control = dir / "ctl";

    AlsaRun();
    // A [general] section, then one soundcard section per source (`extra` lines in each).
    void write_config(const std::string& general, const std::vector<AlsaSource>& sources,
                      const std::string& extra = "");
    void start();
    // Writes a command to the control file of a PCM (see tests/alsa/README.md).
    void command(const std::string& pcm, const std::string& text);
};

} // namespace isr::test
