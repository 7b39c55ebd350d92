#include "webserver/etag.hpp"
#include "webserver/http_error.hpp"
#include "webserver/origin_policy.hpp"
#include "webserver/request_parser.hpp"
#include "webserver/response.hpp"

#include <boost/beast/http/error.hpp>

#include <catch2/catch.hpp>

using namespace isr::web;
using boost::beast::error_code;

namespace {

struct Parsed {
    bool complete = false;
    int status = 0; // of the error answer, when not complete
    std::string message;
    Request request;
    std::size_t used = 0;
};

Parsed parse(const std::string& bytes) {
    RequestParser parser;
    error_code ec;
    Parsed out;
    out.used = feed(parser, bytes, ec);
    out.complete = !ec && parser.is_done();
    if (ec) {
        out.status = parser.error_status(ec);
        out.message = parser.error_message(ec);
    }
    out.request = parser.request();
    return out;
}

std::string chunked_with_trailer(std::size_t name_size, std::size_t value_size) {
    return "POST /api/files HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
           "3\r\nabc\r\n0\r\n" +
           std::string(name_size, 'X') + ": " + std::string(value_size, 'v') + "\r\n\r\n";
}

} // namespace

TEST_CASE("a request parses into the Request handlers see", "[web]") {
    const auto p = parse(
        "GET /stream/a%20b.wav?x=1 HTTP/1.1\r\nHost: localhost:8080\r\nRange: bytes=0-1\r\n\r\n");
    REQUIRE(p.complete);
    CHECK(p.request.method == Method::get);
    CHECK(p.request.target == "/stream/a%20b.wav?x=1");
    CHECK(p.request.version == 11);
    CHECK(p.request.keep_alive);
    CHECK(p.request.header("range") == "bytes=0-1");
    const auto body = parse("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
    REQUIRE(body.complete);
    CHECK(body.request.body == "hello");
    const auto chunked = parse("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
                               "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n");
    REQUIRE(chunked.complete);
    CHECK(chunked.request.body == "abcde");
    CHECK(chunked.request.header("T").empty()); // trailers are dropped
    const auto old = parse("GET / HTTP/1.0\r\n\r\n");
    REQUIRE(old.complete); // HTTP/1.0 needs no Host
    CHECK_FALSE(old.request.keep_alive);
}

TEST_CASE("huge trailer fields are refused with 431, never thrown", "[web]") {
    // Beast's own fields container throws std::length_error past 64 KiB: that used to end the
    // process. Small trailers pass; large ones get a 431 whatever their shape.
    CHECK(parse(chunked_with_trailer(10, 100)).complete);
    for (const auto& [name, value] : std::vector<std::pair<std::size_t, std::size_t>>{
             {65536, 1}, {1, 65536}, {70000, 70000}, {100, 5000}, {5000, 1}}) {
        INFO(name << " / " << value);
        const auto p = parse(chunked_with_trailer(name, value));
        CHECK_FALSE(p.complete);
        CHECK(p.status == 431);
    }
    // Header fields of any size are bounded by the header limit.
    const auto big =
        parse("GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(70000, 'a') + "\r\n\r\n");
    CHECK(big.status == 431);
}

TEST_CASE("transfer codings other than chunked are 501, not a second request", "[web]") {
    for (const char* te : {"gzip", "chunked, gzip", "gzip, chunked", "identity", "chunkedx", ""}) {
        INFO(te);
        const auto p = parse(std::string("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: ") +
                             te + "\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n");
        CHECK_FALSE(p.complete);
        CHECK(p.status == 501);
        CHECK_THAT(p.message, Catch::Contains("Transfer-Encoding"));
    }
    // Both framings at once: refused (RFC 9112 6.3), so no two readers can disagree.
    CHECK(parse("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: "
                "chunked\r\n\r\nabc")
              .status == 400);
}

TEST_CASE("Host: exactly one in HTTP/1.1", "[web]") {
    const auto none = parse("GET / HTTP/1.1\r\n\r\n");
    CHECK(none.status == 400);
    CHECK_THAT(none.message, Catch::Contains("Host"));
    const auto two = parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    CHECK(two.status == 400);
    CHECK_THAT(two.message, Catch::Contains("more than one Host"));
}

TEST_CASE("bodies and partial requests", "[web]") {
    CHECK(parse("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999\r\n\r\n").status == 413);
    CHECK(parse("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n")
              .status == 413);
    CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\n").status == 400); // cut off
    CHECK(parse("NOT HTTP AT ALL\r\n\r\n").status == 400);
}

TEST_CASE("If-None-Match lists match any entry, weakly", "[web]") {
    const std::string tag = "\"abc-1\"";
    CHECK(none_match_hits("\"abc-1\"", tag));
    CHECK(none_match_hits("\"x\", \"abc-1\"", tag));
    CHECK(none_match_hits("W/\"abc-1\"", tag));
    CHECK(none_match_hits("\"x\",W/\"abc-1\" , \"y\"", tag));
    CHECK(none_match_hits("*", tag));
    CHECK_FALSE(none_match_hits("", tag));
    CHECK_FALSE(none_match_hits("\"abc\"", tag));
    CHECK_FALSE(none_match_hits("\"x, \\\"abc-1\\\"\"", tag));
}

TEST_CASE("Content-Disposition survives any file name", "[web]") {
    CHECK(content_disposition(true, "a.wav") ==
          "attachment; filename=\"a.wav\"; filename*=UTF-8''a.wav");
    CHECK(content_disposition(false, "q\"u\\o.mp3") ==
          "inline; filename=\"q_u_o.mp3\"; filename*=UTF-8''q%22u%5Co.mp3");
    CHECK(content_disposition(true, "Gärten 1.flac") ==
          "attachment; filename=\"G__rten 1.flac\"; filename*=UTF-8''G%C3%A4rten%201.flac");
    CHECK(content_disposition(true, "a\r\nSet-Cookie: x.wav").find('\r') == std::string::npos);
}

TEST_CASE("the Host rule for requests that change state", "[web]") {
    CHECK(OriginPolicy::host_of("localhost:8080") == "localhost");
    CHECK(OriginPolicy::host_of("[::1]:8080") == "::1");
    CHECK(OriginPolicy::host_of("EXAMPLE.org.") == "example.org");
    CHECK(OriginPolicy::host_of("a:b:c").empty());
    CHECK(OriginPolicy::host_of("[::1").empty());
    CHECK(OriginPolicy::host_of("user@host").empty());
    CHECK(OriginPolicy::host_of("").empty());

    const OriginPolicy policy("0.0.0.0", {"recorder.lan"});
    const auto request = [](std::string host, std::string origin = {}) {
        Request q;
        q.method = Method::delete_;
        q.headers.emplace_back("Host", std::move(host));
        if (!origin.empty())
            q.headers.emplace_back("Origin", std::move(origin));
        return q;
    };
    const auto refused = [&](const Request& q) {
        try {
            policy.check(q);
            return std::string();
        } catch (const HttpError& e) {
            CHECK(e.status() == 403);
            return std::string(e.what());
        }
    };
    CHECK(refused(request("localhost:8080")).empty());
    CHECK(refused(request("127.0.0.1:9")).empty());
    CHECK(refused(request("[::1]:8080", "http://[::1]:8080")).empty());
    CHECK(refused(request("recorder.lan", "http://recorder.lan")).empty());
    CHECK(refused(request("Recorder.LAN:8080")).empty());
    // DNS rebinding: the attacker's name in both Host and Origin.
    CHECK_THAT(refused(request("evil.example:8080", "http://evil.example:8080")),
               Catch::Contains("--allowed-host evil.example"));
    CHECK_THAT(refused(request("localhost:8080", "http://evil.example")),
               Catch::Contains("cross-origin"));
    CHECK_THAT(refused(request("localhost:8080", "null")), Catch::Contains("cross-origin"));
    CHECK_FALSE(refused(request("")).empty());
    Request site = request("localhost");
    site.headers.emplace_back("Sec-Fetch-Site", "cross-site");
    CHECK_THAT(refused(site), Catch::Contains("cross-site"));
}
