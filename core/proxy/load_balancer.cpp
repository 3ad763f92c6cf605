#include "core/proxy/load_balancer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "core/proxy/http_util.h"

namespace ilab::proxy {

namespace {
std::uint64_t fnv1a(const std::string& s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

// CRC-32 (IEEE 802.3, reflected), as ngx_crc32: the hash of nginx's and lua-resty-chash's consistent hashing.
const std::uint32_t* crcTable() {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    return table.data();
}
std::uint32_t crcUpdate(std::uint32_t crc, const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    const std::uint32_t* t = crcTable();
    for (std::size_t i = 0; i < n; ++i) crc = t[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return crc;
}

std::string queryArg(const std::string& target, const std::string& name) {
    auto q = target.find('?');
    if (q == std::string::npos) return {};
    std::size_t pos = q + 1;
    while (pos <= target.size()) {
        auto amp = target.find('&', pos);
        if (amp == std::string::npos) amp = target.size();
        std::string item = target.substr(pos, amp - pos);
        auto eq = item.find('=');
        if (item.substr(0, eq) == name) return eq == std::string::npos ? "" : item.substr(eq + 1);
        pos = amp + 1;
    }
    return {};
}
}  // namespace

std::uint32_t LoadBalancer::crc32(std::string_view s) { return crcUpdate(0xFFFFFFFFu, s.data(), s.size()) ^ 0xFFFFFFFFu; }

LoadBalancer::Ring LoadBalancer::buildRing(const std::vector<routing::Endpoint>& eps) {
    // ngx_http_upstream_init_chash_peer: per endpoint, base = crc32(host "\0" port); then POINTS_PER_ENDPOINT
    // points, each the CRC of base continued with the previous point's 4 bytes (little-endian); sorted.
    Ring ring;
    ring.endpoints = eps;
    ring.points.reserve(eps.size() * POINTS_PER_ENDPOINT);
    for (std::size_t i = 0; i < eps.size(); ++i) {
        const std::string port = std::to_string(eps[i].port);
        std::uint32_t base = crcUpdate(0xFFFFFFFFu, eps[i].address.data(), eps[i].address.size());
        base = crcUpdate(base, "", 1);
        base = crcUpdate(base, port.data(), port.size());
        std::uint32_t prev = 0;
        for (int j = 0; j < POINTS_PER_ENDPOINT; ++j) {
            const unsigned char bytes[4] = {static_cast<unsigned char>(prev), static_cast<unsigned char>(prev >> 8),
                                            static_cast<unsigned char>(prev >> 16), static_cast<unsigned char>(prev >> 24)};
            const std::uint32_t h = crcUpdate(base, bytes, 4) ^ 0xFFFFFFFFu;
            ring.points.push_back({h, static_cast<std::uint32_t>(i)});
            prev = h;
        }
    }
    std::sort(ring.points.begin(), ring.points.end(),
              [](const RingPoint& a, const RingPoint& b) { return a.hash != b.hash ? a.hash < b.hash : a.index < b.index; });
    return ring;
}

const LoadBalancer::Ring& LoadBalancer::ringFor(const std::string& upstreamName, const std::vector<routing::Endpoint>& eps) {
    Ring& r = m_rings[upstreamName];
    if (r.endpoints != eps) r = buildRing(eps);  // built once per endpoint set (a scale or reload rebuilds it)
    return r;
}

std::vector<std::size_t> LoadBalancer::ringOrder(const Ring& ring, std::uint32_t hash) {
    // The first point at or after `hash` (wrapping), then the following points' endpoints in ring order, each
    // once: the fallback order when the first choice is down, as nginx walks the ring.
    std::vector<std::size_t> order;
    if (ring.points.empty()) return order;
    auto it = std::lower_bound(ring.points.begin(), ring.points.end(), hash,
                               [](const RingPoint& p, std::uint32_t h) { return p.hash < h; });
    std::size_t start = static_cast<std::size_t>(it - ring.points.begin()) % ring.points.size();
    std::vector<bool> seen(ring.endpoints.size(), false);
    for (std::size_t k = 0; k < ring.points.size() && order.size() < ring.endpoints.size(); ++k) {
        std::size_t idx = ring.points[(start + k) % ring.points.size()].index;
        if (!seen[idx]) {
            seen[idx] = true;
            order.push_back(idx);
        }
    }
    return order;
}

std::string LoadBalancer::endpointKey(const routing::Endpoint& e) {
    if (e.address.find(':') != std::string::npos) return "[" + e.address + "]:" + std::to_string(e.port);
    return e.address + ":" + std::to_string(e.port);
}

std::string LoadBalancer::endpointHash(const routing::Endpoint& e) {
    std::string out;
    std::uint64_t h = fnv1a(endpointKey(e));
    static const char* HEX = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) out.push_back(HEX[(h >> (4 * i)) & 15]);
    return out;
}

std::string LoadBalancer::cookieTime(std::int64_t unixSeconds) {
    static const char* WEEK[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const time_t t = time_t(unixSeconds);
    tm g{};
    gmtime_r(&t, &g);
    const int year = g.tm_year + 1900;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d-%s-%02d %02d:%02d:%02d GMT", WEEK[g.tm_wday], g.tm_mday, MONTHS[g.tm_mon],
                  year > 2037 ? year : year % 100, g.tm_hour, g.tm_min, g.tm_sec);
    return buf;
}

bool LoadBalancer::sameSiteNoneCompatible(const std::optional<std::string>& ua) {
    if (!ua) return true;
    auto has = [&](const char* s) { return ua->find(s) != std::string::npos; };
    if (has("Chrome/4") || has("Chrome/5") || has("Chrome/6")) return false;
    if (has("CPU iPhone OS 12") || has("iPad; CPU OS 12")) return false;
    if (has("Macintosh") && has("Intel Mac OS X 10_14") && has("Safari") && !has("Chrome")) return false;
    return true;
}

std::string LoadBalancer::hashKey(const std::string& expr, const routing::RequestView& r) {
    std::string out;
    std::size_t i = 0;
    while (i < expr.size()) {
        if (expr[i] != '$') {
            out.push_back(expr[i++]);
            continue;
        }
        std::size_t j = i + 1;
        bool braces = j < expr.size() && expr[j] == '{';
        if (braces) ++j;
        std::size_t start = j;
        while (j < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[j])) || expr[j] == '_')) ++j;
        std::string var = expr.substr(start, j - start);
        if (braces && j < expr.size() && expr[j] == '}') ++j;
        i = j;
        auto path = r.target.substr(0, r.target.find('?'));
        if (var == "request_uri") out += r.target;
        else if (var == "uri" || var == "document_uri") out += path;
        else if (var == "remote_addr" || var == "binary_remote_addr") out += r.clientIp;
        else if (var == "host" || var == "http_host") out += r.host;
        else if (var == "args" || var == "query_string") out += r.target.find('?') == std::string::npos ? "" : r.target.substr(r.target.find('?') + 1);
        else if (var.rfind("http_", 0) == 0) {
            std::string name = var.substr(5);
            std::replace(name.begin(), name.end(), '_', '-');
            out += r.header(name).value_or("");
        } else if (var.rfind("cookie_", 0) == 0) out += r.cookie(var.substr(7)).value_or("");
        else if (var.rfind("arg_", 0) == 0) out += queryArg(r.target, var.substr(4));
    }
    return out;
}

