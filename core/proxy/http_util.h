#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ilab::proxy {

// Small HTTP helpers shared by the proxy's connection classes. Pure functions, any thread.

const char* statusText(int status);  // "Bad Gateway"; "" for unknown codes
// nginx's built-in error page for `status` ("<html>\r\n<head><title>502 Bad Gateway</title></head>...").
std::string errorPage(int status);
bool iequals(std::string_view a, std::string_view b);
// Whether a comma-separated header value contains `token` (case-insensitive), e.g. Connection: keep-alive, Upgrade.
bool headerHasToken(std::string_view value, std::string_view token);
// Hop-by-hop headers never forwarded (RFC 9110 §7.6.1) plus Proxy-Connection.
bool isHopByHop(std::string_view name);
// nginx's request checks (nginx 1.27.1, the version ingress-nginx ships), applied before any routing:
// - validHost: ngx_http_validate_host. Rejects "..", '/', '\\', bytes <= 0x20 and 0x7f, and a host that is empty once
//   the port and one trailing dot are dropped ("", ":80", "."). Upper case and a port are fine.
bool validHost(std::string_view host);
// - validRequestPath: ngx_http_parse_complex_uri on the path part of `target` (before '?'): a broken %-escape,
//   an escape decoding to NUL (%00), or a ".." (also written %2e%2e) climbing above the root is rejected.
bool validRequestPath(std::string_view target);
// - splitAbsoluteForm: "scheme://authority/path?query" (RFC 9112 §3.2.2) -> authority and origin-form ("/" when
//   the path is empty). False when `target` is not absolute-form (origin-form "/x", "*", authority-form).
//   `authority` is empty when it carries userinfo ("user@host"), which nginx does not accept either.
bool splitAbsoluteForm(std::string_view target, std::string_view* authority, std::string* originForm);
// - validHeaderName: ngx_http_parse_header_line with underscores_in_headers off. Invalid = a byte <= 0x20 or 0x7f
//   (nginx answers 400); Ignored = any other byte besides letters, digits and '-' (ignore_invalid_headers on:
//   the header is dropped).
enum class HeaderNameCheck { Valid, Ignored, Invalid };
HeaderNameCheck checkHeaderName(std::string_view name);
// RFC 9110 IMF-fixdate for `unixSeconds`.
std::string httpDate(std::int64_t unixSeconds);
// Idempotent for retries the way nginx's proxy_next_upstream sees it: everything except POST, LOCK, PATCH.
bool isIdempotentMethod(std::string_view method);
void appendHex(std::string& out, std::uint64_t value);  // lower-case, no leading zeros
void appendDecimal(std::string& out, std::uint64_t value);
std::string hex32(std::uint64_t a, std::uint64_t b);    // 32 hex chars (X-Request-ID)

// splitmix64: per-worker pseudo random numbers (request ids, routing random values). Not for secrets.
class FastRandom {
public:
    explicit FastRandom(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

private:
    std::uint64_t m_state;
};

}  // namespace ilab::proxy
