#include "common/config_keys.hpp"

#include "common/audio_formats.hpp"
#include "common/command_line.hpp"
#include "common/control_socket_path.hpp"
#include "common/filename_pattern.hpp"
#include "common/path_glob.hpp"
#include "common/strings.hpp"
#include "common/time_zone.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace isr::config_keys {

namespace {

std::string parse_int(std::string_view v, long long lo, long long hi, auto& out) {
    long long n = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size())
        return "not a whole number";
    if (n < lo || n > hi)
        return cat("out of range (", lo, " to ", hi, ")");
    out = static_cast<std::remove_reference_t<decltype(out)>>(n);
    return {};
}

std::string parse_seconds(std::string_view v, double lo, double hi, double& out) {
    double x = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(x))
        return "not a number";
    if (x < lo || x > hi)
        return cat("out of range (", lo, " to ", hi, " seconds)");
    out = x;
    return {};
}

std::string parse_bool(std::string_view v, bool& out) {
    if (iequals(v, "true") || iequals(v, "yes") || iequals(v, "on") || v == "1")
        out = true;
    else if (iequals(v, "false") || iequals(v, "no") || iequals(v, "off") || v == "0")
        out = false;
    else
        return "not a yes/no value";
    return {};
}

std::string require_value(std::string_view v) {
    return v.empty() ? "must not be empty" : "";
}

std::string apply_type(SourceConfig& c, GeneralConfig*, std::string_view v) {
    const auto type = parse_source_type(to_lower(v));
    if (!type)
        return "unknown source type";
    c.type = *type;
    return {};
}

// A format a source of this type records into (the table in common/audio_formats).
bool records_into(SourceType type, const AudioFormatInfo& f) noexcept {
    return type == SourceType::stream ? f.framing != Framing::none : f.pcm_target;
}

std::string apply_format(SourceConfig& c, GeneralConfig*, std::string_view v) {
    const auto f = to_lower(v);
    const auto* info = format_named(f);
    if (!(c.type == SourceType::stream && f == "auto") && !(info && records_into(c.type, *info))) {
        return cat("not a format for type = ", to_string(c.type));
    }
    c.format = f;
    return {};
}

// "auto, mp3, … for streams; wav, flac for soundcard and generator", from the table.
std::string_view accepted_formats() {
    static const std::string text = [] {
        std::string streams = "auto";
        std::string pcm;
        for (const auto& f : audio_formats()) {
            if (records_into(SourceType::stream, f))
                streams += cat(", ", f.name);
            if (records_into(SourceType::soundcard, f))
                pcm += cat(pcm.empty() ? "" : ", ", f.name);
        }
        return cat(streams, " for streams; ", pcm, " for soundcard and generator");
    }();
    return text;
}

std::string apply_timezone(SourceConfig& c, GeneralConfig*, std::string_view v) {
    if (iequals(v, "local")) {
        c.timezone.clear();
        return {};
    }
    try {
        TimeZone::locate(v);
    } catch (const std::exception& e) {
        return e.what();
    }
    c.timezone = std::string(v);
    return {};
}

std::string apply_split_minutes(SourceConfig& c, GeneralConfig*, std::string_view v) {
    int minutes = 0;
    if (auto e = parse_int(v, 1, 1440, minutes); !e.empty())
        return e;
    c.split = SplitInterval{minutes * 60LL};
    return {};
}

std::string apply_split_interval(SourceConfig& c, GeneralConfig*, std::string_view v) {
    const auto interval = SplitInterval::parse(v);
    if (!interval)
        return "not a duration from 1s to 1d";
    c.split = *interval;
    return {};
}

std::string apply_pattern(SourceConfig& c, GeneralConfig*, std::string_view v) {
    if (auto problem = FilenamePattern::problem(v))
        return *problem;
    c.filename_pattern = std::string(v);
    return {};
}

std::string apply_output_directory(SourceConfig& c, GeneralConfig* g, std::string_view v) {
    if (auto e = require_value(v); !e.empty())
        return e;
    c.output_directory = std::string(v);
    if (g)
        g->output_directory = c.output_directory;
    return {};
}

std::string apply_log_level(SourceConfig& c, GeneralConfig* g, std::string_view v) {
    const auto level = log::parse_level(v);
    if (!level)
        return "unknown log level";
    if (g)
        g->log_level = *level;
    else
        c.log_level = *level;
    return {};
}

std::string apply_log_file(SourceConfig&, GeneralConfig* g, std::string_view v) {
    if (g)
        g->log_file = std::string(v);
    return {};
}

