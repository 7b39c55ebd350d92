#include "common/strings.hpp"

#include <catch2/catch.hpp>

using namespace isr;

TEST_CASE("string helpers", "[common]") {
    CHECK(trim("  a b \t\r\n") == "a b");
    CHECK(trim("") == "");
    CHECK(to_lower("MiXeD") == "mixed");
    CHECK(iequals("Content-Type", "content-type"));
    CHECK_FALSE(iequals("abc", "abcd"));
    CHECK(icontains("USB Audio Device", "audio"));
    CHECK_FALSE(icontains("HDA Intel", "usb"));
    CHECK(split("a,b,,c", ',') == std::vector<std::string>{"a", "b", "", "c"});
    CHECK(join({"x", "y"}, ", ") == "x, y");
    CHECK(cat("n=", 3, ' ', 1.5) == "n=3 1.5");
    CHECK(fixed(-18.456, 1) == "-18.5");
    CHECK(human_bytes(512) == "512 B");
    CHECK(human_bytes(1536) == "1.5 KiB");
}

TEST_CASE("passwords in URLs are masked for logs", "[common]") {
    struct Row {
        const char* in;
        const char* out;
    };
    const Row rows[] = {
        {"http://user:pw@host:8000/live", "http://user:***@host:8000/live"},
        {"https://user@host/live", "https://user@host/live"},
        {"http://host/live?a=b@c", "http://host/live?a=b@c"},
        {"http://u:p:q@host/", "http://u:***@host/"},
        {"not a url", "not a url"},
    };
    for (const auto& r : rows) CHECK(mask_url_password(r.in) == r.out);
}
