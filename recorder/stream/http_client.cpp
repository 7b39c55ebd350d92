#include "recorder/stream/http_client.hpp"

#include "common/strings.hpp"
#include "recorder/source.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

#include <sys/ioctl.h>
#include <sys/socket.h>

namespace isr::rec {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using beast::error_code;

namespace {

constexpr std::size_t kMaxHeadBytes = 16384;

std::string base64(std::string_view in) {
    std::string out(beast::detail::base64::encoded_size(in.size()), '\0');
    out.resize(beast::detail::base64::encode(out.data(), in.data(), in.size()));
    return out;
}

std::chrono::steady_clock::duration seconds(double s) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}

// What a user should check for an HTTP status.
std::string advice(int status) {
    switch (status) {
    case 400: return "the server rejected the request; check the URL";
    case 401: return "authentication required or refused; check username and password";
    case 403: return "access forbidden; the server refuses this client or address (check its access rules)";
    case 404: return "no such stream; check the mount point / path in url (it may be off the air)";
    case 407: return "a proxy wants authentication";
    case 429: return "too many requests; the server rate-limits this client";
    case 500: return "the streaming server failed";
    case 502:
    case 504: return "a proxy in front of the stream could not reach it";
    case 503: return "the stream is unavailable (source not connected, or listener limit reached)";
    default: return status >= 500 ? "the server reported an error" : "unexpected answer";
    }
}

} // namespace

struct HttpStream::Impl {
    HttpOptions options;
    net::io_context ioc{1};
    std::optional<ssl::context> tls; // only for https: an OpenSSL context costs memory
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    std::optional<http::response_parser<http::buffer_body>> parser;
    beast::flat_buffer raw; // received, not yet given to the parser
    Url url;
    std::string credentials; // "user:password" for Basic auth, or empty
    std::string auth_host;   // credentials go to the configured host only, not across redirects
    bool body_ended = false;
    net::steady_timer read_deadline{ioc};
    std::uint64_t read_generation = 0; // a deadline that fired for an earlier read is ignored
    bool read_timed_out = false;
    int low_water_mark = 1;

    explicit Impl(HttpOptions o) : options(std::move(o)) {}

    ssl::context& tls_context() {
        if (!tls) {
            tls.emplace(ssl::context::tls_client);
            tls->set_default_verify_paths();
            tls->set_verify_mode(options.tls_verify ? ssl::verify_peer : ssl::verify_none);
        }
        return *tls;
    }

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

    [[noreturn]] void fail(const std::string& what) const {
        throw SourceError(cat(url.to_string(), ": ", what));
    }

    // Runs the io_context until `done`. A stop request, from another thread, cancels what is
    // pending through the io_context, so the thread sleeps until there is something to do
    // instead of waking up to look at the stop token.
    template <class Done> void run_until(Done done, std::stop_token stop, std::function<void()> cancel = {}) {
        ioc.restart();
        std::stop_callback on_stop(stop, [this, cancel] {
            net::post(ioc, [this, cancel] {
                error_code ignored;
                if (plain || secure) lowest().socket().cancel(ignored);
                if (cancel) cancel();
            });
        });
        while (!done() && !stop.stop_requested()) {
            if (ioc.run_one() == 0) break;
        }
        if (stop.stop_requested()) ioc.poll(); // let the cancelled operation complete
    }

    // Numeric addresses need no lookup (and no resolver thread, which Asio keeps per
    // io_context for as long as the stream lives).
    std::vector<tcp::endpoint> resolve(std::stop_token stop) {
        error_code ec;
        const auto port = static_cast<unsigned short>(std::stoi(url.port));
        if (const auto address = net::ip::make_address(url.host, ec); !ec) return {tcp::endpoint(address, port)};
        tcp::resolver resolver(ioc);
        net::steady_timer deadline(ioc);
        std::optional<error_code> result;
        bool timed_out = false;
        std::vector<tcp::endpoint> endpoints;
        resolver.async_resolve(url.host, url.port, [&](error_code e, tcp::resolver::results_type r) {
            result = e;
            for (const auto& entry : r) endpoints.push_back(entry.endpoint());
            deadline.cancel();
        });
        deadline.expires_after(seconds(options.connect_timeout_seconds));
        deadline.async_wait([&](error_code e) {
            if (!e) {
                timed_out = true;
                resolver.cancel();
            }
        });
        run_until([&] { return result.has_value(); }, stop, [&] { resolver.cancel(); });
        if (stop.stop_requested()) return {};
        if (timed_out) {
            fail(cat("DNS lookup of ", url.host, " timed out after ", options.connect_timeout_seconds, " s; check the network and DNS"));
        }
        if (*result) fail(cat("cannot resolve host ", url.host, ": ", result->message(), "; check the host name and DNS"));
        return endpoints;
    }

