#pragma once

#include "common/config.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace isr {

// sockaddr_un::sun_path holds 108 bytes on Linux, the terminating NUL included; bind(2) refuses
// a longer path, so the config refuses it first.
inline constexpr std::size_t kMaxSocketPathBytes = 107;

// Why `path` cannot be a Unix socket's path (too long, a folder), or nullopt. Pure.
std::optional<std::string> socket_path_problem(std::string_view path);

// Where isrd's control socket lives: `general.control_socket` when it is set; else
// `<xdg_runtime_dir>/isrd.sock` when `xdg_runtime_dir` is non-empty and absolute (a relative
// value is ignored, as the XDG Base Directory spec asks); else
// `<general.output_directory>/.isrd.sock`. Pure: the caller passes $XDG_RUNTIME_DIR. The result
// of the two defaults is not length-checked: the caller checks it with socket_path_problem().
std::filesystem::path control_socket_path(const GeneralConfig& general,
                                          std::string_view xdg_runtime_dir);

// The same with this process's $XDG_RUNTIME_DIR (empty when unset).
std::filesystem::path control_socket_path(const GeneralConfig& general);

} // namespace isr
