#include "common/config.hpp"

#include "common/command_line.hpp"
#include "common/config_keys.hpp"
#include "common/control_socket_path.hpp"
#include "common/file_util.hpp"
#include "common/ini_file.hpp"
#include "common/strings.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

namespace isr {

namespace keys = config_keys;

ConfigError::ConfigError(std::vector<std::string> errors)
    : std::runtime_error(errors.empty() ? "invalid configuration" : join(errors, "\n")),
      errors_(std::move(errors)) {}

namespace {

struct Problem {
    int line;
    std::string text;
};

// A value as messages may quote it: escaped, a URL's password masked, a password not at all.
std::string shown_value(std::string_view key, std::string_view value) {
    if (key == "password")
        return value.empty() ? "" : "***";
    if (key == "url")
        return printable(mask_url_password(value), 120);
    return printable(value, 120);
}

// Collects problems with their location; sorted by line when reported. Whatever a message
// quotes from the file is escaped where it is quoted (printable(), shown_value()): config text
// reaches terminals and logs.
class Problems {
public:
    explicit Problems(const std::string& file) : file_(file) {}

    void add(int line, std::string text) { items_.push_back({line, std::move(text)}); }
    void add_entry(const IniSection& s, const IniEntry& e, std::string_view problem,
                   std::string_view accepted) {
        add(e.line, cat('[', s.name, "] ", e.key, " = ", shown_value(e.key, e.value), ": ", problem,
                        accepted.empty() ? "" : "; accepted: ", accepted));
    }
    bool empty() const { return items_.empty(); }

    [[noreturn]] void raise() {
        std::stable_sort(items_.begin(), items_.end(),
                         [](const Problem& a, const Problem& b) { return a.line < b.line; });
        std::vector<std::string> out;
        std::set<std::string> seen;
        for (const auto& p : items_) {
            auto text =
                p.line > 0 ? cat(file_, ':', p.line, ": ", p.text) : cat(file_, ": ", p.text);
            if (seen.insert(text).second)
                out.push_back(std::move(text));
        }
        throw ConfigError(std::move(out));
    }

private:
    std::string file_;
    std::vector<Problem> items_;
};

bool valid_source_name(std::string_view name) {
    if (name.empty() || name.size() > 64 || !std::isalnum(static_cast<unsigned char>(name[0]))) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    });
}

const IniEntry* find_entry(const IniSection* s, std::string_view key) {
    if (!s)
        return nullptr;
    for (const auto& e : s->entries) {
        if (e.key == key)
            return &e;
    }
    return nullptr;
}

// Duplicate keys, unknown keys and split_minutes/split_interval set together.
void check_section_keys(const IniSection& s, bool is_general, Problems& problems) {
    std::map<std::string, int> first_line;
    for (const auto& e : s.entries) {
        if (const auto [it, inserted] = first_line.emplace(e.key, e.line); !inserted) {
            problems.add(e.line, cat('[', s.name, "] ", printable(e.key, 40),
                                     " is set twice (first on line ", it->second, "); keep one"));
        }
        if (!keys::find(e.key)) {
            const auto hint = keys::suggest(e.key);
            problems.add(e.line,
                         cat('[', s.name, "] unknown key '", printable(e.key, 40), "'",
                             hint.empty() ? "" : cat("; did you mean '", hint, "'?"),
                             "; accepted keys: ", keys::names_for(keys::kAllTypes, is_general)));
        }
    }
    const auto* minutes = find_entry(&s, "split_minutes");
    const auto* interval = find_entry(&s, "split_interval");
    if (minutes && interval) {
        problems.add(interval->line, cat('[', s.name, "] split_minutes (line ", minutes->line,
                                         ") and split_interval are both set; keep one"));
    }
}

// Validates [general] values once: each must suit at least one source type it applies to.
// Returns the keys whose values are wrong for every type, so sources do not repeat them.
std::set<std::string> check_general(const IniSection& g, GeneralConfig& general,
                                    Problems& problems) {
    std::set<std::string> invalid;
    for (const auto& e : g.entries) {
        const auto* spec = keys::find(e.key);
        if (!spec)
            continue;
        std::string problem = "?";
        for (const auto type : {SourceType::stream, SourceType::soundcard, SourceType::generator}) {
            if (!(spec->types & keys::mask_of(type)))
                continue;
            SourceConfig scratch;
            scratch.type = type;
            problem = spec->apply(scratch, &general, e.value);
            if (problem.empty())
                break;
        }
        if (!problem.empty()) {
            problems.add_entry(g, e, e.key == "format" ? "not a known format" : problem,
                               spec->accepted);
            invalid.insert(e.key);
        }
    }
    return invalid;
}