// The URL checks the stream client makes, done here so --check-config finds them: a value that
// passes connects to the host and port the user meant.
std::string apply_url(SourceConfig& c, GeneralConfig*, std::string_view v) {
    const auto lower = to_lower(v);
    if (lower.rfind("http://", 0) != 0 && lower.rfind("https://", 0) != 0) {
        return "must start with http:// or https://";
    }
    for (const char ch : v) {
        const auto b = static_cast<unsigned char>(ch);
        if (b == ' ' || b == '\t')
            return "contains spaces (encode them as %20)";
        if (b < 0x20 || b == 0x7F)
            return "contains a control character";
    }
    const auto rest = v.substr(v.find("://") + 3);
    const auto authority = rest.substr(0, rest.find_first_of("/?#"));
    const auto at = authority.rfind('@');
    auto host_port = at == std::string_view::npos ? authority : authority.substr(at + 1);
    std::string_view port;
    if (!host_port.empty() && host_port.front() == '[') {
        const auto close = host_port.find(']');
        if (close == std::string_view::npos)
            return "has an IPv6 address without its closing ']'";
        if (close == 1)
            return "has no host name";
        const auto after = host_port.substr(close + 1);
        if (!after.empty() && after.front() != ':')
            return "has text after the IPv6 address's ']'";
        if (!after.empty())
            port = after.substr(1);
    } else {
        const auto colon = host_port.rfind(':');
        if (colon == 0 || host_port.empty())
            return "has no host name";
        if (colon != std::string_view::npos)
            port = host_port.substr(colon + 1);
    }
    if (!port.empty()) {
        if (port.find_first_not_of("0123456789") != std::string_view::npos) {
            // The text is not echoed: it may be the start of a password whose '/' ended the
            // authority early.
            return "the port after ':' is not a number (if that ':' begins a password, write "
                   "'/', '?', '#' and '@' in it as %2F, %3F, %23 and %40)";
        }
        unsigned long number = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
        if (ec != std::errc() || end != port.data() + port.size() || number < 1 || number > 65535) {
            return cat("port ", port, " is out of range (1 to 65535)");
        }
    }
    c.url = std::string(v);
    return {};
}

std::string apply_device(SourceConfig& c, GeneralConfig*, std::string_view v) {
    if (auto e = require_value(v); !e.empty())
        return e;
    c.device = std::string(v);
    return {};
}

std::string apply_bit_depth(SourceConfig& c, GeneralConfig*, std::string_view v) {
    if (v == "16")
        c.bit_depth = 16;
    else if (v == "24")
        c.bit_depth = 24;
    else
        return "unsupported bit depth";
    return {};
}

std::string apply_seed(SourceConfig& c, GeneralConfig*, std::string_view v) {
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size())
        return "not a whole number";
    c.seed = n;
    return {};
}

std::string apply_replay_seconds(SourceConfig& c, GeneralConfig*, std::string_view v) {
    auto e = parse_seconds(v, 0, kMaxReplaySeconds, c.replay_seconds);
    if (e.rfind("out of range", 0) == 0) {
        e += "; the ring is allocated in RAM when isrd starts (a minute of 48 kHz stereo 16-bit "
             "takes about 11 MB)";
    }
    return e;
}

