#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ilab::routing {

// One endpoint of an upstream (a simulated pod, an address from Endpoints/EndpointSlices, or a cluster pod).
struct Endpoint {
    std::string address;   // IPv4/IPv6 literal, e.g. 127.0.0.1
    int port = 0;
    std::string podName;   // "agent-v1-7d9f-0" for simulated pods, "" for addresses the user listed
    bool operator==(const Endpoint&) const = default;
};

// Service port an Ingress backend resolved to. `upstreamName` follows ingress-nginx: namespace-service-port
// (port as written in the Ingress: number or name), e.g. "default-agent-v1-service-80".
struct BackendRef {
    std::string ns;
    std::string service;
    std::string port;        // as written in the Ingress backend ("80" or "http")
    int servicePort = 0;     // resolved ServicePort.port (0 if the Service or port is missing)
    std::string upstreamName;
    bool operator==(const BackendRef&) const = default;
};

// Per-request policies the proxy enforces (stateful ones: the router cannot decide them alone).
struct RateLimitPolicy {
    std::string zone;              // one bucket set per Ingress: "<ns>_<name>"
    double rps = 0;                // limit-rps (0 = off)
    double rpm = 0;                // limit-rpm (0 = off)
    int burstMultiplier = 5;       // limit-burst-multiplier
    int connections = 0;           // limit-connections (0 = off)
    std::vector<std::string> allowlist;  // limit-allowlist CIDRs: never limited
    int rejectStatus = 503;        // limit-req-status-code
    int connRejectStatus = 503;    // limit-conn-status-code
    bool operator==(const RateLimitPolicy&) const = default;
};

struct AffinityPolicy {
    std::string cookieName = "INGRESSCOOKIE";
    std::string path;             // session-cookie-path or the location's path
    std::optional<std::string> expires, maxAge, domain, sameSite;
    bool secure = false;          // session-cookie-secure (HTTPS always adds Secure)
    bool conditionalSameSiteNone = false;  // omit SameSite=None for user agents that reject it
    std::string mode = "balanced";
    bool operator==(const AffinityPolicy&) const = default;
};

// The backend part of the affinity cookie value ("<endpoint>|<backend key>"): ingress-nginx's sticky.lua
// ngx.md5(ngx.md5(name) .. name) of the upstream name, 32 lower-case hex characters.
std::string affinityBackendKey(const std::string& upstreamName);

struct UpstreamTimeouts {
    int connectMs = 5000;   // proxy-connect-timeout
    int readMs = 60000;     // proxy-read-timeout
    int sendMs = 60000;     // proxy-send-timeout
    int nextUpstreamTries = 3;
    bool operator==(const UpstreamTimeouts&) const = default;
};

// A copy of the proxied request for another backend (Gateway API RequestMirror, ../shared/gateway.md §4): sent to
// one endpoint of `backend`, fire-and-forget (its answer is read and discarded, it never changes the client's). The
// proxy sends it for `numerator` of every `denominator` proxied requests (percent P = P/100; default all).
struct MirrorTarget {
    BackendRef backend;
    std::shared_ptr<const std::vector<Endpoint>> endpoints;  // ready endpoints of `backend` (immutable; may be empty)
    std::uint32_t numerator = 100;
    std::uint32_t denominator = 100;
    bool operator==(const MirrorTarget&) const = default;
};

