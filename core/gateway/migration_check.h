#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/model/workspace.h"
#include "core/routing/request.h"

namespace ilab::gateway {

// One request's outcome on one side of the migration diff.
struct SideOutcome {
    int status = 0;
    std::map<std::string, double> backends;  // "ns/svc:port" -> share over the samples ("" never a key)
    std::string location, upstreamPath, allowOrigin;
    std::string why;  // the decisive trace line
};

struct Difference {
    routing::RequestView request;
    std::string url;           // for display: "GET https://host/path" (+ headers)
    SideOutcome nginx, gateway;
    std::vector<std::string> fields;  // status, backend, location, upstreamPath, cors
    std::string cause;         // grouping key, e.g. "status 301 -> 200"
};

struct MigrationReport {
    int requests = 0;
    std::vector<routing::RequestView> corpus;  // every request that was compared (what the live run sends)
    std::vector<Difference> differences;
    std::vector<std::string> notes;  // converter notes (dropped annotations, ...)
    std::string convertedYaml;
    // True when the workspace already held Gateway API objects (converted earlier, maybe edited) and the gateway
    // side routed those; false when it routed a fresh conversion (convertedYaml).
    bool usedWorkspaceGatewayObjects = false;
};

// Behavioural migration diff (../shared/gateway.md §10): converts the workspace's ingress-nginx Ingresses
// (ingress_converter), builds a request corpus from their routes (every host × path with a trailing-slash, case,
// prefix-boundary and sub-path variant, http and https, an unknown host, canary header/cookie values, a CORS
// preflight, a body one byte over ingress-nginx's proxy-body-size) plus `extraRequests`, runs each through the ingress-nginx profile on the Ingresses and through the
// gateway profile on the converted objects (weighted outcomes over 400 seeded samples), and reports every request
// whose status, backend share, Location, upstream path or CORS Allow-Origin differs. When the workspace already
// holds Gateways or HTTPRoutes (the GUI's "Convert to Gateway API" puts them beside the Ingresses, where the user
// may edit them), the gateway side routes those instead of converting again. Pure function.
MigrationReport checkMigration(const model::Workspace& ws, const std::vector<routing::RequestView>& extraRequests = {});

}  // namespace ilab::gateway
