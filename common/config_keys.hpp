#pragma once

#include "common/config.hpp"

#include <span>
#include <string>
#include <string_view>

// The table of config.ini keys: which sections and source types each applies to, what values
// it accepts, and how it is applied. Internal to the config module.
namespace isr::config_keys {

enum TypeMask : unsigned {
    kStream = 1u << 0,
    kSoundcard = 1u << 1,
    kGenerator = 1u << 2,
    kPcm = kSoundcard | kGenerator,
    kAllTypes = kStream | kPcm,
};

unsigned mask_of(SourceType type) noexcept;

struct KeySpec {
    std::string_view name;
    unsigned types;            // source types the key applies to
    bool general_only;         // may only appear in [general]
    std::string_view accepted; // what a user may write, for messages
    // Applies `value` to `cfg` (and to `general` when it comes from [general], else null).
    // Returns an empty string, or what is wrong with the value.
    std::string (*apply)(SourceConfig& cfg, GeneralConfig* general, std::string_view value);
};

std::span<const KeySpec> all() noexcept;
const KeySpec* find(std::string_view name) noexcept;

// "type, url, username, …" — the keys valid in a section of this type (with `in_general`, the
// [general]-only keys too).
std::string names_for(unsigned types, bool in_general = false);
// The keys whose values the INI reader keeps as written (parse_ini's verbatim_keys).
std::span<const std::string_view> verbatim_keys() noexcept;
// The known key closest to a misspelt one, or empty.
std::string_view suggest(std::string_view unknown);

// Accepted values of `format` for a source type.
std::string_view formats_for(SourceType type) noexcept;

} // namespace isr::config_keys
