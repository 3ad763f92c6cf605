#pragma once

#include <cstddef>
#include <string>
#include <string_view>

// Who answered a request. Simulated pods answer JSON naming themselves ({"service":"agent-v1-service",
// "pod":"agent-v1-0","namespace":"default","version":"v1",...}); the local controller may add
// X-Ingress-Lab-Upstream / X-Ingress-Lab-Pod response headers; anything else is grouped by its body, the way
// `curl … | sort | uniq -c` groups it. Pure functions, any thread; input is hostile (never reads past the end).
// Views point into the body / header buffers passed in (no allocation on the hot path); JSON escapes in values
// are kept as written (Kubernetes names never contain any).
namespace ilab::loadgen {

struct BackendIdentity {
    std::string_view service;
    std::string_view pod;
    std::string_view ns;
    std::string_view version;
};

constexpr size_t BODY_KEY_BYTES = 200;

// Top-level string members of a JSON object body: only "service", "pod", "namespace", "version" are kept.
// Returns false when the body is not a JSON object (members are then left empty).
bool parseIdentityJson(std::string_view body, BackendIdentity& out);

// The grouping key for a response: the body's "service", else its "pod", else the upstream header, else the pod
// header, else bodyLine(body, BODY_KEY_BYTES). `identity` receives what the body said; `scratch` holds the key
// when it has to be built (the returned view then points into it).
std::string_view backendKey(std::string_view body, std::string_view upstreamHeader, std::string_view podHeader,
                            BackendIdentity& identity, std::string& scratch);

// The body as one printable line: trailing whitespace trimmed, CR/LF/TAB escaped, at most maxBytes input bytes.
std::string bodyLine(std::string_view body, size_t maxBytes);

}  // namespace ilab::loadgen
