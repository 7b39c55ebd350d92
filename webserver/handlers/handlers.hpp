#pragma once

#include "webserver/request.hpp"
#include "webserver/response.hpp"

#include <string>

namespace isr::web {

struct App;

// One function per endpoint. They run on the thread their route names (see routes.cpp), may
// throw HttpError for client errors, and never write to the socket themselves.

Response list_files(const Request& request, const App& app); // GET /api/files
Response serve_recording(const Request& request, const App& app, const std::string& name,
                         bool download);                      // GET /stream/, /download/
Response get_status(const Request& request, const App& app);  // GET /api/status
Response get_storage(const Request& request, const App& app); // GET /api/storage
Response get_config(const Request& request, const App& app);  // GET /api/config
Response delete_recording(const Request& request, const App& app,
                          const std::string& name);           // DELETE /api/files/
Response save_replay(const Request& request, const App& app); // POST /api/replay
// POST (keep) and DELETE /api/keep/<name>: the recording's .keep marker for isrd's retention.
Response set_keep(const Request& request, const App& app, const std::string& name, bool keep);
// A .keep beside the recording, or a keep mark in the analysis cache folder.
bool is_kept(const App& app, const std::string& recording);
Response serve_ui(const Request& request, const App& app);          // GET /, UI files
Response analyze_recording(const Request& request, const App& app); // GET /api/analyze
Response day_highlights(const Request& request, const App& app);    // GET /api/highlights
Response clip_recording(const Request& request, const App& app);    // GET /api/clip
Response cut_download(const Request& request, const App& app);      // GET /api/cut
Response get_metrics(const Request& request, const App& app);       // GET /metrics
Response day_events(const Request& request, const App& app);        // GET /api/events

} // namespace isr::web
