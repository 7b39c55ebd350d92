#pragma once

#include "common/log.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace isr::web {

// Limits of the analysis parameters: the same for the CLI and for /api/analyze.
inline constexpr double kMarginMax = 60.0;
inline constexpr double kGapMax = 600.0;
inline constexpr double kDurationMax = 600.0;

struct ServerOptions {
    std::filesystem::path dir = "./recordings";
    std::uint16_t port = 8080;
    std::string bind = "0.0.0.0";
    double margin = 12.0;
    double min_gap = 2.0;
    double min_duration = 0.5;
    std::filesystem::path analyses_dir; // default <dir>/analyses
    std::filesystem::path status_file;  // default <dir>/status.json
    bool read_only = false;
    // isrd's control socket, for POST /api/replay; default: where isrd puts it for `dir`.
    std::filesystem::path control_socket;
    std::vector<std::string> allowed_hosts; // more names for the Host rule (OriginPolicy)
    std::optional<double> idle_exit_seconds;
    double request_timeout_seconds = 10; // first byte to a whole request (slow-loris bound)
    std::string timezone;                // for times in file names; empty: local
    std::optional<std::filesystem::path> webui_dir; // serve the UI from disk instead of the binary
    int threads = 2;                                // I/O threads
    int workers = 4;          // threads for blocking work (listing, deleting, waiting)
    int analysis_workers = 2; // threads decoding for analyses
    int media_workers = 4;    // threads for clips and cuts
    log::Level log_level = log::Level::info;
};

// Result of reading the command line: options to run with, or an exit code with the text to
// print (help, version, or errors naming the bad flag).
struct ParsedOptions {
    std::optional<ServerOptions> options;
    int exit_code = 0;
    std::string output; // to stdout for help/version, to stderr for errors
};

ParsedOptions parse_server_options(const std::vector<std::string>& args);

} // namespace isr::web
