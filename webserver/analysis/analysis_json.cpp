#include "webserver/analysis/analysis_json.hpp"

namespace isr::web {

void write_members(JsonWriter& w, const SectionParams& p) {
    w.member("margin", p.margin)
        .member("min_gap", p.min_gap)
        .member("min_duration", p.min_duration);
}

void write_json(JsonWriter& w, const SectionParams& p) {
    w.begin_object();
    write_members(w, p);
    w.end_object();
}

void write_members(JsonWriter& w, const Section& s) {
    w.member("start", s.start)
        .member("end", s.end)
        .member("peak_db", s.peak_db)
        .member("floor_db", s.floor_db)
        .member("score", s.score);
}

void write_json(JsonWriter& w, const Section& s) {
    w.begin_object();
    write_members(w, s);
    w.end_object();
}

} // namespace isr::web
