#include "recorder/control/protocol.hpp"

#include "common/strings.hpp"

#include <rapidjson/error/en.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace isr::rec {

namespace {

// Iterative: a line of 64 KiB of '[' must not recurse 64 Ki frames deep on the server thread.
// Validated UTF-8: labels become file names and every string may be echoed in a reply.
// Not kParseFullPrecisionFlag: RapidJSON 1.1's full-precision path has undefined behaviour on a
// zero with a large exponent ("0e99", clz(0) in DiyFp, found by fuzz_control_protocol); the
// normal path may be one unit in the last place off, which no number of seconds cares about.
constexpr unsigned kParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

struct CommandSpec {
    std::string_view name;
    std::vector<std::string_view> keys; // every accepted key, "cmd" first
};

// In the order of the Command variant's alternatives.
const std::array<CommandSpec, 6>& specs() {
    static const std::array<CommandSpec, 6> table{{
        {"save", {"cmd", "source", "seconds", "label", "post_seconds", "since_last"}},
        {"status", {"cmd"}},
        {"sources", {"cmd"}},
        {"pause", {"cmd", "source"}},
        {"resume", {"cmd", "source"}},
        {"quit", {"cmd"}},
    }};
    return table;
}
static_assert(std::variant_size_v<Command> == 6);

// Outside text quoted in an error sentence, cut short so a reply stays small.
std::string quoted(std::string_view text) {
    return cat('"', printable(text, 40), '"');
}

std::string_view type_name(const rapidjson::Value& v) {
    switch (v.GetType()) {
    case rapidjson::kNullType:
        return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
        return "a boolean";
    case rapidjson::kObjectType:
        return "an object";
    case rapidjson::kArrayType:
        return "an array";
    case rapidjson::kStringType:
        return "a string";
    case rapidjson::kNumberType:
        return "a number";
    }
    return "an unknown value";
}

std::string_view key_of(const rapidjson::Value::ConstMemberIterator& it) {
    return {it->name.GetString(), it->name.GetStringLength()};
}

// A member, or nullptr when absent or null: clients that build their requests from optional
// values may send null for "not given".
const rapidjson::Value* member(const rapidjson::Value& obj, const char* key) {
    const auto it = obj.FindMember(key);
    return it == obj.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
}

std::optional<std::string> string_member(const rapidjson::Value& obj, const char* key) {
    const auto* v = member(obj, key);
    if (!v)
        return std::nullopt;
    if (!v->IsString())
        throw ProtocolError(cat('"', key, "\" must be a string, not ", type_name(*v)));
    return std::string(v->GetString(), v->GetStringLength());
}

std::optional<double> number_member(const rapidjson::Value& obj, const char* key) {
    const auto* v = member(obj, key);
    if (!v)
        return std::nullopt;
    if (!v->IsNumber())
        throw ProtocolError(cat('"', key, "\" must be a number of seconds, not ", type_name(*v)));
    return v->GetDouble();
}

std::optional<bool> bool_member(const rapidjson::Value& obj, const char* key) {
    const auto* v = member(obj, key);
    if (!v)
        return std::nullopt;
    if (!v->IsBool())
        throw ProtocolError(cat('"', key, "\" must be true or false, not ", type_name(*v)));
    return v->GetBool();
}

bool has_control_character(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

void check_source(const std::optional<std::string>& source) {
    if (!source)
        return;
    if (source->empty())
        throw ProtocolError("\"source\" must not be empty; leave it out to mean every source");
    if (source->size() > kMaxSourceNameBytes)
        throw ProtocolError(cat("\"source\" is ", source->size(),
                                " bytes long; no source name is longer than ",
                                kMaxSourceNameBytes));
    if (has_control_character(*source))
        throw ProtocolError("\"source\" must not contain control characters");
}

void check_save(const SaveCommand& save) {
    check_source(save.source);
    if (save.seconds && !std::isfinite(*save.seconds))
        throw ProtocolError("\"seconds\" must be a finite number");
    if (save.seconds && *save.seconds <= 0)
        throw ProtocolError(cat("\"seconds\" must be greater than 0 (got ", *save.seconds,
                                "); leave it out to save all the ring holds"));
    if (!std::isfinite(save.post_seconds) || save.post_seconds < 0 ||
        save.post_seconds > kMaxPostSeconds)
        throw ProtocolError(cat("\"post_seconds\" must be between 0 and ", kMaxPostSeconds,
                                " (got ", save.post_seconds, ')'));
    if (!save.label)
        return;
    if (save.label->empty())
        throw ProtocolError("\"label\" must not be empty; leave it out for no label");
    if (save.label->size() > kMaxLabelBytes)
        throw ProtocolError(cat("\"label\" is ", save.label->size(), " bytes long; at most ",
                                kMaxLabelBytes, " are allowed"));
    // Anything else is the file namer's to make safe ('/' and control characters become '_'):
    // "AC/DC" is a fine thing to call a save.
}

void check_unknown_keys(const rapidjson::Value& obj, const CommandSpec& spec) {
    std::vector<std::string> unknown;
    for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
        if (std::find(spec.keys.begin(), spec.keys.end(), key_of(it)) == spec.keys.end())
            unknown.push_back(quoted(key_of(it)));
    }
    if (unknown.empty())
        return;
    std::vector<std::string> accepted(spec.keys.begin(), spec.keys.end());
    throw ProtocolError(cat("unknown ", unknown.size() == 1 ? "key " : "keys ", join(unknown, ", "),
                            " for \"", spec.name, "\" (it accepts ", join(accepted, ", "), ')'));
}

void check_repeated_keys(const rapidjson::Value& obj) {
    std::vector<std::string_view> seen;
    for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
        if (std::find(seen.begin(), seen.end(), key_of(it)) != seen.end())
            throw ProtocolError(cat("key ", quoted(key_of(it)), " appears twice"));
        seen.push_back(key_of(it));
    }
}

