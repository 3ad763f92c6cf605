#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/routing/decision.h"
#include "core/routing/request.h"

namespace ilab::proxy {

// Chooses the endpoint for one upstream attempt: affinity cookie (semantics.md §14), upstream-hash-by (consistent
// hashing on a CRC-32 ring of 160 points per endpoint, as nginx's `hash ... consistent` and ingress-nginx's chash
// balancer), else round robin per upstream name; endpoints that failed recently are skipped (passive health like nginx
// max_fails=1 fail_timeout=10s) unless every endpoint failed. Thread: its worker's loop. Owner: ProxyWorker.
class LoadBalancer {
public:
    static constexpr std::int64_t FAIL_TIMEOUT_MS = 10000;

    struct Pick {
        const routing::Endpoint* endpoint = nullptr;
        std::string setCookie;  // Set-Cookie value when the affinity cookie must be (re)issued
    };
    Pick pick(const routing::Decision& decision, const std::vector<routing::Endpoint>& endpoints,
              const std::string& upstreamName, const routing::RequestView& request,
              const std::vector<std::string>& triedKeys, std::int64_t nowMs);
    void markFailed(const std::string& key, std::int64_t nowMs) { m_failedUntil[key] = nowMs + FAIL_TIMEOUT_MS; }
    void markSucceeded(const std::string& key) {
        if (!m_failedUntil.empty()) m_failedUntil.erase(key);
    }

    static std::string endpointKey(const routing::Endpoint& e);   // "127.0.0.1:8080", "[::1]:8080"
    static std::string endpointHash(const routing::Endpoint& e);  // 16 hex chars (affinity cookie)
    // nginx's ngx_http_cookie_time (what ngx.cookie_time writes for the affinity cookie's Expires):
    // "Thu, 18-Nov-10 11:27:35 GMT" (two-digit year up to 2037, four digits after).
    static std::string cookieTime(std::int64_t unixSeconds);
    // ingress-nginx util/same_site.lua same_site_none_compatible: false for the user agents known to reject
    // SameSite=None (Chrome 40-69, iOS 12, macOS 10.14 Safari); true when there is no User-Agent.
    static bool sameSiteNoneCompatible(const std::optional<std::string>& userAgent);
    // upstream-hash-by expression ($request_uri, $remote_addr, $http_x, $cookie_x, $arg_x, text) for a request.
    static std::string hashKey(const std::string& expression, const routing::RequestView& request);

    // Consistent-hash ring (public for tests).
    static constexpr int POINTS_PER_ENDPOINT = 160;
    struct RingPoint {
        std::uint32_t hash;
        std::uint32_t index;  // into Ring::endpoints
    };
    struct Ring {
        std::vector<routing::Endpoint> endpoints;
        std::vector<RingPoint> points;  // sorted by hash
    };
    static std::uint32_t crc32(std::string_view s);
    static Ring buildRing(const std::vector<routing::Endpoint>& endpoints);
    // Endpoint indexes in the order the ring offers them for `hash` (first = the key's endpoint).
    static std::vector<std::size_t> ringOrder(const Ring& ring, std::uint32_t hash);

private:
    bool usable(const std::string& key, std::int64_t nowMs) const;
    const Ring& ringFor(const std::string& upstreamName, const std::vector<routing::Endpoint>& endpoints);

    std::unordered_map<std::string, std::uint64_t> m_roundRobin;   // upstream name -> next index
    std::unordered_map<std::string, std::int64_t> m_failedUntil;   // endpoint key -> monotonic ms
    std::unordered_map<std::string, Ring> m_rings;                 // upstream name -> ring (upstream-hash-by)
};

}  // namespace ilab::proxy
