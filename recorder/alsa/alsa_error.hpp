#pragma once

#include <string>
#include <system_error>

namespace isr::rec {

// alsa-lib's negative error codes as a std::error_category (messages from snd_strerror).
const std::error_category& alsa_category() noexcept;

inline std::system_error alsa_error(int err, const std::string& what) {
    return {err < 0 ? -err : err, alsa_category(), what};
}

} // namespace isr::rec
