#pragma once

#include "webserver/router.hpp"

namespace isr::web {

struct App;

// The route table of isr-web: every endpoint, its method, and where its handler runs.
Router make_router(const App& app);

} // namespace isr::web