    void connect(std::stop_token stop) {
        plain.reset();
        secure.reset();
        low_water_mark = 1; // a new socket starts with the default
        const auto endpoints = resolve(stop);
        if (stop.stop_requested()) return;
        std::optional<error_code> result;

        if (url.tls()) {
            secure.emplace(ioc, tls_context());
        } else {
            plain.emplace(ioc);
        }
        auto& tcp_layer = lowest();
        tcp_layer.expires_after(seconds(options.connect_timeout_seconds));
        result.reset();
        tcp_layer.async_connect(endpoints, [&](error_code ec, const tcp::endpoint&) { result = ec; });
        run_until([&] { return result.has_value(); }, stop);
        if (stop.stop_requested()) return;
        if (*result == beast::error::timeout) {
            fail(cat("connecting to ", url.host, ':', url.port, " timed out after ",
                     options.connect_timeout_seconds, " s; is the server up and the port open?"));
        }
        if (*result) {
            fail(cat("cannot connect to ", url.host, ':', url.port, ": ", result->message(),
                     "; is the server running and the port right?"));
        }
        if (secure) {
            // SNI; SSL_set_tlsext_host_name is a macro with an old-style cast.
            if (!SSL_ctrl(secure->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                          const_cast<char*>(url.host.c_str()))) {
                fail("cannot set the TLS server name");
            }
            if (options.tls_verify) secure->set_verify_callback(ssl::host_name_verification(url.host));
            tcp_layer.expires_after(seconds(options.connect_timeout_seconds));
            result.reset();
            secure->async_handshake(ssl::stream_base::client, [&](error_code ec) { result = ec; });
            run_until([&] { return result.has_value(); }, stop);
            if (stop.stop_requested()) return;
            if (*result == beast::error::timeout) {
                fail(cat("TLS handshake timed out after ", options.connect_timeout_seconds, " s"));
            }
            if (*result) {
                fail(cat("TLS handshake failed: ", result->message(),
                         options.tls_verify ? "; if the server uses a self-signed certificate, set tls_verify = no" : ""));
            }
        }
    }

    void send_request(std::stop_token stop) {
        http::request<http::empty_body> req{http::verb::get, url.target, 11};
        req.set(http::field::host, url.host_header());
        req.set(http::field::user_agent, options.user_agent);
        req.set(http::field::accept, "*/*");
        req.set(http::field::connection, "close");
        if (!credentials.empty() && url.host == auth_host) {
            req.set(http::field::authorization, "Basic " + base64(credentials));
        }
        lowest().expires_after(seconds(options.connect_timeout_seconds));
        std::optional<error_code> result;
        if (secure) {
            http::async_write(*secure, req, [&](error_code ec, std::size_t) { result = ec; });
        } else {
            http::async_write(*plain, req, [&](error_code ec, std::size_t) { result = ec; });
        }
        run_until([&] { return result.has_value(); }, stop);
        if (!stop.stop_requested() && *result) fail(cat("cannot send the request: ", result->message()));
    }

    // Reads more bytes into `raw`. Returns false at end of stream.
    // The deadline is a timer of our own that cancels the read, rather than the stream's expiry,
    // which would close the socket: when it fires with bytes waiting under the low-water mark
    // (a stream slower than expected, or the last bytes before the server went quiet), those
    // bytes are still read and recorded, and only a wait with nothing at all is a stall.
    bool receive(double timeout, std::stop_token stop, const char* waiting_for) {
        lowest().expires_never();
        const auto generation = ++read_generation;
        read_timed_out = false;
        read_deadline.expires_after(seconds(timeout));
        read_deadline.async_wait([this, generation](error_code ec) {
            if (ec || generation != read_generation) return;
            read_timed_out = true;
            error_code ignored;
            lowest().socket().cancel(ignored);
        });
        std::optional<error_code> result;
        const auto buffer = raw.prepare(16384);
        std::size_t got = 0;
        const auto done = [&](error_code ec, std::size_t n) {
            result = ec;
            got = n;
        };
        if (secure) secure->async_read_some(buffer, done);
        else plain->async_read_some(buffer, done);
        run_until([&] { return result.has_value(); }, stop);
        read_deadline.cancel();
        if (stop.stop_requested()) return false;
        raw.commit(got);
        if (*result == net::error::eof || *result == ssl::error::stream_truncated) return got > 0;
        if (read_timed_out && got == 0) {
            if (low_water_mark > 1 && bytes_waiting() > 0) {
                wake_for(1);
                return receive(timeout, stop, waiting_for);
            }
            fail(cat("no ", waiting_for, " for ", timeout, " s (stalled); reconnecting"));
        }
        if (*result) fail(cat("connection lost: ", result->message()));
        return true;
    }

