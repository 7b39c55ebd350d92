#pragma once

#include "common/config.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace isr::rec {

struct ControlSocketPath {
    std::filesystem::path path;
    std::string origin; // how it was chosen, for messages: "--socket", "$XDG_RUNTIME_DIR", …
};

// Where isrd's control socket is: the one answer for the daemon that listens and for
// `isrd save|status|…` that connect. `option` is --socket; `config` the config given with -c
// (the daemon's own), or null.
ControlSocketPath control_socket_path(const std::optional<std::filesystem::path>& option,
                                      const Config* config);

} // namespace isr::rec
