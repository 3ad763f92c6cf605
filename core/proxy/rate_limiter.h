#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/routing/decision.h"

namespace ilab::proxy {

// Whether `ip` (IPv4 or IPv6 literal) lies in any of `cidrs` ("10.0.0.0/8", "192.168.1.7", "::1/128").
// Unparsable entries match nothing.
bool ipInCidrs(const std::string& ip, const std::vector<std::string>& cidrs);

// ingress-nginx rate limits (semantics.md §11), shared by all workers (limits are per controller, not per
// worker): limit_req leaky buckets with nodelay and limit_conn counters, keyed by zone and client address.
// Leaky bucket exactly as ngx_http_limit_req_module: per key `excess` (milli-requests) decays at `rate`
// per ms; each request adds 1000; a request is rejected (state unchanged) when the new excess > burst*1000.
// A key's first request starts at excess 0, so a burst of K at once accepts min(K, 1 + burst).
// Thread: any (one mutex; only requests on rate-limited routes take it). Owner: ProxyServer.
class RateLimiter {
public:
    // `clockMs`: monotonic milliseconds (injected for tests).
    explicit RateLimiter(std::function<std::int64_t()> clockMs);

    enum class Verdict { Allowed, Rejected };
    // limit_req for `policy` (rps and rpm both apply when set); allowlisted clients always pass.
    Verdict checkRequest(const routing::RateLimitPolicy& policy, const std::string& clientIp);
    // limit_conn: takes a slot for a request in progress; Rejected when `connections` are already taken.
    // Every call that sets *slotTaken must be paired with releaseConnection().
    Verdict acquireConnection(const routing::RateLimitPolicy& policy, const std::string& clientIp,
                              bool* slotTaken);
    void releaseConnection(const std::string& zone, const std::string& clientIp);

    std::size_t trackedKeysForTest() const;

private:
    struct Bucket {
        std::int64_t excess = 0;  // milli-requests
        std::int64_t lastMs = 0;
    };
    bool takeFromBucket(const std::string& key, double ratePerSec, double burst, std::int64_t nowMs);
    void purge(std::int64_t nowMs);

    std::function<std::int64_t()> m_clock;
    mutable std::mutex m_mutex;  // guards m_buckets, m_connections
    std::unordered_map<std::string, Bucket> m_buckets;
    std::unordered_map<std::string, int> m_connections;
};

}  // namespace ilab::proxy