std::string apply_replay_template(SourceConfig& c, GeneralConfig*, std::string_view v) {
    try {
        c.replay_template = ReplayTemplate::parse(v);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return {};
}

std::string apply_on_save(SourceConfig& c, GeneralConfig*, std::string_view v) {
    try {
        c.on_save = split_command_line(v);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return {};
}

// The hooks: a command like on_save's.
template <std::vector<std::string> SourceConfig::*Member>
std::string apply_command(SourceConfig& c, GeneralConfig*, std::string_view v) {
    try {
        c.*Member = split_command_line(v);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return {};
}

std::string apply_silence_threshold(SourceConfig& c, GeneralConfig*, std::string_view v) {
    double x = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(x))
        return "not a number";
    if (x < -120 || x > 0)
        return "out of range (-120 to 0 dBFS)";
    c.silence_threshold_dbfs = x;
    return {};
}

std::string apply_control_socket(SourceConfig&, GeneralConfig* g, std::string_view v) {
    if (!v.empty()) {
        if (auto problem = socket_path_problem(v))
            return *problem;
    }
    if (g)
        g->control_socket = std::string(v);
    return {};
}

std::string parse_amount(std::string_view v, double hi, double& out) {
    double x = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(x))
        return "not a number";
    if (x < 0 || x > hi)
        return cat("out of range (0 to ", hi, ")");
    out = x;
    return {};
}

std::string apply_general_amount(GeneralConfig* g, std::string_view v, double hi,
                                 double GeneralConfig::*field) {
    double x = 0;
    if (auto e = parse_amount(v, hi, x); !e.empty())
        return e;
    if (g)
        g->*field = x;
    return {};
}

std::string apply_protect(SourceConfig&, GeneralConfig* g, std::string_view v) {
    std::vector<std::string> globs;
    for (const auto& part : split(v, ',')) {
        const auto glob = trim(part);
        if (glob.empty())
            continue;
        if (auto problem = path_glob_problem(glob))
            return cat("'", printable(glob, 80), "' ", *problem);
        globs.emplace_back(glob);
    }
    if (g)
        g->protect = std::move(globs);
    return {};
}

// Built at start-up: the format key lists what the audio format table allows.
const KeySpec kKeys[] = {
    {"type", kAllTypes, false, "stream, soundcard, generator", apply_type},
    {"enabled", kAllTypes, false, "yes, no (true/false, on/off, 1/0)",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) { return parse_bool(v, c.enabled); }},
    {"output_directory", kAllTypes, false,
     "a folder path, relative to the working directory or absolute", apply_output_directory},
    {"split_minutes", kAllTypes, false, "a whole number of minutes from 1 to 1440",
     apply_split_minutes},
    {"split_interval", kAllTypes, false,
     "a duration with unit s, m, h or d (10s, 15m, 1h, 1d), 1s to 1d", apply_split_interval},
    {"filename_pattern", kAllTypes, false,
     "a relative strftime pattern such as %Y%m%d_%H%M%S or {source}/%Y/%m/%d/%H%M%S",
     apply_pattern},
    {"timezone", kAllTypes, false, "local, UTC, or an IANA zone name such as Europe/Berlin",
     apply_timezone},
    {"max_retries", kAllTypes, false, "a whole number from 0 (retry forever) to 1000000",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) {
         return parse_int(v, 0, 1000000, c.max_retries);
     }},
    {"retry_delay_seconds", kAllTypes, false, "seconds from 0.1 to 3600",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) {
         return parse_seconds(v, 0.1, 3600, c.retry_delay_seconds);
     }},
    {"log_level", kAllTypes, false, "DEBUG, INFO, WARNING, ERROR, CRITICAL", apply_log_level},
    {"log_file", kAllTypes, true, "a file path, or empty for stderr only", apply_log_file},
    {"url", kStream, false, "an http:// or https:// URL", apply_url},
    {"username", kStream, false, "any text (empty for public streams)",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) {
         c.username = std::string(v);
         return std::string();
     }},
    {"password", kStream, false, "any text",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) {
         c.password = std::string(v);
         return std::string();
     }},
    {"tls_verify", kStream, false, "yes, no",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) {
         return parse_bool(v, c.tls_verify);
     }},
    {"stall_timeout_seconds", kStream, false, "seconds from 1 to 3600",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) {
         return parse_seconds(v, 1, 3600, c.stall_timeout_seconds);
     }},
    {"connect_timeout_seconds", kStream, false, "seconds from 1 to 300",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) {
         return parse_seconds(v, 1, 300, c.connect_timeout_seconds);
     }},
    {"format", kAllTypes, false, accepted_formats(), apply_format},
    {"device", kSoundcard, false,
     "default, hw:X,Y, plughw:X,Y, a PCM name from asound.conf, or part of a card name",
     apply_device},
    {"sample_rate", kPcm, false, "a rate in Hz from 8000 to 768000",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) {
         return parse_int(v, 8000, 768000, c.sample_rate);
     }},
    {"channels", kPcm, false, "a whole number from 1 to 32",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) {
         return parse_int(v, 1, 32, c.channels);
     }},
    {"bit_depth", kPcm, false, "16, 24", apply_bit_depth},
    {"compression_level", kPcm, false, "a FLAC level from 0 (fastest) to 8 (smallest)",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) {
         return parse_int(v, 0, 8, c.compression_level);
     }},
    {"seed", kGenerator, false, "a whole number", apply_seed},
    {"speed", kGenerator, false, "a whole number from 1 (real time) to 10000",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) {
         return parse_int(v, 1, 10000, c.speed);
     }},
    {"replay_seconds", kAllTypes, false, "seconds from 0 (off) to 3600, such as 30 or 7.5",
     apply_replay_seconds},
    {"record", kAllTypes, false, "yes, no (no: a replay-only source)",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) { return parse_bool(v, c.record); }},
    {"levels", kAllTypes, false, "yes, no (no: isr-web decodes each file when it is analysed)",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) { return parse_bool(v, c.levels); }},
    {"replay_template", kAllTypes, false,
     "a path relative to output_directory whose file name has %(ext)s, such as "
     "replays/%(date)s/%(time)s_%(label|untitled)s.%(ext)s",
     apply_replay_template},
    {"on_save", kAllTypes, false,
     "a program and its arguments, split into words like a shell does ('...' and \"...\" "
     "quote, \\ escapes); no shell runs it",
     apply_on_save},
    {"retention_days", kAllTypes, false,
     "days from 0 (keep forever) to 36500, such as 30 or 0.5; finished recordings older than "
     "this are deleted",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) {
         return parse_amount(v, 36500, c.retention_days);
     }},
    {"retention_max_gb", kAllTypes, false,
     "GB (10^9 bytes) from 0 (no limit) to 1000000, such as 50 or 2.5; the source's oldest "
     "recordings are deleted to stay under it",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) {
         return parse_amount(v, 1e6, c.retention_max_gb);
     }},
    {"min_free_percent", kAllTypes, true,
     "a percentage from 0 (off) to 99 of the output_directory's filesystem to keep free",
     [](SourceConfig&, GeneralConfig* g, std::string_view v) {
         return apply_general_amount(g, v, 99, &GeneralConfig::min_free_percent);
     }},
    {"min_free_gb", kAllTypes, true, "GB (10^9 bytes) from 0 (off) to 1000000 to keep free",
     [](SourceConfig&, GeneralConfig* g, std::string_view v) {
         return apply_general_amount(g, v, 1e6, &GeneralConfig::min_free_gb);
     }},
    {"protect", kAllTypes, true,
     "comma-separated globs relative to output_directory that retention never deletes: * ? "
     "[...] within a folder or file name, ** for any number of folders, such as "
     "radio1/2026/11/**, **/*_1200*.flac",
     apply_protect},
    {"silence_alarm_seconds", kAllTypes, false,
     "seconds from 0 (off) to 86400: silence (PCM) or no data (any source) this long raises an "
     "alarm",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) {
         auto e = parse_seconds(v, 0, 86400, c.silence_alarm_seconds);
         if (e.empty() && c.silence_alarm_seconds > 0 && c.silence_alarm_seconds < 2)
             return std::string("too short (0 for off, else 2 to 86400 seconds)");
         return e;
     }},
    {"silence_threshold_dbfs", kPcm, false, "an RMS level in dBFS from -120 to 0, such as -60",
     apply_silence_threshold},
    {"on_alarm", kAllTypes, false,
     "a program and its arguments, like on_save; run with source, kind and message appended",
     apply_command<&SourceConfig::on_alarm>},
    {"on_alarm_clear", kAllTypes, false,
     "a program and its arguments, like on_save; run with source, kind and message appended",
     apply_command<&SourceConfig::on_alarm_clear>},
    {"on_file_closed", kAllTypes, false,
     "a program and its arguments, like on_save; run with path, source, start, duration and "
     "bytes appended",
     apply_command<&SourceConfig::on_file_closed>},
    {"hook_timeout_seconds", kAllTypes, false, "seconds from 1 to 86400",
     [](SourceConfig& c, GeneralConfig*, std::string_view v) {
         return parse_seconds(v, 1, 86400, c.hook_timeout_seconds);
     }},
    {"control_socket", kAllTypes, true,
     "a file path of up to 107 bytes, or empty for $XDG_RUNTIME_DIR/isrd.sock "
     "(else <output_directory>/.isrd.sock)",
     apply_control_socket},
};

