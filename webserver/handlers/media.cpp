#include "common/strings.hpp"
#include "webserver/app.hpp"
#include "webserver/chunk_channel.hpp"
#include "webserver/handlers/handlers.hpp"
#include "webserver/handlers/params.hpp"
#include "webserver/http_error.hpp"
#include "webserver/media/clip.hpp"
#include "webserver/media/cut.hpp"
#include "webserver/archive/media_types.hpp"

#include <stdexcept>

namespace isr::web {

namespace {

inline constexpr double kClipMaxSeconds = 600;

struct Range {
    Recording recording;
    double start;
    double end;
};

Range requested_range(const Request& request, App& app, const char* what) {
    const auto name = required_param(request, "file");
    const double start = time_param(request, "start");
    const double end = time_param(request, "end");
    if (end <= start) throw HttpError(400, cat("end (", end, " s) must be after start (", start, " s)"));
    const auto rec = app.root->resolve(name);
    if (!rec) throw HttpError(404, no_such_recording(name));
    if (app.status.is_recording(name)) {
        throw HttpError(409, cat(name, " is still being recorded; ", what, " it once isrd moves to the next file"));
    }
    return {*rec, start, end};
}

std::string seconds_label(double s) {
    auto t = fixed(s, 3);
    while (t.back() == '0') t.pop_back();
    if (t.back() == '.') t.pop_back();
    return t;
}

} // namespace

Response clip_recording(const Request& request, App& app) {
    const auto range = requested_range(request, app, "play");
    if (range.end - range.start > kClipMaxSeconds) {
        throw HttpError(400, cat("a clip is at most ", kClipMaxSeconds, " s; asked for ", range.end - range.start,
                                 " s (use /api/cut for longer parts)"));
    }
    ClipPlan plan;
    try {
        plan = plan_clip(range.recording.absolute, range.start, range.end);
    } catch (const std::out_of_range& e) {
        throw HttpError(400, e.what());
    } catch (const std::exception& e) {
        throw HttpError(422, cat("cannot decode ", range.recording.relative, ": ", e.what()));
    }
    auto channel = std::make_shared<ChunkChannel>(4);
    app.media.post([plan, channel] { produce_clip(plan, channel); });
    Response r;
    r.header("Content-Type", "audio/wav");
    r.header("Cache-Control", "no-cache");
    r.streamed = StreamedBody{channel, plan.bytes()};
    return r;
}

Response cut_download(const Request& request, App& app) {
    const auto range = requested_range(request, app, "cut");
    CutFile cut;
    try {
        cut = cut_recording(range.recording.absolute, range.start, range.end, std::filesystem::temp_directory_path());
    } catch (const std::exception& e) {
        throw HttpError(422, cat("cannot cut ", range.recording.relative, ": ", e.what()));
    }
    const auto& name = range.recording.relative;
    const auto slash = name.rfind('/');
    auto base = slash == std::string::npos ? name : name.substr(slash + 1);
    const auto dot = base.rfind('.');
    const auto ext = dot == std::string::npos ? std::string() : base.substr(dot);
    if (dot != std::string::npos) base.resize(dot);
    const auto filename = cat(base, '_', seconds_label(range.start), '-', seconds_label(range.end), ext);
    Response r;
    r.header("Content-Type", std::string(media_type_for(name)->content_type));
    r.header("Content-Disposition", cat("attachment; filename=\"", filename, "\"; filename*=UTF-8''", percent_encode_path(filename)));
    r.header("Cache-Control", "no-store");
    const auto size = cut.size;
    r.file = FileBody{std::move(cut.fd), 0, size, {}, 0};
    return r;
}

} // namespace isr::web
