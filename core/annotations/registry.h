#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/annotations/access_control.h"
#include "core/annotations/affinity.h"
#include "core/annotations/annotation_spec.h"
#include "core/annotations/backend_protocol.h"
#include "core/annotations/canary.h"
#include "core/annotations/cors.h"
#include "core/annotations/proxy.h"
#include "core/annotations/rate_limit.h"
#include "core/annotations/redirect.h"
#include "core/annotations/rewrite.h"
#include "core/annotations/service_weights.h"
#include "core/annotations/ssl_redirect.h"
#include "core/annotations/upstream.h"

namespace ilab::annotations {

// Every annotation key Ingress Lab knows: the simulated families plus the rest of ingress-nginx's keys
// (simulated = false). Drives lint, the GUI annotation designer (completion, type-aware widgets) and docs.
const std::vector<AnnotationSpec>& allSpecs();
const AnnotationSpec* findSpec(std::string_view shortKey);  // "canary-weight"
std::vector<std::string> familyNames();                     // "canary", "cors", ...

// All parsed annotation families of one Ingress (stage (b) of style.md B.5: plain values, no model pointers).
struct IngressAnnotations {
    CanaryConfig canary;
    ServiceWeightsConfig serviceWeights;
    RewriteConfig rewrite;
    RedirectConfig redirect;
    SslRedirectConfig sslRedirect;
    CorsConfig cors;
    RateLimitConfig rateLimit;
    ProxyConfig proxy;
    AccessControlConfig access;
    std::string backendProtocol = "HTTP";
    AffinityConfig affinity;
    UpstreamConfig upstream;
    bool disabled = false;               // an error makes ingress-nginx drop the whole Ingress
    std::vector<std::string> disabledReasons;
};

struct ParseOptions {
    bool allowSnippetAnnotations = false;  // ConfigMap allow-snippet-annotations
};

// Parses every family and lints every key under nginx.ingress.kubernetes.io/: unknown to ingress-nginx, known but
// not simulated, service-weights (the Traefik form), refused *-snippet, invalid values. Never drops a key silently.
IngressAnnotations parseIngressAnnotations(const model::Ingress& ing, const model::Resource* res,
                                           const std::map<std::string, std::string>& configMap, const ParseOptions& opts,
                                           Diagnostics* diags);

}  // namespace ilab::annotations
