#include "recorder/control/socket_path.hpp"

#include "common/control_socket_path.hpp"

namespace isr::rec {

ControlSocketPath control_socket_path(const std::optional<std::filesystem::path>& option,
                                      const Config* config) {
    if (option)
        return {*option, "--socket"};
    const auto general = config ? config->general : GeneralConfig{};
    const auto path = isr::control_socket_path(general);
    if (!general.control_socket.empty())
        return {path, "control_socket in " + config->file};
    if (path.parent_path() != general.output_directory)
        return {path, "$XDG_RUNTIME_DIR"};
    return {path, config ? "output_directory of " + config->file : "the default"};
}

} // namespace isr::rec
