#pragma once

#include <filesystem>

#include <sys/un.h>

namespace isr::rec {

// The address of a Unix socket at `path`, for bind() and connect(). Throws std::runtime_error
// naming the path when it is empty or longer than a sockaddr_un holds (107 bytes on Linux).
sockaddr_un unix_address(const std::filesystem::path& path);

} // namespace isr::rec
