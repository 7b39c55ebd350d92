// isrd's configuration: the INI reader and every key's validation, from any bytes.
#include "common/config.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        static_cast<void>(isr::parse_config(
            std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.ini"));
    } catch (const isr::ConfigError&) {
        // Refusing a config with messages is the expected outcome for most inputs.
    }
    return 0;
}
