#include "core/routing/route_table.h"

namespace ilab::routing {

// Each Deployment replica selected by a Service becomes one endpoint (127.0.0.1, the target port as a
// placeholder: the proxy's simulated pods replace addresses with their real listeners). Services without a
// selector take their Endpoints / EndpointSlices, ready addresses only.
EndpointMap staticEndpoints(const model::Workspace& ws) {
    EndpointMap out;
    for (const auto* svc : ws.all<model::Service>()) {
        for (const auto& sp : svc->ports) {
            EndpointKey key{svc->meta.ns, svc->meta.name, sp.port};
            auto& list = out[key];
            if (svc->hasSelector) {
                for (const auto* dep : ws.deploymentsSelectedBy(*svc)) {
                    int port = sp.targetPort.number.value_or(sp.port);
                    if (sp.targetPort.name) {
                        for (const auto& c : dep->containers)
                            for (const auto& cp : c.ports)
                                if (cp.name == *sp.targetPort.name) port = cp.containerPort;
                    }
                    for (int i = 0; i < dep->replicas; ++i)
                        list.push_back({"127.0.0.1", port, dep->meta.name + "-" + std::to_string(i)});
                }
            } else {
                if (const auto* eps = ws.endpoints(svc->meta.ns, svc->meta.name)) {
                    for (const auto& subset : eps->subsets) {
                        for (const auto& p : subset.ports) {
                            if (!(p.name == sp.name || (svc->ports.size() == 1 && subset.ports.size() == 1))) continue;
                            for (const auto& a : subset.addresses)
                                if (a.ready) list.push_back({a.ip, p.port, ""});
                        }
                    }
                }
                for (const auto* slice : ws.endpointSlices(svc->meta.ns, svc->meta.name)) {
                    for (const auto& p : slice->ports) {
                        if (!(p.name == sp.name || (svc->ports.size() == 1 && slice->ports.size() == 1))) continue;
                        for (const auto& a : slice->endpoints) {
                            if (!a.ready) continue;
                            Endpoint e{a.ip, p.port, ""};
                            bool dup = false;
                            for (const auto& x : list) dup = dup || x == e;
                            if (!dup) list.push_back(e);
                        }
                    }
                }
            }
            if (list.empty()) out.erase(key);
        }
    }
    return out;
}

}  // namespace ilab::routing
