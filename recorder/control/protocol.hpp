#pragma once

#include "common/json.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

// isrd's control protocol: over a Unix stream socket, one JSON object per line in each
// direction. A request names its command with the key "cmd" (only that spelling):
//   {"cmd":"save","source":"mic","seconds":20,"label":"dog","post_seconds":5,"since_last":false}
//   {"cmd":"status"}  {"cmd":"sources"}  {"cmd":"pause","source":"mic"}  {"cmd":"resume"}
//   {"cmd":"quit"}
// A reply is {"ok":true, ...result members} or {"ok":false,"error":"a sentence"}.
// Everything here is pure: no I/O, no state, callable from any thread.
namespace isr::rec {

// Longest request line the server reads (the newline excluded); anything longer is refused
// and the connection closed, so a client cannot make isrd buffer without bound.
inline constexpr std::size_t kMaxControlLineBytes = 64 * 1024;
// A save may wait this long for audio after the request (post_seconds); longer would tie up a
// client connection and the ring for minutes, which belongs in a scheduled recording instead.
inline constexpr double kMaxPostSeconds = 300;
// Labels end up in file names, where most file systems allow 255 bytes in all.
inline constexpr std::size_t kMaxLabelBytes = 100;
// Source names are config section names; this only bounds what a client can make isrd echo.
inline constexpr std::size_t kMaxSourceNameBytes = 200;

// Saves the ring of one source (or, without `source`, what the handler does then: every
// source, or the only one) to a file.
struct SaveCommand {
    // `{}` everywhere: partial aggregate initialisation stays free of -Wmissing-field-initializers.
    std::optional<std::string> source{};
    std::optional<double> seconds{};    // > 0; absent: all the ring holds (or since the last save)
    std::optional<std::string> label{}; // for the file name; no control characters or '/'
    double post_seconds = 0;            // 0 ≤ post_seconds ≤ kMaxPostSeconds: audio after now
    bool since_last = false;            // start where the previous save of the source ended
    bool operator==(const SaveCommand&) const = default;
};
struct StatusCommand {
    bool operator==(const StatusCommand&) const = default;
};
struct SourcesCommand {
    bool operator==(const SourcesCommand&) const = default;
};
// Pause and resume one source, or every source when `source` is absent.
struct PauseCommand {
    std::optional<std::string> source{};
    bool operator==(const PauseCommand&) const = default;
};
struct ResumeCommand {
    std::optional<std::string> source{};
    bool operator==(const ResumeCommand&) const = default;
};
struct QuitCommand {
    bool operator==(const QuitCommand&) const = default;
};

using Command = std::variant<SaveCommand, StatusCommand, SourcesCommand, PauseCommand,
                             ResumeCommand, QuitCommand>;

// "save", "status", … as in the protocol.
std::string_view command_name(const Command& command) noexcept;
// Every command word, in the order above, for messages: "save, status, sources, …".
std::string_view known_commands() noexcept;

// A request that is not a valid command. what() is a sentence meant for the client, such as
// `"seconds" must be greater than 0 (got -3)`.
class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Parses one request line (its newline removed). Checks everything that needs no knowledge of
// the daemon: JSON syntax, types, ranges, unknown or repeated keys. Whether a source exists or
// the ring holds `seconds` is the handler's to check. Throws ProtocolError.
Command parse_command(std::string_view line);

// The range checks of parse_command on a command built in code (the CLI checks before it
// connects). Throws ProtocolError.
void check_command(const Command& command);

// The request line for a command that passes check_command, without newline; parse_command
// reads it back equal.
std::string encode_command(const Command& command);

// One reply line. Build it with success() or failure(); a handler adds its result members with
// a JsonWriter positioned inside the object, after "ok".
class Reply {
public:
    using Members = std::function<void(JsonWriter&)>;

    // {"ok":true} plus what `members` writes (keys and values; "ok" is already there).
    static Reply success(const Members& members = {});
    // {"ok":false,"error":sentence}.
    static Reply failure(std::string_view sentence);

    bool ok() const noexcept { return ok_; }
    // The JSON object on one line, without the newline.
    const std::string& line() const noexcept { return line_; }

private:
    Reply(bool ok, std::string line) : ok_(ok), line_(std::move(line)) {}

    bool ok_;
    std::string line_;
};

// A reply line read back by a client.
struct ParsedReply {
    bool ok = false;
    std::string error;       // the sentence, when !ok
    rapidjson::Document doc; // the whole object, for the result members
};

// Parses a reply line. Throws ProtocolError when it is not a reply object with a boolean "ok"
// (and, when false, a string "error").
ParsedReply parse_reply(std::string_view line);

} // namespace isr::rec
