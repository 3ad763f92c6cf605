#pragma once

// Shared helpers for routing unit tests: compile embedded YAML with every Service ready (one endpoint per port).

#include <set>
#include <string>

#include "core/routing/route_table.h"
#include "core/yaml/yaml_reader.h"

namespace ilab::testing {

struct Compiled {
    model::Workspace ws;
    routing::EndpointMap endpoints;
    routing::CompileResult result;
    const routing::RouteTable& table() const { return *result.table; }
};

inline routing::ControllerSettings claimAll(routing::Profile p = routing::Profile::IngressNginx) {
    routing::ControllerSettings s;
    s.profile = p;
    s.claimAllIngresses = true;
    return s;
}

// Every Service in `yaml` gets one ready endpoint per port, except those named in `withoutEndpoints`.
inline Compiled compileYaml(const std::string& yaml, const routing::ControllerSettings& settings = claimAll(),
                            const std::set<std::string>& withoutEndpoints = {}) {
    Compiled c;
    yaml::readText(yaml, "test.yaml", c.ws);
    int n = 1;
    for (const auto* svc : c.ws.all<model::Service>()) {
        if (withoutEndpoints.count(svc->meta.name)) continue;
        for (const auto& p : svc->ports)
            c.endpoints[routing::EndpointKey{svc->meta.ns, svc->meta.name, p.port}] = {{"10.0.0." + std::to_string(n++), p.port, svc->meta.name + "-0"}};
    }
    c.result = routing::RouteTable::compile(c.ws, settings, &c.endpoints);
    return c;
}

inline routing::RequestView get(const std::string& host, const std::string& target, const std::string& scheme = "http") {
    routing::RequestView r;
    r.host = host;
    r.target = target;
    r.scheme = scheme;
    r.listenPort = scheme == "https" ? 443 : 80;
    if (scheme == "https") r.sni = host;
    return r;
}

// "svc:port", "null" when no backend is contacted.
inline std::string backendOf(const routing::Decision& d) {
    if (!d.contactsBackend() || !d.backend) return "null";
    return d.backend->service + ":" + d.backend->port;
}

inline std::string services(std::initializer_list<const char*> names, int port = 80) {
    std::string out;
    for (const char* n : names)
        out += std::string("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ") + n + "\nspec:\n  ports:\n  - port: " +
               std::to_string(port) + "\n";
    return out;
}

inline bool traceContains(const routing::Decision& d, const std::string& needle) {
    for (const auto& t : d.trace)
        if (t.find(needle) != std::string::npos) return true;
    return false;
}

}  // namespace ilab::testing
