#pragma once

#include <cstdint>
#include <span>

// The checksums the framing parsers verify: all MSB-first (non-reflected), initial value 0,
// no final xor, so a block followed by its own big-endian checksum sums to 0.
namespace isr {

// FLAC frame header: polynomial x^8 + x^2 + x + 1 (0x07).
std::uint8_t crc8(std::span<const std::uint8_t> bytes, std::uint8_t crc = 0) noexcept;

// FLAC frame: polynomial 0x8005.
std::uint16_t crc16_update(std::uint16_t crc, std::uint8_t byte) noexcept;
std::uint16_t crc16(std::span<const std::uint8_t> bytes, std::uint16_t crc = 0) noexcept;

// Ogg page: polynomial 0x04C11DB7.
std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0) noexcept;

} // namespace isr
