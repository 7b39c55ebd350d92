// Inputs the fuzz targets (tests/fuzz) found to break something, kept as they were found.
#include "webserver/request_parser.hpp"

#include <boost/beast/http/error.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <future>

using namespace isr::web;

TEST_CASE("fuzz_http_request: a chunk cut short ends the input instead of spinning",
          "[web][fuzz]") {
    // feed() looped for ever when Beast took no byte, set no error and was not done: a chunk
    // announcing 12 bytes followed by the end of the input.
    const std::string input =
        "POST /=api/files HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunkeD\r\n\r\n"
        "3\r\nabc\r\n0c\r\nX-T: 1\r\n\r\n";
    auto done = std::async(std::launch::async, [&] {
        RequestParser parser;
        boost::beast::error_code ec;
        feed(parser, input, ec);
        return parser.error_status(ec);
    });
    REQUIRE(done.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
    CHECK(done.get() == 400);
}
