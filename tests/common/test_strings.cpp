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
        // A password with an unencoded '/', '?', '#' or '@' is masked to the last '@'.
        {"http://u:pa/ss@host/live", "http://u:***@host/live"},
        {"http://u:p?w#d@host:8000/live", "http://u:***@host:8000/live"},
        {"https://u:p@ss@host/", "https://u:***@host/"},
        {"http://host:8000/live@128k", "http://host:8000/live@128k"},
        {"http://host/a:b@c", "http://host/a:b@c"},
    };
    for (const auto& r : rows) {
        INFO(r.in);
        CHECK(mask_url_password(r.in) == r.out);
    }
}

TEST_CASE("outside text is quoted in messages without control characters", "[common]") {
    struct Row {
        std::string in;
        std::string out;
    };
    const Row rows[] = {
        {"plain text", "plain text"},
        {"a\rb\nc\td", "a\\rb\\nc\\td"},
        {std::string("nul\0x", 5), "nul\\x00x"},
        {"\x1b[31mred", "\\x1b[31mred"},
        {"back\\slash", "back\\\\slash"},
        {"caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac"}, // valid UTF-8 stays
        {"\xff\xfe\xc3", "\\xff\\xfe\\xc3"},                      // invalid UTF-8 does not
        {"\xc2\x9b", "\\xc2\\x9b"},                               // a C1 control (CSI)
        {"\xed\xa0\x80", "\\xed\\xa0\\x80"},                      // a UTF-16 surrogate
    };
    for (const auto& r : rows) {
        INFO(r.in);
        CHECK(printable(r.in) == r.out);
    }
    CHECK(printable(std::string(300, 'x'), 10) == std::string(10, 'x') + "\u2026");
    CHECK(printable("") == "");
}
