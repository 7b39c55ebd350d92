#include "recorder/control/socket_path.hpp"

#include <cstdlib>

namespace isr::rec {

ControlSocketPath control_socket_path(const std::optional<std::filesystem::path>& option,
                                      const Config* config) {
    if (option)
        return {*option, "--socket"};
    // INTEGRATION POINT: when [general] gains `control_socket`, return config's value here,
    // when set ({path, "control_socket in " + config->file}): it must win over the defaults
    // below, for the daemon and for `isrd COMMAND -c CONFIG` alike.
    //
    // Per user session, as other daemons do; the XDG spec says to ignore a relative value.
    if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime == '/')
        return {std::filesystem::path(runtime) / "isrd.sock", "$XDG_RUNTIME_DIR"};
    // Beside the lock file of the recordings folder (recordings/ unless a config says else).
    const auto folder =
        config ? config->general.output_directory : GeneralConfig{}.output_directory;
    return {folder / ".isrd.sock", config ? "output_directory of " + config->file : "the default"};
}

} // namespace isr::rec