// How a message names the setting of `key` for section `s` ("record = no", or "record = no
// (inherited from [general], line 3)") and the line it belongs on: the source's own entry, else
// its section header.
struct Setting {
    int line;
    std::string named;
};
Setting setting(const IniSection& s, const IniSection* general, std::string_view key) {
    if (const auto* own = find_entry(&s, key))
        return {own->line, cat(key, " = ", shown_value(key, own->value))};
    if (const auto* inherited = find_entry(general, key)) {
        return {s.line, cat(key, " = ", shown_value(key, inherited->value),
                            " (inherited from [general], line ", inherited->line, ")")};
    }
    return {s.line, std::string(key)};
}

// The keys a PCM replay ring's size is made of.
constexpr std::string_view kRingSizeKeys[] = {"replay_seconds", "sample_rate", "channels",
                                              "bit_depth"};

// Replay settings that are each valid but wrong together.
void check_replay(const IniSection& s, const IniSection* general, const SourceConfig& cfg,
                  const std::set<std::string>& refused, Problems& problems) {
    if (!cfg.record && cfg.replay_seconds == 0 && !refused.count("replay_seconds")) {
        const auto record = setting(s, general, "record");
        problems.add(record.line,
                     cat('[', s.name, "] ", record.named,
                         " and replay_seconds = 0: the source would capture audio and keep none; "
                         "set replay_seconds above 0 for a replay-only source, or record = yes"));
    }
    const auto bytes = cfg.replay_pcm_bytes();
    const bool size_known =
        std::none_of(std::begin(kRingSizeKeys), std::end(kRingSizeKeys),
                     [&](std::string_view key) { return refused.count(std::string(key)) > 0; });
    if (bytes > kMaxReplayPcmBytes && size_known) {
        const auto seconds = setting(s, general, "replay_seconds");
        problems.add(seconds.line,
                     cat('[', s.name, "] ", seconds.named, ": the replay ring would take ",
                         human_bytes(bytes), " of RAM (", cfg.sample_rate, " Hz x ", cfg.channels,
                         " channels x ", cfg.bit_depth / 8, " bytes x ", cfg.replay_seconds,
                         " s); the limit is ", human_bytes(kMaxReplayPcmBytes),
                         "; lower replay_seconds, sample_rate or channels"));
    }
}

std::optional<SourceConfig> resolve_source(const IniSection& s, const IniSection* general,
                                           const std::set<std::string>& invalid_general,
                                           Problems& problems) {
    SourceConfig cfg;
    cfg.name = s.name;
    cfg.line = s.line;

    const auto* own_type = find_entry(&s, "type");
    const auto* type_entry = own_type ? own_type : find_entry(general, "type");
    if (!type_entry) {
        problems.add(s.line,
                     cat('[', s.name, "] missing 'type'; accepted: stream, soundcard, generator"));
        return std::nullopt;
    }
    if (const auto problem = keys::find("type")->apply(cfg, nullptr, type_entry->value);
        !problem.empty()) {
        if (own_type)
            problems.add_entry(s, *own_type, problem, "stream, soundcard, generator");
        return std::nullopt; // [general]'s own type value was reported by check_general
    }
    const auto mask = keys::mask_of(cfg.type);
    // Keys whose value was refused: the checks across keys below do not build on them.
    std::set<std::string> refused(invalid_general);

    if (general) {
        for (const auto& e : general->entries) {
            const auto* spec = keys::find(e.key);
            if (!spec || e.key == "type" || !(spec->types & mask) || spec->general_only)
                continue;
            if (e.key == "log_level")
                continue; // the process level; sources inherit it anyway
            if (invalid_general.count(e.key))
                continue; // reported once, at [general]
            const auto problem = spec->apply(cfg, nullptr, e.value);
            if (!problem.empty()) {
                refused.insert(e.key);
                problems.add(s.line,
                             cat('[', s.name, "] ", e.key, " = ", shown_value(e.key, e.value),
                                 " (inherited from [general], line ", e.line, "): ", problem,
                                 "; set ", e.key, " in [", s.name, "]; accepted: ",
                                 e.key == "format" ? keys::formats_for(cfg.type) : spec->accepted));
            }
        }
    }
    for (const auto& e : s.entries) {
        const auto* spec = keys::find(e.key);
        if (!spec || e.key == "type")
            continue;
        if (spec->general_only) {
            problems.add(e.line, cat('[', s.name, "] ", e.key, " can only be set in [general]"));
            continue;
        }
        if (!(spec->types & mask)) {
            problems.add(e.line, cat('[', s.name, "] ", e.key, " does not apply to type = ",
                                     to_string(cfg.type), "; keys for ", to_string(cfg.type),
                                     " sources: ", keys::names_for(mask)));
            continue;
        }
        const auto problem = spec->apply(cfg, nullptr, e.value);
        if (!problem.empty()) {
            refused.insert(e.key);
            problems.add_entry(s, e, problem,
                               e.key == "format" ? keys::formats_for(cfg.type) : spec->accepted);
        }
    }

    if (cfg.type == SourceType::stream && !find_entry(&s, "url") && !find_entry(general, "url")) {
        problems.add(s.line, cat('[', s.name,
                                 "] missing 'url' (required for type = stream); "
                                 "accepted: an http:// or https:// URL"));
    }
    if (cfg.format.empty())
        cfg.format = cfg.type == SourceType::stream ? "auto" : "wav";
    check_replay(s, general, cfg, refused, problems);
    return cfg;
}

} // namespace

