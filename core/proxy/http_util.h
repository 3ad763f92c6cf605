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