// What the controller does with one request. The router fills every field it can decide without traffic;
// the proxy then applies `rateLimit` (before the access check, semantics.md §16) and talks to `endpoints`.
struct Decision {
    enum class Action {
        Proxy,     // send to backend (status = what the backend answers; 0 here)
        Respond,   // the controller answers itself: 404 default backend, 503 no endpoints, 403, 413, 204 preflight
        Redirect,  // 301/302/307/308 with `location`
    };
    Action action = Action::Respond;
    int status = 404;                       // the status the client receives when known (Respond/Redirect)
    std::optional<BackendRef> backend;      // null when no backend is contacted
    std::string ingress;                    // "namespace/name" of the Ingress whose rule won, "" if none
    std::string upstreamPath;               // path + query after rewrite (what the backend receives)
    std::string location;                   // Location header for redirects
    std::vector<std::pair<std::string, std::string>> responseHeaders;  // added/changed on the client response
    std::vector<std::pair<std::string, std::string>> upstreamHeaders;  // set on the upstream request (replacing)
    std::vector<std::string> upstreamHeadersRemoved;                   // e.g. "Proxy" (httpoxy)
    // Headers of the upstream's response the client must not see (Gateway API ResponseHeaderModifier `remove`, and
    // `set`, which replaces the upstream's value with the one in responseHeaders); names, compared case-insensitively.
    std::vector<std::string> responseHeadersRemoved;
    std::string upstreamHost;               // Host header sent upstream (client Host or upstream-vhost)
    std::optional<std::string> tlsCertificate;  // "namespace/secret" or "default" (https requests)
    std::string canary;                     // "" (no canary configured), "main" or "canary"
    std::string backendProtocol = "HTTP";   // HTTP, HTTPS, GRPC, GRPCS, AUTO_HTTP, FCGI
    std::shared_ptr<const std::vector<Endpoint>> endpoints;  // ready endpoints of `backend` (immutable)
    std::optional<RateLimitPolicy> rateLimit;
    std::optional<AffinityPolicy> affinity;
    std::optional<std::string> upstreamHashBy;  // upstream-hash-by (nginx variable expression)
    std::optional<std::uint64_t> maxBodyBytes;  // proxy-body-size (nullopt = unlimited); checked while streaming
    UpstreamTimeouts timeouts;
    // Status the proxy must answer when the access phase denies (403), kept separate so the proxy can apply the
    // rate limit first; 0 = allowed.
    int accessDeniedStatus = 0;
    // The annotation default-backend fallback when `endpoints` is empty ("ns/service:port"), with its headers.
    std::optional<BackendRef> fallbackBackend;
    std::shared_ptr<const std::vector<Endpoint>> fallbackEndpoints;
    // Copies of the request the proxy sends besides the real one (only when it proxies: contactsBackend()). The copy
    // is the upstream request as built for `backend` (method, upstreamPath, Host, upstreamHeaders, body).
    std::vector<MirrorTarget> mirrors;
    std::vector<std::string> trace;         // human-readable steps (filled when asked for)
    // Where the other profile would decide differently: one line, "" when they agree.
    std::string otherProfileDiffers;
    // Name of the location (nginx location / Ingress path) that won, "" when none; for the GUI and traces.
    std::string matchedPath;
    // Why the controller answers itself with an error (Action::Respond, status >= 400): a stable code for counters
    // and the lab's traffic summary ("no-route", "service-not-found", "no-service-port", "no-endpoints",
    // "bad-request", "body-too-large") and the text ("Service default/web not found"); both "" otherwise.
    std::string respondCode;
    std::string respondReason;

    // Back to a default-constructed Decision, keeping the containers' capacity (RouteTable::routeInto).
    // Every field above must be reset here: decision_test checks clear() against a fresh Decision.
    void clear();
    bool operator==(const Decision&) const = default;

    // Whether a backend receives the request (false for Respond/Redirect and for an access-phase denial).
    bool contactsBackend() const { return action == Action::Proxy && accessDeniedStatus == 0; }
    // The status the client receives: the router's status, the access-phase status, or 200 assumed for a
    // proxied request (simulated pods answer 200; a real backend decides).
    int clientStatus() const {
        if (accessDeniedStatus != 0) return accessDeniedStatus;
        return action == Action::Proxy ? 200 : status;
    }
};

// Certificate chosen for a TLS handshake.
struct TlsChoice {
    std::string certificate;  // "namespace/secret" or "default"
    std::string pemCert;      // PEM of the chain ("" for the default: the proxy uses its fake certificate)
    std::string pemKey;
    // No certificate may be presented for this name: the handshake is refused with an unrecognized_name alert
    // (the gateway profile: a ClientHello whose SNI matches no programmed HTTPS listener; Gateway API has no default
    // certificate, ../shared/gateway.md §5). The ingress-nginx profiles never refuse (fake certificate).
    bool refuse = false;
    std::vector<std::string> trace;
};

}  // namespace ilab::routing
