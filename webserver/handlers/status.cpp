#include "common/json.hpp"
#include "common/version.hpp"
#include "webserver/app.hpp"
#include "webserver/handlers/handlers.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <sys/statvfs.h>

namespace isr::web {

Response get_status(const Request&, const App& app) {
    const auto reading = app.status.read();
    rapidjson::Document doc;
    if (reading.present)
        doc.Parse(reading.raw.data(), reading.raw.size());
    if (!reading.present || doc.HasParseError() || !doc.IsObject()) {
        JsonWriter w;
        w.begin_object().member("running", false).member("stale", false);
        if (reading.present)
            w.member("error", "status.json is not valid JSON");
        w.key("active").begin_array().end_array();
        w.key("sources").begin_array().end_array();
        w.end_object();
        return json_response(w.str());
    }
    // Passed through as isrd wrote it, plus how fresh it is.
    auto& alloc = doc.GetAllocator();
    doc.RemoveMember("stale");
    doc.RemoveMember("running");
    doc.RemoveMember("age_seconds");
    doc.AddMember("stale", reading.stale, alloc);
    doc.AddMember("running", !reading.stale, alloc);
    doc.AddMember("age_seconds", std::round(reading.age_seconds * 10) / 10, alloc);
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc.Accept(writer);
    return json_response({buffer.GetString(), buffer.GetSize()});
}

Response get_storage(const Request&, const App& app) {
    struct statvfs fs {};
    JsonWriter w;
    w.begin_object();
    if (::statvfs(app.root->path().c_str(), &fs) == 0) {
        const auto unit = static_cast<std::uint64_t>(fs.f_frsize);
        w.member("total_bytes", static_cast<std::uint64_t>(fs.f_blocks) * unit)
            .member("free_bytes", static_cast<std::uint64_t>(fs.f_bfree) * unit)
            .member("available_bytes", static_cast<std::uint64_t>(fs.f_bavail) * unit);
    }
    std::uint64_t bytes = 0;
    std::uint64_t count = 0;
    for (const auto& e : app.index.scan(app.status.recording())) {
        bytes += e->size;
        ++count;
    }
    w.member("recordings_bytes", bytes).member("recordings_count", count);
    w.end_object();
    return json_response(w.str());
}

Response get_config(const Request&, const App& app) {
    JsonWriter w;
    w.begin_object()
        .member("margin", app.options.margin)
        .member("min_gap", app.options.min_gap)
        .member("min_duration", app.options.min_duration)
        .member("read_only", app.options.read_only)
        .member("can_delete", app.recordings_writable)
        .member("timezone", app.zone->name())
        .member("version", kVersion);
    w.key("limits")
        .begin_object()
        .member("margin_max", kMarginMax)
        .member("min_gap_max", kGapMax)
        .member("min_duration_max", kDurationMax)
        .member("clip_max_seconds", 600)
        .end_object();
    w.end_object();
    return json_response(w.str());
}

} // namespace isr::web
