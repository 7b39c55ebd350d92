#include "common/crc.hpp"

#include <array>

namespace isr {

namespace {

// Table-driven MSB-first CRC of width Bits; tables are built at compile time.
template <class T, int Bits, T Poly> constexpr std::array<T, 256> make_table() {
    std::array<T, 256> table{};
    constexpr T top = static_cast<T>(T{1} << (Bits - 1));
    for (unsigned i = 0; i < 256; ++i) {
        auto r = static_cast<T>(static_cast<T>(i) << (Bits - 8));
        for (int bit = 0; bit < 8; ++bit)
            r = static_cast<T>((r & top) ? static_cast<T>(r << 1) ^ Poly : static_cast<T>(r << 1));
        table[i] = r;
    }
    return table;
}

constexpr auto kCrc8 = make_table<std::uint8_t, 8, 0x07>();
constexpr auto kCrc16 = make_table<std::uint16_t, 16, 0x8005>();
constexpr auto kCrc32 = make_table<std::uint32_t, 32, 0x04C11DB7u>();

} // namespace

std::uint8_t crc8(std::span<const std::uint8_t> bytes, std::uint8_t crc) noexcept {
    for (auto b : bytes)
        crc = kCrc8[crc ^ b];
    return crc;
}

std::uint16_t crc16_update(std::uint16_t crc, std::uint8_t byte) noexcept {
    return static_cast<std::uint16_t>((crc << 8) ^ kCrc16[((crc >> 8) ^ byte) & 0xFF]);
}

std::uint16_t crc16(std::span<const std::uint8_t> bytes, std::uint16_t crc) noexcept {
    for (auto b : bytes)
        crc = crc16_update(crc, b);
    return crc;
}

std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc) noexcept {
    for (auto b : bytes)
        crc = (crc << 8) ^ kCrc32[((crc >> 24) ^ b) & 0xFF];
    return crc;
}

} // namespace isr
