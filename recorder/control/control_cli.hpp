#pragma once

#include "recorder/control/protocol.hpp"

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// `isrd save|status|sources|pause|resume|quit`: the command-line client of the control socket.
namespace isr::rec {

// Exit codes of `isrd COMMAND`.
inline constexpr int kCliOk = 0;
inline constexpr int kCliErrorReply = 1; // isrd refused or failed the command, or did not answer
inline constexpr int kCliUsage = 2;      // bad arguments, or a -c CONFIG that cannot be read
inline constexpr int kCliNoDaemon = 3;   // nothing accepted the connection at the socket path

// A command line that does not make a request. what() is a sentence.
class CliUsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct CliRequest {
    Command command;
    std::optional<std::filesystem::path> socket; // --socket
    std::optional<std::filesystem::path> config; // -c
    bool json = false;
    bool help = false;
};

// Whether `word`, the first argument of isrd, names a command rather than a config file.
bool is_control_command(std::string_view word) noexcept;

// Parses `args`: the command word, then its options and arguments. The command is checked as
// isrd would check it. Throws CliUsageError.
CliRequest parse_cli(const std::vector<std::string>& args);

// How long the client waits for the reply: a save with post_seconds takes that much longer.
std::chrono::milliseconds reply_timeout(const Command& command);

// Runs `isrd COMMAND …` (`args` starts at the command word): sends the request, prints the
// reply on `out` (human text, or with --json the reply line as it came) and problems on `err`.
// Returns one of the exit codes above.
int run_control_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The usage text of the commands, for `isrd --help` and `isrd COMMAND --help`.
std::string_view control_cli_usage() noexcept;

} // namespace isr::rec
