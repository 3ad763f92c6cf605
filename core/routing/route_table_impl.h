#pragma once

// Internal layout of a compiled RouteTable (style.md B.5-B.9). Only route_table_*.cpp include this.

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <QRegularExpression>

#include "core/annotations/registry.h"
#include "core/routing/route_table.h"

namespace ilab::gateway {
class GatewayRouter;
}

namespace ilab::routing {

namespace detail {

// Transparent hash: lets the hot path look up a std::string_view key without building a std::string.
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
// Name -> index map that the hot path probes with std::string_view keys (no temporary std::string per probe).
template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// String -> index (>= 0) map the hot path probes, built once by compile(): open addressing over one array of
// 16-byte slots (hash tag, key position, value) plus one array of key bytes. A probe reads one slot line and, when
// the tag matches, the key bytes: at 10,000 Ingresses this misses the cache far less than a node-based
// std::unordered_map (bucket, previous node, node, key heap), which the router otherwise waits on per lookup.
// A bit per key length present answers most absent probes (the path's prefixes at each '/') without a probe.
class FlatIndex {
public:
    // Adds key -> value unless the key is present. Returns the value stored for the key and whether it was added.
    std::pair<int, bool> emplace(std::string_view key, int value) {
        if ((m_size + 1) * 2 > m_slots.size()) grow();
        const std::uint64_t h = hash(key);
        for (std::size_t i = h & (m_slots.size() - 1);; i = (i + 1) & (m_slots.size() - 1)) {
            Slot& s = m_slots[i];
            if (s.value < 0) {
                s = Slot{tag(h), static_cast<std::uint32_t>(key.size()), static_cast<std::uint32_t>(m_keys.size()), value};
                m_keys.append(key);
                m_lengths |= lengthBit(key.size());
                ++m_size;
                return {value, true};
            }
            if (matches(s, tag(h), key)) return {s.value, false};
        }
    }
    // The value for `key`, -1 when absent.
    int find(std::string_view key) const {
        if (!(m_lengths & lengthBit(key.size()))) return -1;  // (also when empty)
        const std::uint64_t h = hash(key);
        for (std::size_t i = h & (m_slots.size() - 1);; i = (i + 1) & (m_slots.size() - 1)) {
            const Slot& s = m_slots[i];
            if (s.value < 0) return -1;
            if (matches(s, tag(h), key)) return s.value;
        }
    }
    std::size_t size() const { return m_size; }

private:
    struct Slot {
        std::uint32_t tag = 0;     // high half of the key's hash
        std::uint32_t keyLen = 0;
        std::uint32_t keyPos = 0;  // in m_keys
        std::int32_t value = -1;   // -1 = empty slot
    };
    static std::uint64_t hash(std::string_view key) { return std::hash<std::string_view>{}(key); }
    static std::uint32_t tag(std::uint64_t h) { return static_cast<std::uint32_t>(h >> 32); }
    static std::uint64_t lengthBit(std::size_t n) { return std::uint64_t{1} << (n < 63 ? n : 63); }  // 63: 63 or more
    bool matches(const Slot& s, std::uint32_t t, std::string_view key) const {
        return s.tag == t && s.keyLen == key.size() && std::memcmp(m_keys.data() + s.keyPos, key.data(), key.size()) == 0;
    }
    void grow() {
        std::vector<Slot> old = std::move(m_slots);
        m_slots.assign(old.empty() ? 8 : old.size() * 2, Slot{});
        for (const Slot& s : old) {
            if (s.value < 0) continue;
            const std::uint64_t h = hash(std::string_view(m_keys).substr(s.keyPos, s.keyLen));
            std::size_t i = h & (m_slots.size() - 1);
            while (m_slots[i].value >= 0) i = (i + 1) & (m_slots.size() - 1);
            m_slots[i] = s;
        }
    }
    std::vector<Slot> m_slots;  // a power of two, at most half full
    std::string m_keys;
    std::size_t m_size = 0;
    std::uint64_t m_lengths = 0;  // bit n: a key of length n is present (bit 63: of length 63 or more)
};

// One Service:port some Ingress references, resolved against the workspace.
struct Target {
    BackendRef ref;
    std::shared_ptr<const std::vector<Endpoint>> endpoints;  // never null; empty = 503
    std::string problem;                                     // why it answers 503 ("" when it has endpoints)
    const char* problemCode = "";  // Decision::respondCode for it: "service-not-found", "no-service-port", "no-endpoints"
};

// What route() reads of an IngressPolicy on every request, copied from it when compile() is done
// (RouteTable::Impl::policyHot, parallel to `ingresses`). The full IngressAnnotations are ~1.3 KB, so at 10,000
// Ingresses reading them per request would miss the cache on many lines; the ~48-byte copies sit in one dense
// array and the names in one string. route() reads `ann` itself only for the families a flag says are set.
struct PolicyHot {
    enum Flag : std::uint16_t {
        Cors = 1 << 0,           // ann.cors.enabled
        Redirect = 1 << 1,       // ann.redirect.url
        RewriteTarget = 1 << 2,  // ann.rewrite.target
        UpstreamVhost = 1 << 3,  // ann.upstream.vhost
        HashBy = 1 << 4,         // ann.upstream.hashBy
        RateLimit = 1 << 5,      // ann.rateLimit.isSet()
        Affinity = 1 << 6,       // ann.affinity.enabled
        Access = 1 << 7,         // ann.access.isSet()
        Protocol = 1 << 8,       // ann.backendProtocol is not "HTTP"
    };
    std::optional<std::uint64_t> maxBodyBytes;  // ann.proxy.maxBodyBytes
    UpstreamTimeouts timeouts;                  // ann.proxy connect/read/send timeouts, next-upstream tries
    annotations::SslRedirectConfig ssl;         // ann.sslRedirect
    std::uint16_t flags = 0;
    std::uint32_t nameOffset = 0, nameLength = 0;  // the policy's name in Impl::policyNames

