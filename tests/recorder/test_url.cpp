// Url: parsing what users configure and servers redirect to, and where credentials may go.
#include "recorder/stream/url.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace isr::rec;

TEST_CASE("URLs are split for a request", "[recorder]") {
    struct Row {
        const char* in;
        const char* scheme;
        const char* userinfo;
        const char* host;
        const char* port;
        const char* target;
        const char* shown; // to_string(): no userinfo
    };
    const Row rows[] = {
        {"http://example.com/live", "http", "", "example.com", "80", "/live",
         "http://example.com/live"},
        {"HTTPS://Radio.Example.COM:8443/a?b=c#frag", "https", "", "radio.example.com", "8443",
         "/a?b=c", "https://radio.example.com:8443/a?b=c"},
        {"http://u:p%40ss@host:8000", "http", "u:p@ss", "host", "8000", "/", "http://host:8000/"},
        {"http://host?x=1", "http", "", "host", "80", "/?x=1", "http://host/?x=1"},
        {"http://[::1]:8000/s", "http", "", "::1", "8000", "/s", "http://[::1]:8000/s"},
        {"https://[2001:DB8::1]/s", "https", "", "2001:db8::1", "443", "/s",
         "https://[2001:db8::1]/s"},
        {"http://host:/x", "http", "", "host", "80", "/x", "http://host/x"}, // empty port: default
        {"http://host:0080/x", "http", "", "host", "80", "/x", "http://host/x"}, // leading zeros
        {"https://host:443/x", "https", "", "host", "443", "/x", "https://host/x"},
        {"http://host:65535/x", "http", "", "host", "65535", "/x", "http://host:65535/x"},
    };
    for (const auto& r : rows) {
        INFO(r.in);
        const auto url = Url::parse(r.in);
        REQUIRE(url);
        CHECK(url->scheme == r.scheme);
        CHECK(url->userinfo == r.userinfo);
        CHECK(url->host == r.host);
        CHECK(url->port == r.port);
        CHECK(url->target == r.target);
        CHECK(url->to_string() == r.shown);
    }
    CHECK(Url::parse("http://host:8000/")->port_number() == 8000);
    CHECK(Url::parse("https://host/")->origin() == "https://host:443");
}

TEST_CASE("unusable URLs are refused, ports outside 1-65535 included", "[recorder]") {
    const char* rows[] = {
        "ftp://host/x",
        "http:/host/x",
        "http:///x",
        "http://user@/x",
        "http://host:83706/x",       // would wrap to 18170 in 16 bits
        "http://host:99999999999/x", // would overflow stoi
        "http://host:0/x",
        "http://host:-1/x",
        "http://host:80a/x",
        "http://[::1/x",
        "http://[::1]x/",
        "http://host/a b",
        "http://host/a\rGET /evil",
        "http://host/a\nb",
        "http://ho\tst/",
        "http://host/\x7f",
        "",
    };
    for (const char* text : rows) {
        INFO(text);
        CHECK_FALSE(Url::parse(text));
    }
}

TEST_CASE("Location headers resolve against the URL they came from, without credentials",
          "[recorder]") {
    const auto base = *Url::parse("http://user:pw@radio.example:8000/mounts/live.mp3?x=1");
    struct Row {
        const char* location;
        const char* expected; // empty: unusable
    };
    const Row rows[] = {
        {"http://other.example/s", "http://other.example/s"},
        {"HTTPS://other.example:8443/s", "https://other.example:8443/s"},
        {"//cdn.example/s", "http://cdn.example/s"},
        {"/new", "http://radio.example:8000/new"},
        {"next.mp3", "http://radio.example:8000/mounts/next.mp3"},
        {"?y=2", "http://radio.example:8000/mounts/live.mp3?y=2"},
        {"/a?u=http://evil/", "http://radio.example:8000/a?u=http://evil/"}, // "://" in a query
        {"next.mp3#part", "http://radio.example:8000/mounts/next.mp3"},
        {"  /spaced  ", "http://radio.example:8000/spaced"},
        {"ftp://files.example/x", ""},
        {"/a b", ""},
        {"/a\rb", ""},
        {"http://host:70000/", ""},
    };
    for (const auto& r : rows) {
        INFO(r.location);
        const auto next = base.resolve(r.location);
        if (std::string(r.expected).empty()) {
            CHECK_FALSE(next);
            continue;
        }
        REQUIRE(next);
        CHECK(next->to_string() == r.expected);
        CHECK(next->userinfo.empty());
    }
    CHECK(base.resolve("http://u2:p2@elsewhere/")->userinfo.empty());
}

TEST_CASE("credentials belong to one scheme, host and port", "[recorder]") {
    const auto http = *Url::parse("http://Radio.example/live");
    const auto https = *Url::parse("https://radio.example/live");
    struct Row {
        const Url& configured;
        const char* target;
        bool same;
    };
    const Row rows[] = {
        {http, "http://radio.example/other", true},
        {http, "http://RADIO.EXAMPLE:80/other", true},   // explicit default port, host case
        {http, "http://radio.example:8000/live", false}, // another port
        {http, "http://relay.example/live", false},      // another host
        {http, "https://radio.example/live", false},     // another scheme (and port)
        {http, "https://radio.example:80/live", false},  // another scheme, same port
        {https, "https://radio.example:443/x", true},
        {https, "https://radio.example:8443/x", false},
        {https, "http://radio.example:443/x", false}, // a downgrade
        {https, "http://radio.example/x", false},
    };
    for (const auto& r : rows) {
        INFO(r.configured.to_string() << " -> " << r.target);
        CHECK(same_origin(r.configured, *Url::parse(r.target)) == r.same);
    }
}