Command command_from(const rapidjson::Value& obj, std::size_t index) {
    switch (index) {
    case 0: {
        SaveCommand save;
        save.source = string_member(obj, "source");
        save.seconds = number_member(obj, "seconds");
        save.label = string_member(obj, "label");
        save.post_seconds = number_member(obj, "post_seconds").value_or(0);
        save.since_last = bool_member(obj, "since_last").value_or(false);
        return save;
    }
    case 1:
        return StatusCommand{};
    case 2:
        return SourcesCommand{};
    case 3:
        return PauseCommand{string_member(obj, "source")};
    case 4:
        return ResumeCommand{string_member(obj, "source")};
    default:
        return QuitCommand{};
    }
}

template <class Writer> void write_string(Writer& w, std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

} // namespace

std::string_view command_name(const Command& command) noexcept {
    return specs()[command.index()].name;
}

std::string_view known_commands() noexcept {
    return "save, status, sources, pause, resume, quit";
}

Command parse_command(std::string_view line) {
    rapidjson::Document doc;
    doc.Parse<kParseFlags>(line.data(), line.size());
    if (doc.HasParseError())
        throw ProtocolError(cat("malformed JSON at byte ", doc.GetErrorOffset(), ": ",
                                rapidjson::GetParseError_En(doc.GetParseError())));
    if (!doc.IsObject())
        throw ProtocolError(
            cat("a request is a JSON object such as {\"cmd\":\"status\"}, not ", type_name(doc)));
    check_repeated_keys(doc);
    const auto cmd = doc.FindMember("cmd");
    if (cmd == doc.MemberEnd())
        throw ProtocolError(cat("missing \"cmd\": name the command, as in {\"cmd\":\"status\"} (",
                                known_commands(), ')'));
    if (!cmd->value.IsString())
        throw ProtocolError(cat("\"cmd\" must be a string naming the command (", known_commands(),
                                "), not ", type_name(cmd->value)));
    const std::string_view name(cmd->value.GetString(), cmd->value.GetStringLength());
    const auto& table = specs();
    const auto spec = std::find_if(table.begin(), table.end(),
                                   [&](const CommandSpec& s) { return s.name == name; });
    if (spec == table.end())
        throw ProtocolError(
            cat("unknown command ", quoted(name), "; known commands: ", known_commands()));
    check_unknown_keys(doc, *spec);
    auto command = command_from(doc, static_cast<std::size_t>(spec - table.begin()));
    check_command(command);
    return command;
}

void check_command(const Command& command) {
    if (const auto* save = std::get_if<SaveCommand>(&command))
        check_save(*save);
    else if (const auto* pause = std::get_if<PauseCommand>(&command))
        check_source(pause->source);
    else if (const auto* resume = std::get_if<ResumeCommand>(&command))
        check_source(resume->source);
}

std::string encode_command(const Command& command) {
    // RapidJSON's own writer, not JsonWriter: doubles must come back exactly as sent.
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("cmd");
    write_string(w, command_name(command));
    const auto source = [&](const std::optional<std::string>& s) {
        if (s) {
            w.Key("source");
            write_string(w, *s);
        }
    };
    if (const auto* save = std::get_if<SaveCommand>(&command)) {
        source(save->source);
        if (save->seconds) {
            w.Key("seconds");
            w.Double(*save->seconds);
        }
        if (save->label) {
            w.Key("label");
            write_string(w, *save->label);
        }
        if (save->post_seconds != 0) {
            w.Key("post_seconds");
            w.Double(save->post_seconds);
        }
        if (save->since_last) {
            w.Key("since_last");
            w.Bool(true);
        }
    } else if (const auto* pause = std::get_if<PauseCommand>(&command)) {
        source(pause->source);
    } else if (const auto* resume = std::get_if<ResumeCommand>(&command)) {
        source(resume->source);
    }
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

Reply Reply::success(const Members& members) {
    JsonWriter w;
    w.begin_object().member("ok", true);
    if (members)
        members(w);
    w.end_object();
    return Reply(true, w.str());
}

Reply Reply::failure(std::string_view sentence) {
    JsonWriter w;
    w.begin_object().member("ok", false).member("error", sentence).end_object();
    return Reply(false, w.str());
}

ParsedReply parse_reply(std::string_view line) {
    ParsedReply reply;
    reply.doc.Parse<kParseFlags>(line.data(), line.size());
    if (reply.doc.HasParseError())
        throw ProtocolError(cat("the reply is not JSON (at byte ", reply.doc.GetErrorOffset(), ": ",
                                rapidjson::GetParseError_En(reply.doc.GetParseError()),
                                "): ", printable(line, 80)));
    const auto ok = json_bool(reply.doc, "ok");
    if (!ok)
        throw ProtocolError(cat("the reply has no \"ok\": ", printable(line, 80)));
    reply.ok = *ok;
    if (!reply.ok) {
        const auto error = json_string(reply.doc, "error");
        if (!error)
            throw ProtocolError(cat("the error reply has no \"error\": ", printable(line, 80)));
        reply.error = *error;
    }
    return reply;
}

} // namespace isr::rec
