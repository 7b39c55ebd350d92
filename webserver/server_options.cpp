#include "webserver/server_options.hpp"

#include "common/analysis_cache_paths.hpp"
#include "common/control_socket_path.hpp"
#include "common/strings.hpp"
#include "common/time_zone.hpp"
#include "common/version.hpp"
#include "webserver/origin_policy.hpp"

#include <boost/program_options.hpp>

#include <sstream>

namespace isr::web {

namespace po = boost::program_options;

namespace {
constexpr const char* kUsage = R"(Usage: isr-web [OPTIONS]
       isr-web analyze [OPTIONS] FILE...   (see isr-web analyze --help)

Serves the recordings directory (read-only) over HTTP: a web UI and a JSON API.

Options)";
}

ParsedOptions parse_server_options(const std::vector<std::string>& args) {
    ServerOptions o;
    std::string analyses, status, bind, webui, control, level = "INFO";
    int port = 8080;
    double idle = -1;
    po::options_description desc(kUsage);
    desc.add_options()("dir", po::value<std::string>()->default_value("./recordings"),
                       "recordings directory (served read-only)")(
        "port", po::value<int>(&port)->default_value(8080),
        "TCP port")("bind", po::value<std::string>(&bind)->default_value("0.0.0.0"),
                    "address to listen on (127.0.0.1: this machine only)")(
        "margin", po::value<double>(&o.margin)->default_value(12.0, "12"),
        "dB above the background noise for a section to count as loud")(
        "min-gap", po::value<double>(&o.min_gap)->default_value(2.0, "2"),
        "grace period in seconds: loud sections closer than this merge")(
        "min-duration", po::value<double>(&o.min_duration)->default_value(0.5, "0.5"),
        "loud sections shorter than this (after merging) are dropped")(
        "analyses-dir", po::value<std::string>(&analyses),
        "analysis cache directory (default: <dir>/analyses)")(
        "status-file", po::value<std::string>(&status),
        "isrd's status file (default: <dir>/status.json)")(
        "read-only", po::bool_switch(&o.read_only), "refuse DELETE and POST /api/replay")(
        "control-socket", po::value<std::string>(&control),
        "isrd's control socket, for saving instant replays (default: as isrd's for --dir: "
        "$XDG_RUNTIME_DIR/isrd.sock, else <dir>/.isrd.sock)")(
        "allowed-host", po::value<std::vector<std::string>>(&o.allowed_hosts)->composing(),
        "a name this server is reached by, for requests that change state (repeatable; e.g. a "
        "reverse proxy's name)")("idle-exit", po::value<double>(&idle),
                                 "exit after SECONDS without connections (for socket activation)")(
        "request-timeout", po::value<double>(&o.request_timeout_seconds)->default_value(10, "10"),
        "seconds a client may take to send a whole request once it has begun")(
        "timezone", po::value<std::string>(&o.timezone),
        "zone of the times in file names (default: local; e.g. UTC)")(
        "webui-dir", po::value<std::string>(&webui),
        "serve the web UI from this folder instead of the built-in copy")(
        "threads", po::value<int>(&o.threads)->default_value(2),
        "I/O threads")("analysis-workers", po::value<int>(&o.analysis_workers)->default_value(2),
                       "threads decoding audio for analyses (default: 2)")(
        "log-level", po::value<std::string>(&level)->default_value("INFO"),
        "DEBUG, INFO (one line per request), WARNING, ERROR")("help,h", "show this help")(
        "version,V", "show the version");
    std::vector<const char*> argv{"isr-web"};
    for (const auto& a : args)
        argv.push_back(a.c_str());
    po::variables_map vm;
    const auto usage_error = [](const std::string& message) {
        return ParsedOptions{std::nullopt, 2,
                             cat("isr-web: ", message, "\nTry 'isr-web --help'.\n")};
    };
    try {
        po::store(po::parse_command_line(static_cast<int>(argv.size()), argv.data(), desc), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return usage_error(e.what());
    }
    if (vm.count("help")) {
        std::ostringstream out;
        out << desc << "\nEndpoints and examples: README.md (HTTP API).\n";
        return {std::nullopt, 0, out.str()};
    }
    if (vm.count("version"))
        return {std::nullopt, 0, cat("isr-web ", kVersion, "\n")};

    o.dir = vm["dir"].as<std::string>();
    if (vm.count("control-socket")) {
        o.control_socket = control;
        if (const auto problem = socket_path_problem(control))
            return usage_error(cat("--control-socket ", control, ": ", *problem));
    } else {
        GeneralConfig isrd;
        isrd.output_directory = o.dir;
        o.control_socket = control_socket_path(isrd);
    }
    if (port < 0 || port > 65535)
        return usage_error(cat("--port ", port, ": expected 0 to 65535"));
    o.port = static_cast<std::uint16_t>(port);
    o.bind = bind;
    if (!(o.margin >= 0 && o.margin <= kMarginMax))
        return usage_error(cat("--margin ", o.margin, ": expected 0 to ", kMarginMax, " dB"));
    if (!(o.min_gap >= 0 && o.min_gap <= kGapMax))
        return usage_error(cat("--min-gap ", o.min_gap, ": expected 0 to ", kGapMax, " seconds"));
    if (!(o.min_duration >= 0 && o.min_duration <= kDurationMax)) {
        return usage_error(
            cat("--min-duration ", o.min_duration, ": expected 0 to ", kDurationMax, " seconds"));
    }
    if (vm.count("idle-exit")) {
        if (!(idle > 0))
            return usage_error(cat("--idle-exit ", idle, ": expected a number of seconds above 0"));
        o.idle_exit_seconds = idle;
    }
    if (!(o.request_timeout_seconds >= 0.1 && o.request_timeout_seconds <= 3600)) {
        return usage_error(
            cat("--request-timeout ", o.request_timeout_seconds, ": expected 0.1 to 3600 seconds"));
    }
    if (o.threads < 1 || o.threads > 64)
        return usage_error("--threads: expected 1 to 64");
    if (o.analysis_workers < 1 || o.analysis_workers > 64)
        return usage_error("--analysis-workers: expected 1 to 64");
    const auto lvl = log::parse_level(level);
    if (!lvl)
        return usage_error(
            cat("--log-level ", level, ": expected DEBUG, INFO, WARNING, ERROR or CRITICAL"));
    o.log_level = *lvl;
    if (!o.timezone.empty()) {
        try {
            TimeZone::locate(o.timezone);
        } catch (const std::exception& e) {
            return usage_error(cat("--timezone: ", e.what()));
        }
    }
    o.analyses_dir = analyses.empty() ? o.dir / std::string(kDefaultAnalysesFolder)
                                      : std::filesystem::path(analyses);
    o.status_file = status.empty() ? o.dir / "status.json" : std::filesystem::path(status);
    if (!webui.empty())
        o.webui_dir = webui;
    for (const auto& h : o.allowed_hosts) {
        if (OriginPolicy::host_of(h).empty())
            return usage_error(cat("--allowed-host ", h, ": expected a host name or address"));
    }
    return {o, 0, ""};
}

} // namespace isr::web