Config parse_config(std::string_view text, const std::string& file_label) {
    Config config;
    config.file = file_label;
    Problems problems(file_label);
    const auto ini = parse_ini(text, keys::verbatim_keys());
    for (const auto& e : ini.errors)
        problems.add(e.line, e.message);

    const IniSection* general = nullptr;
    std::set<std::string> invalid_general;
    std::map<std::string, int> section_lines;
    for (const auto& s : ini.sections) {
        const bool is_general = iequals(s.name, "general");
        const auto key = is_general ? std::string("general") : s.name;
        if (const auto [it, inserted] = section_lines.emplace(key, s.line); !inserted) {
            problems.add(s.line,
                         cat("duplicate section [", printable(s.name, 64), "] (first on line ",
                             it->second, "); section names must be unique"));
            continue;
        }
        if (is_general) {
            general = &s;
            check_section_keys(s, true, problems);
            invalid_general = check_general(s, config.general, problems);
        }
    }

    for (const auto& s : ini.sections) {
        if (iequals(s.name, "general"))
            continue;
        if (section_lines.at(s.name) != s.line)
            continue; // duplicate, reported above
        if (!valid_source_name(s.name)) {
            problems.add(s.line, cat("section name [", printable(s.name, 64),
                                     "] is not a valid source name; use "
                                     "letters, digits, '_', '-' and '.' (up to 64, starting with "
                                     "a letter or digit)"));
            continue;
        }
        check_section_keys(s, false, problems);
        if (auto cfg = resolve_source(s, general, invalid_general, problems))
            config.sources.push_back(std::move(*cfg));
    }

    if (ini.sections.size() == (general ? 1u : 0u) && problems.empty()) {
        problems.add(0, "no sources defined; add a section such as\n"
                        "  [mic]\n  type = soundcard\n  device = default");
    }
    if (!problems.empty())
        problems.raise();

    // Two sources writing the same names into one folder would get _1 suffixes forever.
    std::map<std::pair<std::string, std::string>, std::string> owners;
    for (const auto& s : config.sources) {
        if (!s.enabled || !s.record || s.filename_pattern.find("{source}") != std::string::npos)
            continue;
        const auto key =
            std::make_pair(s.output_directory.lexically_normal().string(), s.filename_pattern);
        if (const auto [it, inserted] = owners.emplace(key, s.name); !inserted) {
            config.warnings.push_back(cat("[", it->second, "] and [", s.name,
                                          "] write the same file names into ", key.first,
                                          "; add {source} to filename_pattern to tell them apart"));
        }
    }
    for (const auto& s : config.sources) {
        if (!s.enabled)
            config.warnings.push_back(cat("[", s.name, "] is disabled (enabled = no)"));
    }
    return config;
}

std::uint64_t SourceConfig::replay_pcm_bytes() const noexcept {
    if (!is_pcm() || !(replay_seconds > 0))
        return 0;
    const auto frames = static_cast<std::uint64_t>(std::ceil(replay_seconds * sample_rate));
    return frames * static_cast<std::uint64_t>(channels) *
           static_cast<std::uint64_t>(bit_depth / 8);
}

Config load_config(const std::filesystem::path& path) {
    std::string text;
    try {
        text = read_small_file(path, 4 * 1024 * 1024, true);
    } catch (const std::system_error& e) {
        throw ConfigError(
            {cat(path.string(), ": cannot read the config file: ", open_failure_reason(e),
                 "; copy config.example.ini to ", path.string(), " and edit it")});
    }
    return parse_config(text, path.string());
}

