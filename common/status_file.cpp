#include "common/status_file.hpp"

#include "common/file_util.hpp"
#include "common/json.hpp"
#include "common/time_format.hpp"

#include <sys/stat.h>

namespace isr {

namespace {

void write_alarm(JsonWriter& w, const std::optional<Alarm>& alarm) {
    w.key("alarm");
    if (!alarm) {
        w.value(nullptr);
        return;
    }
    w.begin_object()
        .member("kind", alarm->kind)
        .member("since", alarm->since)
        .member("message", alarm->message)
        .end_object();
}

std::optional<Alarm> read_alarm(const rapidjson::Value& parent) {
    const auto it = parent.FindMember("alarm");
    if (it == parent.MemberEnd() || !it->value.IsObject())
        return std::nullopt;
    Alarm a;
    a.kind = json_string(it->value, "kind").value_or("");
    a.since = json_string(it->value, "since").value_or("");
    a.message = json_string(it->value, "message").value_or("");
    return a;
}

void write_last_event(JsonWriter& w, const std::optional<LoudEventStatus>& e) {
    w.key("last_event");
    if (!e) {
        w.value(nullptr);
        return;
    }
    w.begin_object()
        .member("start", e->start)
        .member("duration", e->duration)
        .member("score", e->score)
        .member("ongoing", e->ongoing)
        .end_object();
}

std::optional<LoudEventStatus> read_last_event(const rapidjson::Value& parent) {
    const auto it = parent.FindMember("last_event");
    if (it == parent.MemberEnd() || !it->value.IsObject())
        return std::nullopt;
    LoudEventStatus e;
    e.start = json_string(it->value, "start").value_or("");
    e.duration = json_number(it->value, "duration").value_or(0);
    e.score = json_number(it->value, "score").value_or(0);
    if (it->value.HasMember("ongoing") && it->value["ongoing"].IsBool())
        e.ongoing = it->value["ongoing"].GetBool();
    return e;
}

} // namespace

std::string to_json(const Status& s) {
    JsonWriter w(2);
    w.begin_object();
    w.member("version", s.version).member("updated", s.updated).member("pid", s.pid);
    w.key("active").begin_array();
    for (const auto& a : s.active)
        w.value(a);
    w.end_array();
    w.key("sources").begin_array();
    for (const auto& src : s.sources) {
        w.begin_object()
            .member("name", src.name)
            .member("type", to_string(src.type))
            .member("state", to_string(src.state))
            .member("file", src.file)
            .member("format", src.format)
            .member("bytes", src.bytes)
            .member("bytes_total", src.bytes_total)
            .member("since", src.since)
            .member("last_data", src.last_data)
            .member("reconnects", src.reconnects)
            .member("xruns", src.xruns)
            .member("lost_frames", src.lost_frames)
            .member("lost_seconds", src.lost_seconds)
            .member("disk_errors", src.disk_errors)
            .member("skipped_bytes", src.skipped_bytes)
            .member("resyncs", src.resyncs)
            .member("level_dbfs", src.level_dbfs)
            .member("peak_dbfs", src.peak_dbfs)
            .member("error", src.error)
            .member("input", src.input)
            .member("sample_rate", src.sample_rate)
            .member("channels", src.channels)
            .member("bitrate_kbps", src.bitrate_kbps)
            .member("stream_title", src.stream_title)
            .member("files", src.files)
            .member("replay_seconds", src.replay_seconds)
            .member("record", src.record);
        write_alarm(w, src.alarm);
        write_last_event(w, src.last_event);
        w.member("events_total", src.events_total)
            .member("events_suppressed", src.events_suppressed);
        w.end_object();
    }
    w.end_array();
    write_alarm(w, s.alarm);
    w.member("ledger_error", s.ledger_error);
    w.end_object();
    return w.str();
}

std::optional<Status> parse_status(std::string_view json) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    if (doc.HasParseError() || !doc.IsObject())
        return std::nullopt;
    Status s;
    s.version = static_cast<int>(json_int(doc, "version").value_or(1));
    s.updated = json_string(doc, "updated").value_or("");
    s.pid = static_cast<long>(json_int(doc, "pid").value_or(0));
    if (const auto it = doc.FindMember("active"); it != doc.MemberEnd() && it->value.IsArray()) {
        for (const auto& a : it->value.GetArray()) {
            if (a.IsString())
                s.active.emplace_back(a.GetString(), a.GetStringLength());
        }
    }
    if (const auto it = doc.FindMember("sources"); it != doc.MemberEnd() && it->value.IsArray()) {
        for (const auto& v : it->value.GetArray()) {
            if (!v.IsObject())
                continue;
            SourceStatus src;
            src.name = json_string(v, "name").value_or("");
            // Words from a newer isrd that this build does not know keep the defaults.
            if (const auto t = parse_source_type(json_string(v, "type").value_or("")))
                src.type = *t;
            if (const auto st = parse_run_state(json_string(v, "state").value_or("")))
                src.state = *st;
            src.file = json_string(v, "file");
            src.format = json_string(v, "format").value_or("");
            src.bytes = static_cast<std::uint64_t>(json_int(v, "bytes").value_or(0));
            src.bytes_total = static_cast<std::uint64_t>(json_int(v, "bytes_total").value_or(0));
            src.since = json_string(v, "since");
            src.last_data = json_string(v, "last_data");
            src.reconnects = static_cast<std::uint64_t>(json_int(v, "reconnects").value_or(0));
            src.xruns = static_cast<std::uint64_t>(json_int(v, "xruns").value_or(0));
            src.lost_frames = static_cast<std::uint64_t>(json_int(v, "lost_frames").value_or(0));
            src.lost_seconds = json_number(v, "lost_seconds").value_or(0);
            src.disk_errors = static_cast<std::uint64_t>(json_int(v, "disk_errors").value_or(0));
            src.skipped_bytes =
                static_cast<std::uint64_t>(json_int(v, "skipped_bytes").value_or(0));
            src.resyncs = static_cast<std::uint64_t>(json_int(v, "resyncs").value_or(0));
            src.level_dbfs = json_number(v, "level_dbfs");
            src.peak_dbfs = json_number(v, "peak_dbfs");
            src.error = json_string(v, "error");
            src.input = json_string(v, "input");
            if (const auto n = json_int(v, "sample_rate"))
                src.sample_rate = static_cast<int>(*n);
            if (const auto n = json_int(v, "channels"))
                src.channels = static_cast<int>(*n);
            src.bitrate_kbps = json_number(v, "bitrate_kbps");
            src.stream_title = json_string(v, "stream_title");
            src.files = static_cast<std::uint64_t>(json_int(v, "files").value_or(0));
            src.replay_seconds = json_number(v, "replay_seconds").value_or(0);
            if (v.HasMember("record") && v["record"].IsBool())
                src.record = v["record"].GetBool();
            src.alarm = read_alarm(v);
            src.last_event = read_last_event(v);
            src.events_total = static_cast<std::uint64_t>(json_int(v, "events_total").value_or(0));
            src.events_suppressed =
                static_cast<std::uint64_t>(json_int(v, "events_suppressed").value_or(0));
            s.sources.push_back(std::move(src));
        }
    }
    s.alarm = read_alarm(doc);
    s.ledger_error = json_string(doc, "ledger_error");
    return s;
}

void write_status_file(const std::filesystem::path& path, const Status& status) {
    write_file_atomic(path, to_json(status));
}

StatusReading read_status_file(const std::filesystem::path& path,
                               std::chrono::system_clock::time_point now) {
    StatusReading r;
    struct stat st {};
    try {
        r.raw = read_small_file(path);
        if (::stat(path.c_str(), &st) != 0)
            return r;
    } catch (const std::exception&) {
        return r;
    }
    r.present = true;
    r.status = parse_status(r.raw);
    const double now_s = to_seconds(now);
    std::optional<double> updated;
    if (r.status)
        updated = parse_iso8601(r.status->updated);
    if (!updated) {
        updated =
            static_cast<double>(st.st_mtim.tv_sec) + static_cast<double>(st.st_mtim.tv_nsec) * 1e-9;
    }
    r.age_seconds = now_s - *updated;
    r.stale = r.age_seconds > kStatusStaleSeconds;
    return r;
}

} // namespace isr
