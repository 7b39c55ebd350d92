// Inputs the fuzz targets (tests/fuzz) found to break something, kept in tests/fuzz/findings/
// and replayed here as they were found.
#include "common/file_util.hpp"
#include "recorder/control/protocol.hpp"
#include "recorder/stream/framing/framer.hpp"
#include "recorder/stream/framing/ogg_page.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace isr;
using namespace isr::rec::framing;

namespace {

std::string finding(const std::string& name) {
    return read_small_file(std::filesystem::path(ISR_SOURCE_DIR) / "tests" / "fuzz" / "findings" /
                           name);
}

} // namespace

TEST_CASE("fuzz_framers: an Ogg head that is no whole page never becomes a unit",
          "[recorder][fuzz]") {
    // The stream ended inside a page: flush() kept the cut-off page as the head, the scan then
    // found a page further on, and the bytes before it were handed out as a "page" whose header
    // claimed more bytes than it had (a heap overflow in OggFramer::describe).
    const auto input = finding("fuzz_framers-ogg-truncated-page");
    REQUIRE(input.size() > 2);
    REQUIRE(input[0] % 5 == 2); // the harness's framer choice: "ogg"
    const std::size_t chunk = 1 + static_cast<unsigned char>(input[1]) % 97 * 31;
    const auto body =
        std::span(reinterpret_cast<const std::uint8_t*>(input.data()) + 2, input.size() - 2);
    auto framer = make_framer("ogg");
    std::size_t units = 0;
    const auto check = [&](const Unit& unit) {
        ++units;
        const auto page = check_ogg_page(unit.bytes);
        CHECK(page.status == PageStatus::valid);
        CHECK(page.size <= unit.bytes.size());
    };
    for (std::size_t at = 0; at < body.size(); at += chunk) {
        framer->push(body.subspan(at, std::min(chunk, body.size() - at)));
        while (auto unit = framer->next())
            check(*unit);
    }
    while (auto unit = framer->flush())
        check(*unit);
    CHECK(units > 0);
}

TEST_CASE("fuzz_control_protocol: a zero with a large exponent is read without undefined "
          "behaviour",
          "[recorder][fuzz]") {
    // RapidJSON 1.1's full-precision number path calls clz(0) for "0e99" (UBSan stops there), so
    // the protocol reads numbers without kParseFullPrecisionFlag. Under the sanitizer builds this
    // replays the input as found; everywhere it checks that a zero stays zero.
    CHECK_THROWS_WITH(isr::rec::parse_command(finding("fuzz_control_protocol-zero-large-exponent")),
                      Catch::StartsWith("malformed JSON at byte "));
    CHECK_THROWS_WITH(isr::rec::parse_command(R"({"cmd":"save","seconds":0.0e308})"),
                      Catch::StartsWith("\"seconds\" must be greater than 0 (got 0)"));
}
