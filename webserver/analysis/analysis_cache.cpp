#include "webserver/analysis/analysis_cache.hpp"

#include "common/file_util.hpp"
#include "common/json.hpp"
#include "webserver/analysis/analysis_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <system_error>

namespace isr::web {

namespace fs = std::filesystem;

namespace {

void ensure_parent(const fs::path& path) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec)
        throw std::system_error(ec, "create " + path.parent_path().string());
}

} // namespace

bool same_params(const SectionParams& a, const SectionParams& b) noexcept {
    return std::abs(a.margin - b.margin) < 1e-9 && std::abs(a.min_gap - b.min_gap) < 1e-9 &&
           std::abs(a.min_duration - b.min_duration) < 1e-9;
}

std::vector<CachedSections> read_sections_file(const fs::path& path, FileKey key) {
    try {
        return parse_sections(read_small_file(path), key);
    } catch (const std::exception&) {
        return {};
    }
}

std::vector<CachedSections> parse_sections(std::string_view text, FileKey key) {
    std::vector<CachedSections> out;
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError() || !doc.IsObject() ||
        json_int(doc, "analyser") != static_cast<std::int64_t>(kAnalyserVersion) ||
        json_int(doc, "size") != static_cast<std::int64_t>(key.size) ||
        json_int(doc, "mtime_ns") != key.mtime_ns) {
        return out;
    }
    const auto results = doc.FindMember("results");
    if (results == doc.MemberEnd() || !results->value.IsArray())
        return out;
    for (const auto& r : results->value.GetArray()) {
        if (!r.IsObject())
            continue;
        CachedSections c;
        const auto m = json_number(r, "margin"), g = json_number(r, "min_gap"),
                   d = json_number(r, "min_duration");
        const auto s = r.FindMember("sections");
        if (!m || !g || !d || s == r.MemberEnd() || !s->value.IsArray())
            continue;
        c.params = {*m, *g, *d};
        for (const auto& row : s->value.GetArray()) {
            if (!row.IsArray() || row.Size() != 5)
                continue;
            const auto& a = row.GetArray();
            if (!std::all_of(a.begin(), a.end(), [](const auto& v) { return v.IsNumber(); }))
                continue;
            c.sections.push_back({a[0].GetDouble(), a[1].GetDouble(), a[2].GetDouble(),
                                  a[3].GetDouble(), a[4].GetDouble()});
        }
        out.push_back(std::move(c));
    }
    return out;
}

void write_sections_file(const fs::path& path, FileKey key, std::vector<CachedSections> entries,
                         std::size_t keep) {
    if (entries.size() > keep)
        entries.erase(entries.begin(), entries.end() - static_cast<std::ptrdiff_t>(keep));
    JsonWriter w(3);
    w.begin_object()
        .member("analyser", static_cast<unsigned>(kAnalyserVersion))
        .member("size", key.size)
        .member("mtime_ns", static_cast<long long>(key.mtime_ns));
    w.key("results").begin_array();
    for (const auto& e : entries) {
        w.begin_object();
        write_members(w, e.params);
        w.key("sections").begin_array();
        for (const auto& s : e.sections) {
            w.begin_array()
                .value(s.start)
                .value(s.end)
                .value(s.peak_db)
                .value(s.floor_db)
                .value(s.score)
                .end_array();
        }
        w.end_array().end_object();
    }
    w.end_array().end_object();
    ensure_parent(path);
    write_file_atomic(path, w.str());
}

} // namespace isr::web
