#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/common/diagnostic.h"
#include "core/gateway/gateway_types.h"
#include "core/model/workspace.h"
#include "core/routing/decision.h"
#include "core/routing/request.h"
#include "core/routing/route_table.h"

namespace ilab::gateway {

// A status condition as the controller would write it on the object (GW conditions: Accepted, ResolvedRefs,
// Conflicted, Programmed).
struct Condition {
    std::string type, status, reason, message;
};
// Conditions of one HTTPRoute (per parent folded together), listener ("Gateway ns/name" + section) or Gateway.
struct ObjectStatus {
    std::string kind;     // "HTTPRoute" | "Listener"
    std::string name;     // "ns/name" (route or gateway)
    std::string section;  // listener name
    std::vector<Condition> conditions;
    const Condition* find(const std::string& type) const {
        for (const auto& c : conditions)
            if (c.type == type) return &c;
        return nullptr;
    }
};

class GatewayRouter;
using GatewayRouterConstSharedPtr = std::shared_ptr<const GatewayRouter>;

// The `gateway` routing profile (../shared/gateway.md §7): the compiled, immutable routing of a workspace's
// Gateways and HTTPRoutes. Built by create() on the control thread; route() and certificateFor() are const and
// safe from any thread. RouteTable::compile builds one for Profile::Gateway and forwards to it, so `route`,
// `test`, `serve` and the proxy use it exactly as they use the ingress-nginx table.
//
// route(): listener by port/protocol (+SNI for HTTPS, 421 when SNI and Host pick different listeners), then by
// Host (exact, wildcard by depth, empty); only routes attached to that listener (isolation); the best hostname
// class of those routes; then the best match by the §2.3 precedence key; filters in order; a weighted backend
// (randomValue % total weight); 500 for an unresolvable/unpermitted/missing backend, 503 for no endpoints.
class GatewayRouter {
public:
    static GatewayRouterConstSharedPtr create(const model::Workspace& ws, const routing::EndpointMap* endpoints,
                                              Diagnostics* diags);

    void route(const routing::RequestView& req, std::uint64_t randomValue, bool wantTrace, routing::Decision& out) const;
    // The HTTPS listener's certificate for an SNI name (longest match); certificate "" = no listener serves it
    // (Gateway API has no default certificate).
    routing::TlsChoice certificateFor(const std::string& sni) const;
    const std::vector<ObjectStatus>& status() const;
    const std::map<std::string, routing::BackendRef>& upstreams() const;
    std::uint64_t contentHash() const;
    std::size_t listenerCountForTest() const;

    struct Impl;
    explicit GatewayRouter(std::unique_ptr<Impl> impl);
    ~GatewayRouter();

private:
    std::unique_ptr<Impl> m_impl;
};

// Hostname intersection of a listener hostname and a route hostname ("" = none): the narrower of the two, or ""
// when they do not intersect. `listener` empty = any hostname.
std::string intersectHostnames(const std::string& listener, const std::string& route, bool* intersects);
// Whether `host` (lowercase, no port) is matched by hostname pattern `pattern` ("" = any, "*.x" = any depth).
bool hostnameMatches(const std::string& pattern, const std::string& host);
// URLRewrite / RequestRedirect ReplacePrefixMatch (GW HTTPPathModifier table).
std::string replacePrefix(const std::string& path, const std::string& matchedPrefix, const std::string& replacement);

}  // namespace ilab::gateway
