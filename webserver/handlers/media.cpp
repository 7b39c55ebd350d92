#include "common/audio_formats.hpp"
#include "common/strings.hpp"
#include "webserver/app.hpp"
#include "webserver/chunk_channel.hpp"
#include "webserver/handlers/handlers.hpp"
#include "webserver/handlers/params.hpp"
#include "webserver/http_error.hpp"
#include "webserver/media/clip.hpp"
#include "webserver/media/cut.hpp"

#include <stdexcept>

namespace isr::web {

namespace {

inline constexpr double kClipMaxSeconds = 600;

struct Range {
    Recording recording;
    double start;
    double end;
    bool live = false; // being recorded
};

// `what`: what is refused while the file is being recorded; nullptr when nothing is (a clip of
// the part already written is decoded from the live view).
Range requested_range(const Request& request, const App& app, const char* what) {
    const auto name = required_param(request, "file");
    const double start = time_param(request, "start");
    const double end = time_param(request, "end");
    if (end <= start)
        throw HttpError(400, cat("end (", end, " s) must be after start (", start, " s)"));
    const auto rec = app.root->resolve(name);
    if (!rec)
        throw HttpError(404, no_such_recording(name));
    const bool live = app.status.is_recording(rec->relative);
    if (live && what) {
        throw HttpError(409, cat(name, " is still being recorded; ", what,
                                 " it once isrd moves to the next file"));
    }
    return {*rec, start, end, live};
}

// Plans a clip or a cut; a start past the end is the client's mistake (400), a recording that
// cannot be read or cut is 422 saying why.
template <class Plan, class Planner>
Plan plan_or_fail(const Range& range, std::string_view failing, Planner planner) {
    try {
        return planner(range);
    } catch (const std::out_of_range& e) {
        throw HttpError(400, e.what());
    } catch (const std::exception& e) {
        throw HttpError(422, cat(failing, range.recording.requested, ": ", e.what()));
    }
}

std::string seconds_label(double s) {
    auto t = fixed(s, 3);
    while (t.back() == '0')
        t.pop_back();
    if (t.back() == '.')
        t.pop_back();
    return t;
}

} // namespace

Response clip_recording(const Request& request, const App& app) {
    const auto range = requested_range(request, app, nullptr);
    if (range.end - range.start > kClipMaxSeconds) {
        throw HttpError(400, cat("a clip is at most ", kClipMaxSeconds, " s; asked for ",
                                 range.end - range.start, " s (use /api/cut for longer parts)"));
    }
    const auto plan = plan_or_fail<ClipPlan>(range, "cannot decode ", [](const Range& r) {
        return plan_clip(r.recording.absolute, r.start, r.end, r.live);
    });
    Response r;
    r.header("Content-Type", "audio/wav");
    r.header("Cache-Control", "no-cache");
    r.body = StreamedBody{plan.bytes(), [plan](const std::shared_ptr<ChunkChannel>& channel) {
                              produce_clip(plan, channel);
                          }};
    return r;
}

Response cut_download(const Request& request, const App& app) {
    const auto range = requested_range(request, app, "cut");
    auto plan = plan_or_fail<CutPlan>(range, "cannot cut ", [](const Range& r) {
        return plan_cut(r.recording.absolute, r.start, r.end);
    });
    const auto& name = range.recording.requested;
    const auto slash = name.rfind('/');
    auto base = slash == std::string::npos ? name : name.substr(slash + 1);
    const auto dot = base.rfind('.');
    const auto ext = dot == std::string::npos ? std::string() : base.substr(dot);
    if (dot != std::string::npos)
        base.resize(dot);
    Response r;
    r.header("Content-Type", std::string(format_of_file(name)->serve_type));
    r.header("Content-Disposition",
             content_disposition(true, cat(base, '_', seconds_label(range.start), '-',
                                           seconds_label(range.end), ext)));
    r.header("Cache-Control", "no-store");
    if (plan.wav) {
        UniqueFd fd;
        try {
            fd = open_regular_file(plan.file);
        } catch (const std::system_error&) {
            throw HttpError(404, no_such_recording(name));
        }
        r.body =
            FileBody{std::move(plan.wav_header), std::move(fd), plan.data_offset, plan.data_length};
        return r;
    }
    r.body = StreamedBody{plan.size, [plan](const std::shared_ptr<ChunkChannel>& channel) {
                              produce_cut(plan, channel);
                          }};
    return r;
}

} // namespace isr::web
