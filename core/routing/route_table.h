#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/common/diagnostic.h"
#include "core/model/workspace.h"
#include "core/routing/controller_settings.h"
#include "core/routing/decision.h"
#include "core/routing/request.h"

namespace ilab::routing {

// Runtime status of one Ingress after compilation (style.md B.11): Enabled, Warning or Disabled with reasons.
struct IngressStatus {
    enum class State { Enabled, Warning, Disabled, Ignored };  // Ignored: another class / canary without a main
    std::string ingress;  // "namespace/name"
    State state = State::Enabled;
    std::vector<std::string> reasons;
};

// Endpoints per Service: key "namespace/service" -> port name/number -> ready endpoints. When a compile input
// gives none, endpoints are derived from the workspace (Deployment replicas behind each Service's selector,
// or the Endpoints/EndpointSlices of a Service without a selector).
struct EndpointKey {
    std::string ns, service;
    int servicePort = 0;
    auto operator<=>(const EndpointKey&) const = default;
};
using EndpointMap = std::map<EndpointKey, std::vector<Endpoint>>;

class RouteTable;
using RouteTableConstSharedPtr = std::shared_ptr<const RouteTable>;

struct CompileResult {
    RouteTableConstSharedPtr table;  // never null: a broken workspace compiles to a table that answers 404
    Diagnostics diagnostics;         // annotation problems, ignored keys, conflicts (field paths as in validation)
    std::vector<IngressStatus> status;
};

// The compiled, immutable routing of a workspace (style.md B.5-B.9). Built by compile(); every lookup is const
// and safe from any thread. Nothing in it points back into the model.
class RouteTable {
public:
    static CompileResult compile(const model::Workspace& ws, const ControllerSettings& settings,
                                 const EndpointMap* endpoints = nullptr);

    // One routing decision. `randomValue` drives weighted choices (canary weight, service-weights): the same
    // value gives the same answer. With `wantTrace`, Decision::trace explains every step.
    Decision route(const RequestView& request, std::uint64_t randomValue, bool wantTrace = false) const;
    // The same decision written into `out` (cleared first, its buffers reused): the proxy's hot path, which keeps
    // one Decision per connection instead of building and moving a new one per request.
    void routeInto(const RequestView& request, std::uint64_t randomValue, bool wantTrace, Decision& out) const;

    // Certificate for a TLS handshake by SNI (lowercased, one trailing dot removed): exact host, then wildcard,
    // else the default certificate. `sni` empty = no SNI.
    TlsChoice certificateFor(const std::string& sni) const;

    const ControllerSettings& settings() const;
    // Every upstream the table references, for the proxy's pools and the routing map.
    const std::map<std::string, BackendRef>& upstreams() const;
    // Equality of the compiled content (skip a no-op swap, style.md B.8).
    std::uint64_t contentHash() const;
    // The Server header of every response, "" for none. ingress-nginx's default (ConfigMap server-tokens: "false")
    // sends none at all: nginx.tmpl has `server_tokens off` plus `more_clear_headers Server`; "true" gives
    // `server_tokens on`: "nginx/1.27.1", the nginx its controller image builds (images/nginx/rootfs/build.sh).
    const std::string& serverHeader() const;

    ~RouteTable();

    struct Impl;
    explicit RouteTable(std::unique_ptr<Impl> impl);  // use compile()
    const Impl& impl() const { return *m_impl; }

private:
    std::unique_ptr<Impl> m_impl;
};

// Endpoints derived from the workspace alone (what `route` uses): each Deployment replica selected by a
// Service is one endpoint named <deployment>-<n> on 127.0.0.1 at a placeholder port; Services without a
// selector use their Endpoints / EndpointSlices.
EndpointMap staticEndpoints(const model::Workspace& ws);

}  // namespace ilab::routing