// Their values carry their own quoting (see parse_ini).
constexpr std::string_view kVerbatimKeys[] = {"on_save", "on_alarm", "on_alarm_clear",
                                              "on_file_closed"};

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const auto up = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0u : 1u)});
            diag = up;
        }
    }
    return row[b.size()];
}

} // namespace

unsigned mask_of(SourceType type) noexcept {
    switch (type) {
    case SourceType::stream:
        return kStream;
    case SourceType::soundcard:
        return kSoundcard;
    case SourceType::generator:
        return kGenerator;
    }
    return 0;
}

std::span<const KeySpec> all() noexcept {
    return kKeys;
}

const KeySpec* find(std::string_view name) noexcept {
    for (const auto& k : kKeys) {
        if (k.name == name)
            return &k;
    }
    return nullptr;
}

std::string names_for(unsigned types, bool in_general) {
    std::vector<std::string> names;
    for (const auto& k : kKeys) {
        if ((k.types & types) && (in_general || !k.general_only))
            names.emplace_back(k.name);
    }
    return join(names, ", ");
}

std::span<const std::string_view> verbatim_keys() noexcept {
    return kVerbatimKeys;
}

std::string_view suggest(std::string_view unknown) {
    std::string_view best;
    std::size_t best_distance = 3; // farther than two edits is not a typo
    for (const auto& k : kKeys) {
        const auto d = edit_distance(unknown, k.name);
        if (d < best_distance) {
            best_distance = d;
            best = k.name;
        }
    }
    return best;
}

std::string_view formats_for(SourceType type) noexcept {
    return type == SourceType::stream ? "auto, mp3, aac, ogg, opus, flac" : "wav, flac";
}

} // namespace isr::config_keys
