// The stream client's response-head normaliser: what lax stream servers send, made strict.
#include "recorder/stream/response_head.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace isr::rec;
using Status = ResponseHead::Status;

TEST_CASE("response heads of real and lax servers are normalised", "[recorder]") {
    struct Row {
        std::string in;
        int code;
        std::string head;
        std::size_t size; // where the body starts
        int interim;
    };
    const std::string body = "\xff\xfb\x90\x00";
    const Row rows[] = {
        {"HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n\r\n" + body, 200,
         "HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n\r\n", 45, 0},
        // SHOUTcast v1, with bare LF line ends.
        {"ICY 200 OK\nicy-metaint:8192\n\n" + body, 200,
         "HTTP/1.0 200 OK\r\nicy-metaint:8192\r\n\r\n", 29, 0},
        // Mixed line ends; a status line without a reason phrase.
        {"HTTP/1.1 200\r\nA: b\n\r\n", 200, "HTTP/1.1 200 \r\nA: b\r\n\r\n", 21, 0},
        // Interim responses before the final one are skipped.
        {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX: y\r\n\r\n" + body, 200,
         "HTTP/1.1 200 OK\r\nX: y\r\n\r\n", 50, 1},
        {"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 100 Continue\n\nHTTP/1.1 302 "
         "Found\r\nLocation: /b\r\n\r\n",
         302, "HTTP/1.1 302 Found\r\nLocation: /b\r\n\r\n", 99, 2},
        // 101 is final: isrd never asks to switch protocols.
        {"HTTP/1.1 101 Switching Protocols\r\n\r\n", 101,
         "HTTP/1.1 101 Switching Protocols\r\n\r\n", 36, 0},
        {"HTTP/1.1 204 No Content\r\n\r\n", 204, "HTTP/1.1 204 No Content\r\n\r\n", 27, 0},
    };
    for (const auto& r : rows) {
        INFO(r.in);
        const auto h = parse_response_head(r.in);
        REQUIRE(h.status == Status::complete);
        CHECK(h.status_code == r.code);
        CHECK(h.head == r.head);
        CHECK(h.size == r.size);
        CHECK(h.interim == r.interim);
    }
}

TEST_CASE("a head is incomplete until its empty line, whatever the split", "[recorder]") {
    const std::string whole = "HTTP/1.1 100 Continue\r\n\r\nICY 200 OK\r\nicy-name: x\r\n\r\nBODY";
    for (std::size_t n = 0; n < whole.size() - 4; ++n) {
        INFO(n);
        CHECK(parse_response_head(whole.substr(0, n)).status == Status::incomplete);
    }
    const auto h = parse_response_head(whole);
    REQUIRE(h.status == Status::complete);
    CHECK(whole.substr(h.size) == "BODY");
}

TEST_CASE("what cannot be an HTTP response is refused early, with a reason", "[recorder]") {
    struct Row {
        std::string in;
        std::string problem;
    };
    const Row rows[] = {
        {"SSH-2.0-OpenSSH_9.2", "does not start with a status line"},
        {"<html>", "does not start with a status line"},
        {"HTTP", ""}, // could still become one
        {"ICY", ""},
        {"HTTP/1.1 2000 OK\r\n\r\n", "no three-digit status code"},
        {"HTTP/1.1 OK\r\n\r\n", "no three-digit status code"},
        {"HTTP/1.1200 OK\r\n\r\n", "not 'HTTP/1.x NNN reason'"},
        {"HTTP/x.y 200 OK\r\n\r\n", "not 'HTTP/1.x NNN reason'"},
        {std::string("HTTP/1.1 200 OK\r\nA: \0b\r\n\r\n", 26), "NUL byte"},
        {"HTTP/1.1 100 Continue\r\n\r\n<html>", "does not start with a status line"},
    };
    for (const auto& r : rows) {
        INFO(r.in);
        const auto h = parse_response_head(r.in);
        if (r.problem.empty()) {
            CHECK(h.status == Status::incomplete);
        } else {
            CHECK(h.status == Status::invalid);
            CHECK_THAT(h.problem, Catch::Contains(r.problem));
        }
    }
}

TEST_CASE("head size and interim responses are bounded", "[recorder]") {
    const std::string big = "HTTP/1.1 200 OK\r\nX: " + std::string(20000, 'a');
    auto h = parse_response_head(big);
    CHECK(h.status == Status::invalid);
    CHECK_THAT(h.problem, Catch::Contains("larger than 16 KiB"));
    // Exactly at the limit is still fine.
    const std::string at_limit =
        "HTTP/1.1 200 OK\r\nX: " + std::string(100 - 20 - 4, 'a') + "\r\n\r\n";
    REQUIRE(at_limit.size() == 100);
    CHECK(parse_response_head(at_limit, 100).status == Status::complete);
    CHECK(parse_response_head(at_limit + "more", 99).status == Status::invalid);

    std::string many;
    for (int i = 0; i <= kMaxInterimResponses; ++i)
        many += "HTTP/1.1 100 Continue\r\n\r\n";
    h = parse_response_head(many + "HTTP/1.1 200 OK\r\n\r\n");
    CHECK(h.status == Status::invalid);
    CHECK_THAT(h.problem, Catch::Contains("interim"));
}