bool LoadBalancer::usable(const std::string& key, std::int64_t nowMs) const {
    if (m_failedUntil.empty()) return true;
    auto it = m_failedUntil.find(key);
    return it == m_failedUntil.end() || it->second <= nowMs;
}

LoadBalancer::Pick LoadBalancer::pick(const routing::Decision& d, const std::vector<routing::Endpoint>& eps,
                                      const std::string& upstreamName, const routing::RequestView& request,
                                      const std::vector<std::string>& tried, std::int64_t nowMs) {
    Pick result;
    if (eps.empty()) return result;
    // Endpoint keys are only needed when something was tried or failed: the common case builds none.
    const bool needKeys = !tried.empty() || !m_failedUntil.empty();
    std::vector<std::string> keys;
    if (needKeys) {
        keys.reserve(eps.size());
        for (const auto& e : eps) keys.push_back(endpointKey(e));
    }
    auto isTried = [&](std::size_t i) { return std::find(tried.begin(), tried.end(), keys[i]) != tried.end(); };
    // Two passes: healthy and untried first; then any untried (every endpoint failed recently: try anyway).
    auto candidate = [&](std::size_t i, bool healthOnly) {
        return !needKeys || (!isTried(i) && (!healthOnly || usable(keys[i], nowMs)));
    };

    if (d.affinity) {
        if (auto cookie = request.cookie(d.affinity->cookieName)) {
            std::string hash = cookie->substr(0, cookie->find('|'));
            for (std::size_t i = 0; i < eps.size(); ++i) {
                if (endpointHash(eps[i]) == hash && candidate(i, true)) {
                    result.endpoint = &eps[i];
                    return result;
                }
            }
        }
    }
    std::size_t chosen = eps.size();
    if (d.upstreamHashBy && !d.upstreamHashBy->empty()) {
        // Consistent hashing (ingress-nginx's chash balancer): a key keeps its endpoint while others come and go.
        const Ring& ring = ringFor(upstreamName, eps);
        const std::vector<std::size_t> order = ringOrder(ring, crc32(hashKey(*d.upstreamHashBy, request)));
        for (bool healthOnly : {true, false}) {
            for (std::size_t i : order)
                if (chosen == eps.size() && candidate(i, healthOnly)) chosen = i;
            if (chosen != eps.size()) break;
        }
    } else {
        std::uint64_t& next = m_roundRobin[upstreamName];
        for (bool healthOnly : {true, false}) {
            for (std::size_t k = 0; k < eps.size() && chosen == eps.size(); ++k) {
                std::size_t i = (next + k) % eps.size();
                if (candidate(i, healthOnly)) chosen = i;
            }
            if (chosen != eps.size()) break;
        }
        if (chosen != eps.size()) next = chosen + 1;
    }
    if (chosen == eps.size()) return result;
    result.endpoint = &eps[chosen];
    if (d.affinity) {
        const auto& a = *d.affinity;
        // lua-resty-cookie's bake(): Expires, Max-Age, Domain, Path, Secure, HttpOnly, SameSite, in that order.
        std::string c = a.cookieName + "=" + endpointHash(eps[chosen]) + "|" + routing::affinityBackendKey(upstreamName);
        if (a.expires) c += "; Expires=" + cookieTime(std::time(nullptr) + std::strtoll(a.expires->c_str(), nullptr, 10));
        if (a.maxAge) c += "; Max-Age=" + *a.maxAge;
        if (a.domain) c += "; Domain=" + *a.domain;
        c += "; Path=" + (a.path.empty() ? std::string("/") : a.path);
        if (a.secure || request.scheme == "https") c += "; Secure";
        c += "; HttpOnly";
        if (a.sameSite && !(a.conditionalSameSiteNone && *a.sameSite == "None" && !sameSiteNoneCompatible(request.header("User-Agent"))))
            c += "; SameSite=" + *a.sameSite;
        result.setCookie = std::move(c);
    }
    return result;
}

}  // namespace ilab::proxy
