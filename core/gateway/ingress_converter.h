#pragma once

#include <string>
#include <vector>

#include "core/model/workspace.h"

namespace ilab::gateway {

// ingress-nginx Ingresses -> Gateway + HTTPRoutes, as ingress2gateway's ingress-nginx provider with the standard
// emitter does (../shared/gateway.md §8): one Gateway per (namespace, class), per-host HTTP listeners (HTTPS ones
// for hosts of Ingresses with tls), one HTTPRoute per host, canary weight/header, ssl-redirect and trailing-slash
// redirect routes, permanent/temporal redirects, app-root, rewrite-target (regex host mode), CORS, timeouts × 10,
// defaultBackend routes. Every annotation that is not carried over is listed in `notes`.
struct Conversion {
    std::string yaml;                 // multi-document YAML, kubectl-ready
    std::vector<std::string> notes;   // "Ingress ns/name: Unsupported annotation <key>" and other converter warnings
    int gateways = 0, routes = 0;
};

Conversion convertIngresses(const model::Workspace& ws, const std::string& ingressClass = "nginx");

}  // namespace ilab::gateway
