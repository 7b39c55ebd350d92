#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace isr::rec::framing {

// Total size (header, body and optional footer) of the ID3v2 tag that starts at bytes[0], or 0
// when none starts there or fewer than its 10 header bytes are available.
std::size_t id3v2_size(std::span<const std::uint8_t> bytes) noexcept;

} // namespace isr::rec::framing