    void wake_for(int bytes) {
        if (!plain && !secure) return;
        auto& socket = lowest().socket();
        if (socket.is_open() && ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof bytes) == 0) {
            low_water_mark = bytes;
        }
    }

    int bytes_waiting() {
        int n = 0;
        return ::ioctl(lowest().socket().native_handle(), FIONREAD, &n) == 0 ? n : 0;
    }

    // Reads the response head, normalising SHOUTcast's "ICY 200 OK" and bare-LF line ends so
    // Beast's strict parser accepts them.
    void read_head(std::stop_token stop) {
        raw.clear();
        std::string head;
        std::size_t end = std::string::npos;
        while (end == std::string::npos) {
            if (!receive(options.connect_timeout_seconds, stop, "response from the server")) {
                if (stop.stop_requested()) return;
                fail("the server closed the connection without answering");
            }
            head.assign(static_cast<const char*>(raw.cdata().data()), raw.size());
            end = head.find("\r\n\r\n");
            if (end != std::string::npos) end += 4;
            else if (const auto lf = head.find("\n\n"); lf != std::string::npos) end = lf + 2;
            if (end == std::string::npos && head.size() > kMaxHeadBytes) {
                fail("the response head is larger than 16 KiB; this is not a stream server");
            }
        }
        head.resize(end);
        raw.consume(end);
        if (head.rfind("ICY ", 0) == 0) head.replace(0, 3, "HTTP/1.0");
        std::string normalised;
        for (std::size_t i = 0; i < head.size(); ++i) {
            if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r')) normalised += '\r';
            normalised += head[i];
        }
        parser.emplace();
        parser->header_limit(static_cast<std::uint32_t>(kMaxHeadBytes));
        parser->body_limit(boost::none);
        parser->eager(true);
        error_code ec;
        parser->put(net::buffer(normalised), ec);
        if (ec || !parser->is_header_done()) {
            fail(cat("the server's answer is not HTTP (", ec ? ec.message() : "incomplete head",
                     "): it starts with '", head.substr(0, std::min<std::size_t>(40, head.find('\r'))), "'"));
        }
        body_ended = false;
    }

    std::size_t read_body(std::span<std::uint8_t> out, std::stop_token stop, double stall) {
        while (!stop.stop_requested()) {
            if (body_ended) return 0;
            if (raw.size() > 0 || parser->is_done()) {
                auto& body = parser->get().body();
                body.data = out.data();
                body.size = out.size();
                error_code ec;
                std::size_t used = 0;
                if (raw.size() > 0) used = parser->put(raw.data(), ec);
                raw.consume(used);
                if (ec == http::error::need_buffer) ec = {};
                if (ec && ec != http::error::need_more) fail(cat("malformed response body: ", ec.message()));
                const auto produced = out.size() - body.size;
                if (produced > 0) return produced;
                if (parser->is_done()) {
                    body_ended = true;
                    return 0;
                }
                if (used > 0) continue; // e.g. a chunk header was consumed
            }
            if (!receive(stall, stop, "audio data")) {
                if (stop.stop_requested()) return 0;
                error_code ec;
                parser->put_eof(ec);
                auto& body = parser->get().body();
                body.data = nullptr;
                body.size = 0;
                body_ended = true;
                if (ec && ec != http::error::partial_message) fail(cat("connection closed mid-body: ", ec.message()));
                return 0;
            }
        }
        return 0;
    }
};

void HttpStream::wake_for(int bytes) { impl_->wake_for(bytes); }

HttpStream::HttpStream(HttpOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpStream::~HttpStream() = default;

void HttpStream::open(const std::string& url_text, std::stop_token stop) {
    auto& d = *impl_;
    const auto url = Url::parse(url_text);
    if (!url) throw SourceError(cat(mask_url_password(url_text), ": not an http:// or https:// URL"));
    d.url = *url;
    d.auth_host = url->host;
    if (!d.options.username.empty() || !d.options.password.empty()) {
        d.credentials = d.options.username + ":" + d.options.password;
    } else if (!url->userinfo.empty()) {
        d.credentials = url->userinfo.find(':') == std::string::npos ? url->userinfo + ":" : url->userinfo;
    }
    for (int hop = 0;; ++hop) {
        d.connect(stop);
        if (stop.stop_requested()) return;
        d.send_request(stop);
        if (stop.stop_requested()) return;
        d.read_head(stop);
        if (stop.stop_requested()) return;
        const int code = static_cast<int>(d.parser->get().result_int());
        if (code >= 200 && code < 300) return;
        if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
            const auto location = std::string(d.parser->get()[http::field::location]);
            if (location.empty()) d.fail(cat("HTTP ", code, " redirect without a Location header"));
            if (hop + 1 > d.options.max_redirects) {
                d.fail(cat("more than ", d.options.max_redirects, " redirects (a loop?); last Location: ", location));
            }
            auto next = d.url.resolve(location);
            if (!next) d.fail(cat("HTTP ", code, " redirect to an unusable Location: ", location));
            d.url = *next;
            continue;
        }
        d.fail(cat("HTTP ", code, ' ', std::string(d.parser->get().reason()), ": ", advice(code)));
    }
}

std::size_t HttpStream::read_some(std::span<std::uint8_t> out, std::stop_token stop) {
    return impl_->read_body(out, stop, impl_->options.stall_timeout_seconds);
}

int HttpStream::status() const noexcept {
    return impl_->parser ? static_cast<int>(impl_->parser->get().result_int()) : 0;
}

std::string HttpStream::header(std::string_view name) const {
    if (!impl_->parser) return {};
    const auto& msg = impl_->parser->get();
    const auto it = msg.find(beast::string_view(name.data(), name.size()));
    return it == msg.end() ? std::string() : std::string(it->value());
}

const Url& HttpStream::url() const noexcept { return impl_->url; }
std::string HttpStream::describe() const { return impl_->url.to_string(); }

} // namespace isr::rec