std::string describe_config(const Config& config) {
    std::string out = cat("# ", config.file, ": ", config.sources.size(), " source(s)\n");
    out += cat("[general]\noutput_directory = ", config.general.output_directory.string(),
               "\nlog_level = ", log::level_name(config.general.log_level),
               "\nlog_file = ", config.general.log_file, "\n");
    // The default comes from this process's environment, which a terminal may not share with
    // the service; printable() because $XDG_RUNTIME_DIR is not checked like config text is.
    out += cat("control_socket = ", printable(control_socket_path(config.general).string()),
               config.general.control_socket.empty() ? "  # the default here" : "", "\n");
    const auto& g = config.general;
    if (g.min_free_percent > 0 || g.min_free_gb > 0) {
        if (g.min_free_percent > 0)
            out += cat("min_free_percent = ", g.min_free_percent, "\n");
        if (g.min_free_gb > 0)
            out += cat("min_free_gb = ", g.min_free_gb, "\n");
        out += "# disk guard: below this free space, the oldest finished recordings of every "
               "source are deleted; when none may be, an ERROR and a disk_low alarm\n";
    } else {
        out += "# min_free_percent, min_free_gb: not set (no disk guard)\n";
    }
    if (!g.protect.empty()) {
        out += cat("protect = ", join(g.protect, ", "),
                   "  # retention never deletes these (nor a file with a <name>.keep marker)\n");
    }
    for (const auto& s : config.sources) {
        out += cat("\n[", s.name, "]\n");
        out += cat("type = ", to_string(s.type), "\n");
        if (!s.enabled)
            out += "enabled = no\n";
        if (s.type == SourceType::stream) {
            out += cat("url = ", mask_url_password(s.url), "\n");
            if (!s.username.empty())
                out += cat("username = ", s.username, "\n");
            if (!s.password.empty())
                out += "password = ***\n";
            out += cat("format = ", s.format, "\n");
            out += cat("tls_verify = ", s.tls_verify ? "yes" : "no", "\n");
            out += cat("connect_timeout_seconds = ", s.connect_timeout_seconds, "\n");
            out += cat("stall_timeout_seconds = ", s.stall_timeout_seconds, "\n");
        } else {
            if (s.type == SourceType::soundcard)
                out += cat("device = ", s.device, "\n");
            if (s.type == SourceType::generator)
                out += cat("seed = ", s.seed, "\nspeed = ", s.speed, "\n");
            out += cat("format = ", s.format, "\n");
            out += cat("sample_rate = ", s.sample_rate, "\nchannels = ", s.channels,
                       "\nbit_depth = ", s.bit_depth, "\n");
            if (s.format == "flac")
                out += cat("compression_level = ", s.compression_level, "\n");
        }
        out += cat("output_directory = ", s.output_directory.string(), "\n");
        out += cat("split_interval = ", s.split.to_string(), "\n");
        out += cat("filename_pattern = ", s.filename_pattern, "\n");
        out += cat("timezone = ", s.timezone.empty() ? "local" : s.timezone, "\n");
        out += cat("max_retries = ", s.max_retries, s.max_retries == 0 ? " (retry forever)" : "",
                   "\n");
        out += cat("retry_delay_seconds = ", s.retry_delay_seconds, "\n");
        out += cat("levels = ", s.levels ? "yes" : "no", "\n");
        if (s.log_level)
            out += cat("log_level = ", log::level_name(*s.log_level), "\n");
        if (!s.record)
            out += "record = no\n";
        if (s.replay_seconds > 0) {
            out += cat("replay_seconds = ", s.replay_seconds,
                       s.is_pcm() ? cat("  # ", human_bytes(s.replay_pcm_bytes()), " of RAM") : "",
                       "\nreplay_template = ", s.replay_template.text(), "\n");
        }
        if (!s.on_save.empty())
            out += cat("on_save = ", quote_command_line(s.on_save), "\n");
        if (s.retention_days > 0) {
            out += cat("retention_days = ", s.retention_days, "  # finished recordings older than ",
                       s.retention_days, " days are deleted (age from the name, else mtime)\n");
        }
        if (s.retention_max_gb > 0) {
            out += cat("retention_max_gb = ", s.retention_max_gb,
                       "  # the oldest are deleted to keep this source under ", s.retention_max_gb,
                       " GB\n");
        }
        if (s.silence_alarm_seconds > 0) {
            out += cat("silence_alarm_seconds = ", s.silence_alarm_seconds,
                       s.is_pcm() ? "  # silence or no data this long: an alarm"
                                  : "  # no data this long: an alarm",
                       "\n");
            if (s.is_pcm())
                out += cat("silence_threshold_dbfs = ", s.silence_threshold_dbfs, "\n");
        }
        const std::pair<const char*, const std::vector<std::string>*> hooks[] = {
            {"on_alarm", &s.on_alarm},
            {"on_alarm_clear", &s.on_alarm_clear},
            {"on_file_closed", &s.on_file_closed}};
        bool any_hook = !s.on_save.empty();
        for (const auto& [key, command] : hooks) {
            if (command->empty())
                continue;
            any_hook = true;
            out += cat(key, " = ", quote_command_line(*command), "\n");
        }
        if (any_hook)
            out += cat("hook_timeout_seconds = ", s.hook_timeout_seconds, "\n");
    }
    for (const auto& w : config.warnings)
        out += cat("\n# warning: ", w);
    if (!config.warnings.empty())
        out += "\n";
    return out;
}

} // namespace isr
