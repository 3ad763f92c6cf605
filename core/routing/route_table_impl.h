#pragma once

// Internal layout of a compiled RouteTable (style.md B.5-B.9). Only route_table_*.cpp include this.

#include <cstdint>
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

// One Service:port some Ingress references, resolved against the workspace.
struct Target {
    BackendRef ref;
    std::shared_ptr<const std::vector<Endpoint>> endpoints;  // never null; empty = 503
    std::string problem;                                     // why it answers 503 ("" when it has endpoints)
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

struct Location {
    enum class Kind { Exact, Prefix, Regex };
    std::string name;       // nginx location name ("/foo/", "= /foo" stored as "/foo" with Kind::Exact) or regex
    Kind kind = Kind::Prefix;
    std::string rulePath;   // path as written ("/" when empty)
    std::string ruleType;   // pathType after profile defaulting
    std::string origin;     // "default/web spec.rules[0].http.paths[1]" or "default location of host x"
    int ingress = -1;       // IngressPolicy index; -1 = controller default server
    int target = -1;        // Target index; -1 = the controller's default backend (404)
    std::vector<std::pair<int, std::uint32_t>> weighted;  // service-weights: (target, cumulative milli-percent)
    bool isDefault = false; // the root location a server gets before any path is added
    bool isExactCopy = false;  // the "= P" copy ingress-nginx adds for Prefix P
    std::shared_ptr<const QRegularExpression> regex;         // regex mode: ^name, case-insensitive
    std::shared_ptr<const QRegularExpression> rewriteRegex;  // (?i)rulePath when rewrite-target is set
};

struct Server {
    std::string name;  // "_" = catch-all
    bool regexMode = false;
    std::string regexReason;
    std::vector<Location> locations;
    StringMap<int> exact;   // exact name -> location
    StringMap<int> prefix;  // prefix name -> location (nginx: ends in '/'; k8s: no trailing '/')
    std::vector<int> regexOrder;                  // regex mode: match order
    int root = -1;
    std::optional<std::string> appRoot;
    std::string appRootIngress;
    bool fromToWww = false;
    int ingress = -1;  // the Ingress that created the server
    std::vector<std::string> shadowed;  // paths that lost to an older definition (for traces)
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
    std::vector<detail::Target> targets;
    std::vector<detail::Server> servers;
    detail::StringMap<int> exactHosts;        // host or alias -> server
    detail::StringMap<int> wildcardHosts;     // "foo.com" for "*.foo.com" -> server
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
