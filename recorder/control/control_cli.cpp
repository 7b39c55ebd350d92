#include "recorder/control/control_cli.hpp"

#include "common/config.hpp"
#include "recorder/control/control_client.hpp"
#include "recorder/control/reply_text.hpp"
#include "recorder/control/socket_path.hpp"
#include "recorder/control/unix_address.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <ostream>
#include <system_error>

namespace po = boost::program_options;

namespace isr::rec {

namespace {

// Plenty for any command isrd answers at once, and for a save that writes a long ring to a slow
// disk; post_seconds comes on top.
constexpr std::chrono::seconds kReplyTimeout{30};

constexpr std::array<std::string_view, 6> kWords{"save",  "status", "sources",
                                                 "pause", "resume", "quit"};

constexpr const char* kUsage =
    R"(Commands (to the isrd already running, through its control socket):
  isrd save [--source S] [--seconds N] [--label L] [--post N] [--since-last]
                      save the last N seconds of S's replay ring to a file
  isrd status         isrd's state and each source's
  isrd sources        the sources and their rings
  isrd pause [S]      pause recording S (every source without S)
  isrd resume [S]     resume recording S (every source without S)
  isrd quit           stop isrd as SIGTERM does

Options of every command:
  --socket PATH       isrd's control socket (default: $XDG_RUNTIME_DIR/isrd.sock when set,
                      else OUTPUT_DIRECTORY/.isrd.sock, recordings/.isrd.sock without -c)
  -c, --config FILE   the config isrd runs with, to find its socket
  --json              print isrd's reply line as it came
  -h, --help          show this help

Exit status: 0 done, 1 isrd refused or failed the command, 2 usage error, 3 no isrd at the socket.
)";

po::options_description common_options() {
    po::options_description options;
    options.add_options()("socket", po::value<std::string>())("config,c", po::value<std::string>())(
        "json", "")("help,h", "");
    return options;
}

po::options_description save_options() {
    po::options_description options;
    options.add_options()("source", po::value<std::string>())("seconds", po::value<double>())(
        "label", po::value<std::string>())("post", po::value<double>())("since-last", "");
    return options;
}

std::optional<std::string> optional_string(const po::variables_map& vm, const char* key) {
    if (!vm.count(key))
        return std::nullopt;
    return vm[key].as<std::string>();
}

Command command_for(std::string_view word, const po::variables_map& vm,
                    const std::vector<std::string>& words) {
    const auto source = words.empty() ? std::nullopt : std::optional<std::string>(words[0]);
    if (word == "save") {
        SaveCommand save;
        save.source = optional_string(vm, "source");
        if (vm.count("seconds"))
            save.seconds = vm["seconds"].as<double>();
        save.label = optional_string(vm, "label");
        if (vm.count("post"))
            save.post_seconds = vm["post"].as<double>();
        save.since_last = vm.count("since-last") > 0;
        return save;
    }
    if (word == "pause")
        return PauseCommand{source};
    if (word == "resume")
        return ResumeCommand{source};
    if (word == "status")
        return StatusCommand{};
    if (word == "sources")
        return SourcesCommand{};
    return QuitCommand{};
}

std::string no_daemon_hint(int error) {
    if (error == EACCES || error == EPERM)
        return "the socket is open to isrd's user and group only: run this as one of them";
    return "is isrd running? Start it with `isrd CONFIG`, or point to its socket with "
           "--socket PATH or -c CONFIG";
}

} // namespace

bool is_control_command(std::string_view word) noexcept {
    return std::find(kWords.begin(), kWords.end(), word) != kWords.end();
}

std::string_view control_cli_usage() noexcept {
    return kUsage;
}

CliRequest parse_cli(const std::vector<std::string>& args) {
    if (args.empty() || !is_control_command(args[0]))
        throw CliUsageError(cat("expected a command: ", known_commands()));
    const std::string_view word = args[0];
    po::options_description options;
    options.add(common_options());
    if (word == "save")
        options.add(save_options());
    po::options_description hidden;
    hidden.add_options()("words", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(options).add(hidden);
    po::positional_options_description positional;
    positional.add("words", -1);
    po::variables_map vm;
    try {
        const std::vector<std::string> rest(args.begin() + 1, args.end());
        po::store(po::command_line_parser(rest).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw CliUsageError(e.what());
    }
    const auto words =
        vm.count("words") ? vm["words"].as<std::vector<std::string>>() : std::vector<std::string>{};
    const std::size_t allowed = word == "pause" || word == "resume" ? 1 : 0;
    if (words.size() > allowed)
        throw CliUsageError(cat("unexpected argument '", words[allowed], "'"));

    CliRequest request;
    request.help = vm.count("help") > 0;
    request.json = vm.count("json") > 0;
    if (vm.count("socket"))
        request.socket = vm["socket"].as<std::string>();
    if (vm.count("config"))
        request.config = vm["config"].as<std::string>();
    request.command = command_for(word, vm, words);
    try {
        check_command(request.command);
    } catch (const ProtocolError& e) {
        throw CliUsageError(e.what());
    }
    return request;
}

std::chrono::milliseconds reply_timeout(const Command& command) {
    std::chrono::milliseconds timeout = kReplyTimeout;
    if (const auto* save = std::get_if<SaveCommand>(&command))
        timeout +=
            std::chrono::milliseconds(static_cast<long>(std::ceil(save->post_seconds)) * 1000);
    return timeout;
}

int run_control_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    const std::string word = args.empty() ? "" : args[0];
    CliRequest request;
    try {
        request = parse_cli(args);
    } catch (const CliUsageError& e) {
        err << "isrd " << word << ": " << e.what() << "\nTry 'isrd " << word << " --help'.\n";
        return kCliUsage;
    }
    if (request.help) {
        out << kUsage;
        return kCliOk;
    }
    std::optional<Config> config;
    if (request.config) {
        try {
            config = load_config(*request.config);
        } catch (const ConfigError& e) {
            for (const auto& line : e.errors())
                err << line << '\n';
            err << "isrd " << word << ": cannot find isrd's socket from "
                << request.config->string() << '\n';
            return kCliUsage;
        }
    }
    const auto socket = control_socket_path(request.socket, config ? &*config : nullptr);
    try {
        static_cast<void>(unix_address(socket.path));
    } catch (const std::exception& e) {
        err << "isrd " << word << ": " << e.what() << '\n';
        return kCliUsage;
    }

    std::string line;
    try {
        line = control_request(socket.path, encode_command(request.command),
                               reply_timeout(request.command));
    } catch (const ControlConnectError& e) {
        err << "isrd " << word << ": no isrd answers at " << socket.path.string() << " (from "
            << socket.origin << "): " << std::generic_category().message(e.error()) << "; "
            << no_daemon_hint(e.error()) << '\n';
        return kCliNoDaemon;
    } catch (const std::exception& e) {
        err << "isrd " << word << ": " << e.what() << '\n';
        return kCliErrorReply;
    }
    ParsedReply reply;
    try {
        reply = parse_reply(line);
    } catch (const ProtocolError& e) {
        err << "isrd " << word << ": " << e.what() << '\n';
        return kCliErrorReply;
    }
    if (request.json) {
        out << line << '\n';
    } else if (reply.ok) {
        out << describe_reply(request.command, reply.doc);
    } else {
        err << "isrd " << word << ": " << reply.error << '\n';
    }
    return reply.ok ? kCliOk : kCliErrorReply;
}

} // namespace isr::rec
