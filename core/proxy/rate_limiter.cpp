#include "core/proxy/rate_limiter.h"

#include <arpa/inet.h>

#include <cstring>

namespace ilab::proxy {

namespace {

struct ParsedIp {
    int family = 0;
    unsigned char bytes[16] = {};
};

bool parseIp(const std::string& text, ParsedIp& out) {
    if (inet_pton(AF_INET, text.c_str(), out.bytes) == 1) {
        out.family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, text.c_str(), out.bytes) == 1) {
        out.family = AF_INET6;
        // ::ffff:a.b.c.d compares as IPv4
        static const unsigned char MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::memcmp(out.bytes, MAPPED, 12) == 0) {
            std::memmove(out.bytes, out.bytes + 12, 4);
            out.family = AF_INET;
        }
        return true;
    }
    return false;
}

bool inCidr(const ParsedIp& ip, std::string cidr) {
    while (!cidr.empty() && cidr.front() == ' ') cidr.erase(cidr.begin());
    while (!cidr.empty() && cidr.back() == ' ') cidr.pop_back();
    int prefix = -1;
    if (auto slash = cidr.find('/'); slash != std::string::npos) {
        try {
            prefix = std::stoi(cidr.substr(slash + 1));
        } catch (...) {
            return false;
        }
        cidr.resize(slash);
    }
    ParsedIp net;
    if (!parseIp(cidr, net) || net.family != ip.family) return false;
    int bits = ip.family == AF_INET ? 32 : 128;
    if (prefix < 0) prefix = bits;
    if (prefix > bits) return false;
    for (int i = 0; i < prefix / 8; ++i)
        if (ip.bytes[i] != net.bytes[i]) return false;
    if (int rest = prefix % 8) {
        unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
        if ((ip.bytes[prefix / 8] & mask) != (net.bytes[prefix / 8] & mask)) return false;
    }
    return true;
}

}  // namespace

bool ipInCidrs(const std::string& ip, const std::vector<std::string>& cidrs) {
    ParsedIp parsed;
    if (!parseIp(ip, parsed)) return false;
    for (const auto& c : cidrs)
        if (inCidr(parsed, c)) return true;
    return false;
}

RateLimiter::RateLimiter(std::function<std::int64_t()> clockMs) : m_clock(std::move(clockMs)) {}

bool RateLimiter::takeFromBucket(const std::string& key, double ratePerSec, double burst, std::int64_t nowMs) {
    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        m_buckets.emplace(key, Bucket{0, nowMs});
        return true;
    }
    Bucket& b = it->second;
    std::int64_t ms = nowMs - b.lastMs;
    if (ms < 0) ms = 0;
    // nginx: excess = lr->excess - ctx->rate * ms / 1000 + 1000 with rate in milli-requests per second.
    std::int64_t rate = std::int64_t(ratePerSec * 1000.0);
    std::int64_t excess = b.excess - rate * ms / 1000 + 1000;
    if (excess < 0) excess = 0;
    if (excess > std::int64_t(burst * 1000.0)) return false;
    b.excess = excess;
    b.lastMs = nowMs;
    return true;
}

void RateLimiter::purge(std::int64_t nowMs) {
    // Bound memory: forget keys idle for a minute (their excess has decayed for any rate >= 1 r/m... or nearly).
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        if (nowMs - it->second.lastMs > 60000)
            it = m_buckets.erase(it);
        else
            ++it;
    }
}

RateLimiter::Verdict RateLimiter::checkRequest(const routing::RateLimitPolicy& policy, const std::string& clientIp) {
    if (policy.rps <= 0 && policy.rpm <= 0) return Verdict::Allowed;
    if (!policy.allowlist.empty() && ipInCidrs(clientIp, policy.allowlist)) return Verdict::Allowed;
    std::int64_t now = m_clock();
    std::lock_guard lock(m_mutex);
    if (m_buckets.size() > 100000) purge(now);
    if (policy.rps > 0 &&
        !takeFromBucket(policy.zone + "|rps|" + clientIp, policy.rps, policy.rps * policy.burstMultiplier, now))
        return Verdict::Rejected;
    if (policy.rpm > 0 && !takeFromBucket(policy.zone + "|rpm|" + clientIp, policy.rpm / 60.0,
                                          policy.rpm * policy.burstMultiplier, now))
        return Verdict::Rejected;
    return Verdict::Allowed;
}

RateLimiter::Verdict RateLimiter::acquireConnection(const routing::RateLimitPolicy& policy,
                                                    const std::string& clientIp, bool* slotTaken) {
    *slotTaken = false;
    if (policy.connections <= 0) return Verdict::Allowed;
    if (!policy.allowlist.empty() && ipInCidrs(clientIp, policy.allowlist)) return Verdict::Allowed;
    std::lock_guard lock(m_mutex);
    int& n = m_connections[policy.zone + "|" + clientIp];
    if (n >= policy.connections) return Verdict::Rejected;
    ++n;
    *slotTaken = true;
    return Verdict::Allowed;
}

void RateLimiter::releaseConnection(const std::string& zone, const std::string& clientIp) {
    std::lock_guard lock(m_mutex);
    auto it = m_connections.find(zone + "|" + clientIp);
    if (it != m_connections.end() && --it->second <= 0) m_connections.erase(it);
}

std::size_t RateLimiter::trackedKeysForTest() const {
    std::lock_guard lock(m_mutex);
    return m_buckets.size() + m_connections.size();
}

}  // namespace ilab::proxy
