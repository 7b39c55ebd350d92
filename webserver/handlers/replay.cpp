#include "common/json.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "recorder/control/control_client.hpp"
#include "recorder/control/protocol.hpp"
#include "webserver/app.hpp"
#include "webserver/handlers/handlers.hpp"
#include "webserver/http_error.hpp"

#include <rapidjson/document.h>

namespace isr::web {

namespace {

// isrd writes a minute of audio in well under a second; this is for a machine under load.
constexpr auto kReplyTimeout = std::chrono::seconds(15);

rec::SaveCommand save_command(const std::string& body) {
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    if (doc.HasParseError() || !doc.IsObject())
        throw HttpError(400,
                        "the body must be a JSON object: {\"source\", \"seconds\", \"label\"}");
    rec::SaveCommand save;
    for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
        const std::string key(it->name.GetString(), it->name.GetStringLength());
        const auto& v = it->value;
        if (key == "source" && v.IsString())
            save.source = std::string(v.GetString(), v.GetStringLength());
        else if (key == "label" && v.IsString())
            save.label = std::string(v.GetString(), v.GetStringLength());
        else if (key == "seconds" && v.IsNumber())
            save.seconds = v.GetDouble();
        else if (key == "source" || key == "label" || key == "seconds")
            throw HttpError(400, cat("\"", key, "\" has the wrong type"));
        else
            throw HttpError(400, cat("unknown key \"", printable(key, 40),
                                     "\"; a replay takes source, seconds and label"));
    }
    if (save.label && save.label->empty())
        save.label.reset();
    try {
        rec::check_command(save);
    } catch (const rec::ProtocolError& e) {
        throw HttpError(400, e.what());
    }
    return save;
}

} // namespace

Response save_replay(const Request& request, const App& app) {
    if (app.options.read_only)
        throw HttpError(403, "this server is read-only (started with --read-only)");
    const auto command = save_command(request.body);
    const auto& socket = app.options.control_socket;
    std::string line;
    try {
        line = rec::control_request(socket, rec::encode_command(command), kReplyTimeout);
    } catch (const rec::ControlConnectError&) {
        throw HttpError(503, cat("isrd is not answering on its control socket ", socket.string(),
                                 ": is it running? (isr-web's --control-socket must name the "
                                 "control_socket isrd uses)"));
    } catch (const std::exception& e) {
        throw HttpError(504, cat("isrd did not answer the save: ", e.what()));
    }
    rec::ParsedReply reply;
    try {
        reply = rec::parse_reply(line);
    } catch (const rec::ProtocolError& e) {
        throw HttpError(502, cat("isrd answered something unexpected: ", e.what()));
    }
    if (!reply.ok)
        throw HttpError(409, reply.error);
    log::info("web", "saved a replay for ", request.remote, ": ", printable(line, 300));
    // isrd's reply as it is, without "ok" (HTTP says that).
    reply.doc.RemoveMember("ok");
    JsonWriter w;
    w.begin_object();
    for (auto it = reply.doc.MemberBegin(); it != reply.doc.MemberEnd(); ++it) {
        w.key({it->name.GetString(), it->name.GetStringLength()});
        if (it->value.IsString())
            w.value(std::string_view(it->value.GetString(), it->value.GetStringLength()));
        else if (it->value.IsNumber())
            w.value(it->value.GetDouble());
        else if (it->value.IsBool())
            w.value(it->value.GetBool());
        else
            w.value(nullptr);
    }
    w.end_object();
    return json_response(w.str());
}

} // namespace isr::web
