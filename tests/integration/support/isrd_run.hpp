#pragma once

#include "common/status_file.hpp"
#include "tests/integration/support/process.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace isr::test {

// isrd on a config a test writes, in its own temporary folder; stopped by PID.
struct IsrdRun {
    TempDir dir{"isr-run"};
    std::filesystem::path recordings = dir / "rec";
    std::filesystem::path config = dir / "config.ini";
    std::filesystem::path socket = dir / "isrd.sock"; // its control socket
    std::unique_ptr<ChildProcess> process;

    // Writes config.ini: a [general] section (output_directory, no log file, DEBUG level, the
    // control socket, then `general`) followed by `sources` verbatim.
    void write_config(const std::string& general, const std::string& sources);
    void start(std::map<std::string, std::string> env = {});
    std::optional<SourceStatus> status_of(const std::string& source) const;
    bool wait_for_state(const std::string& source, const std::string& state,
                        std::chrono::milliseconds timeout) const;
};

} // namespace isr::test