    static PolicyHot of(const annotations::IngressAnnotations& a) {
        PolicyHot h;
        h.maxBodyBytes = a.proxy.maxBodyBytes;
        h.timeouts = {a.proxy.connectTimeoutMs, a.proxy.readTimeoutMs, a.proxy.sendTimeoutMs, a.proxy.nextUpstreamTries};
        h.ssl = a.sslRedirect;
        auto flag = [&h](bool on, Flag f) {
            if (on) h.flags |= f;
        };
        flag(a.cors.enabled, Cors);
        flag(a.redirect.url.has_value(), Redirect);
        flag(a.rewrite.target.has_value(), RewriteTarget);
        flag(a.upstream.vhost.has_value(), UpstreamVhost);
        flag(a.upstream.hashBy.has_value(), HashBy);
        flag(a.rateLimit.isSet(), RateLimit);
        flag(a.affinity.enabled, Affinity);
        flag(a.access.isSet(), Access);
        flag(a.backendProtocol != "HTTP", Protocol);
        return h;
    }
};

// A claimed Ingress with its parsed annotations (kubernetes profile: defaults except service-weights).
struct IngressPolicy {
    std::string name;  // "ns/name"
    std::string ns;
    annotations::IngressAnnotations ann;
    int defaultTarget = -1;   // spec.defaultBackend
    int fallbackTarget = -1;  // default-backend annotation (used when the rule's Service has no endpoints)
    bool needsRegex() const {
        return ann.rewrite.useRegex || ann.rewrite.target.has_value();
    }
};

// Fields in the order route() reads them: the first ~100 bytes are what a request touches.
struct Location {
    enum class Kind { Exact, Prefix, Regex };
    int ingress = -1;       // IngressPolicy index; -1 = controller default server
    int target = -1;        // Target index; -1 = the controller's default backend (404)
    bool isDefault = false; // the root location a server gets before any path is added
    bool isExactCopy = false;  // the "= P" copy ingress-nginx adds for Prefix P
    Kind kind = Kind::Prefix;
    std::string rulePath;   // path as written ("/" when empty)
    std::vector<std::pair<int, std::uint32_t>> weighted;  // service-weights: (target, cumulative milli-percent)
    std::shared_ptr<const QRegularExpression> rewriteRegex;  // (?i)rulePath when rewrite-target is set
    std::shared_ptr<const QRegularExpression> regex;         // regex mode: ^name, case-insensitive
    std::string name;       // nginx location name ("/foo/", "= /foo" stored as "/foo" with Kind::Exact) or regex
    std::string ruleType;   // pathType after profile defaulting
    std::string origin;     // "default/web spec.rules[0].http.paths[1]" or "default location of host x"
};

// What route() reads of a Location on every request (Server::hot, parallel to Server::locations), copied from it
// when compile() is done: 20 bytes in one dense array per server instead of a ~200-byte Location, most of it
// trace text, so that 10,000 Ingresses' locations stay in the cache.
struct LocationHot {
    int ingress = -1;
    int target = -1;
    std::uint32_t pathOffset = 0, pathLength = 0;  // rulePath in Impl::locationPaths
    bool isDefault = false;
    bool weighted = false;  // !Location::weighted.empty()
};

// Fields in the order route() reads them (the name and reasons are for traces).
struct Server {
    bool regexMode = false;
    int root = -1;
    std::optional<std::string> appRoot;
    FlatIndex exact;   // exact name -> location
    FlatIndex prefix;  // prefix name -> location (nginx: ends in '/'; k8s: no trailing '/')
    std::vector<LocationHot> hot;  // per location (set last by compile)
    std::vector<Location> locations;
    std::vector<std::string> shadowed;  // paths that lost to an older definition (for traces)
    std::string name;  // "_" = catch-all
    std::string regexReason;
    std::vector<int> regexOrder;                  // regex mode: match order
    std::string appRootIngress;
    bool fromToWww = false;
    int ingress = -1;  // the Ingress that created the server
};

struct CanaryAlt {
    int target = -1;
    std::string ingress;
    annotations::CanaryConfig config;
    bool stickyAffinity = true;  // the canary Ingress's affinity-canary-behavior is not "legacy"
};

struct CertEntry {
    std::string certificate;  // "ns/secret" or "default"
    std::string pemCert, pemKey;
    std::string note;         // why (for the trace)
};

}  // namespace detail

struct RouteTable::Impl {
    ControllerSettings settings;
    std::map<std::string, std::string> cfg;  // settings.configMap merged with the workspace ConfigMap
    std::vector<detail::IngressPolicy> ingresses;
    std::vector<detail::PolicyHot> policyHot;  // per Ingress: what every request reads (set last by compile)
    std::string policyNames;                   // the Ingresses' names, back to back (PolicyHot::nameOffset)
    std::string locationPaths;                 // the locations' rule paths, back to back (LocationHot::pathOffset)
    std::vector<detail::Target> targets;
    std::vector<detail::Server> servers;
    detail::FlatIndex exactHosts;     // host or alias -> server
    detail::FlatIndex wildcardHosts;  // "foo.com" for "*.foo.com" -> server
    detail::StringMap<std::string> wwwRedirects;  // from-to-www: name -> host it redirects to
    int catchAll = 0;
    int globalDefaultTarget = -1;                           // controller default backend (-1 = 404)
    std::unordered_map<std::string, detail::CanaryAlt> canaries;  // main upstream name -> alternative
    std::unordered_map<std::string, detail::CertEntry, detail::StringHash, std::equal_to<>> certs;     // TLS host ("a.x" or "*.x") -> certificate
    detail::CertEntry defaultCert;
    std::map<std::string, BackendRef> upstreams;
    std::uint64_t hash = 0;
    std::vector<std::string> ignored;   // Ingresses not claimed (class), for traces
    RouteTableConstSharedPtr other;  // the other profile (for Decision::otherProfileDiffers)
    // Profile::Gateway: the Gateway API router that answers route()/certificateFor() instead of the tables above.
    std::shared_ptr<const gateway::GatewayRouter> gateway;

    // ConfigMap globals
    std::string hstsValue;  // "" = hsts off
    std::string serverHeader;  // "" = no Server header (server-tokens: "false", the default)
    int httpRedirectCode = 308;
    bool useForwardedHeaders = false;
    bool computeFullForwardedFor = false;
    std::vector<std::string> noTlsRedirectLocations{"/.well-known/acme-challenge"};
    annotations::ProxyConfig proxyDefaults;
    annotations::SslRedirectConfig sslDefaults;
};

}  // namespace ilab::routing
