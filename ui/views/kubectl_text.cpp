#include "ui/views/kubectl_text.h"

#include <algorithm>
#include <sstream>

namespace ilab::ui::kubectl {

namespace {

std::string pad(const std::string& s, std::size_t w) { return s.size() >= w ? s + " " : s + std::string(w - s.size(), ' '); }

int targetPortOf(const model::ServicePort& sp, const model::Deployment& d) {
    if (sp.targetPort.number) return *sp.targetPort.number;
    if (sp.targetPort.name)
        for (const auto& c : d.containers)
            for (const auto& p : c.ports)
                if (p.name == *sp.targetPort.name) return p.containerPort;
    return sp.port;
}

}  // namespace

std::string endpointsText(const model::Workspace& ws, const std::string& ns, const model::IngressServiceBackend& backend) {
    const model::Service* svc = ws.service(ns, backend.name);
    if (!svc) return "<error: services \"" + backend.name + "\" not found>";
    const model::ServicePort* sp = nullptr;
    if (backend.port.number) sp = svc->findPort(*backend.port.number);
    else if (backend.port.name) sp = svc->findPortByName(*backend.port.name);
    if (!sp) return "<none>";
    std::vector<std::string> eps;
    if (svc->hasSelector) {
        // pseudo pod IPs: 10.244.0.<n>, numbered over all Deployments in workspace order
        int n = 0;
        const auto selected = ws.deploymentsSelectedBy(*svc);
        for (const auto* d : ws.all<model::Deployment>()) {
            const bool mine = std::find(selected.begin(), selected.end(), d) != selected.end();
            for (int r = 0; r < d->replicas; ++r) {
                ++n;
                if (mine) eps.push_back("10.244.0." + std::to_string(n + 4) + ":" + std::to_string(targetPortOf(*sp, *d)));
            }
        }
    } else if (const model::Endpoints* e = ws.endpoints(ns, backend.name)) {
        for (const auto& subset : e->subsets)
            for (const auto& a : subset.addresses)
                if (a.ready)
                    for (const auto& p : subset.ports)
                        if (p.name == sp->name || subset.ports.size() == 1) eps.push_back(a.ip + ":" + std::to_string(p.port));
    }
    if (eps.empty()) return "<none>";
    std::string out;
    for (std::size_t i = 0; i < eps.size() && i < 3; ++i) out += (i ? "," : "") + eps[i];
    if (eps.size() > 3) out += " + " + std::to_string(eps.size() - 3) + " more...";
    return out;
}

std::string getLine(const model::Workspace& ws, const model::Ingress& ing, const std::string& address, const std::string& age) {
    std::string hosts;
    for (const auto& r : ing.spec.rules) {
        const std::string h = r.host.value_or("");
        hosts += (hosts.empty() ? "" : ",") + (h.empty() ? std::string("*") : h);
    }
    if (hosts.empty()) hosts = "*";
    std::string cls = ing.spec.ingressClassName.value_or("<none>");
    if (!ing.spec.ingressClassName) {
        for (const auto* c : ws.all<model::IngressClass>())
            if (c->isDefault()) cls = "<none>";  // kubectl prints the field, not the defaulted class
    }
    const std::string ports = ing.spec.tls.empty() ? "80" : "80, 443";
    const std::vector<std::string> header = {"NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"};
    const std::vector<std::string> row = {ing.meta.name, cls, hosts, address, ports, age};
    std::string h, l;
    for (std::size_t i = 0; i < header.size(); ++i) {
        const std::size_t w = std::max(header[i].size(), row[i].size()) + 2;
        const bool last = i + 1 == header.size();
        h += last ? header[i] : pad(header[i], w);
        l += last ? row[i] : pad(row[i], w);
    }
    return h + "\n" + l + "\n";
}

std::string describe(const model::Workspace& ws, const model::Ingress& ing, const std::string& address) {
    std::ostringstream o;
    const int w = 18;
    auto field = [&](const std::string& k, const std::string& v) { o << pad(k + ":", w) << v << "\n"; };
    field("Name", ing.meta.name);
    if (ing.meta.labels.empty()) field("Labels", "<none>");
    else {
        bool first = true;
        for (const auto& [k, v] : ing.meta.labels) {
            o << pad(first ? "Labels:" : "", w) << k << "=" << v << "\n";
            first = false;
        }
    }
    field("Namespace", ing.meta.ns);
    field("Address", address);
    field("Ingress Class", ing.spec.ingressClassName.value_or("<none>"));
    auto backendText = [&](const model::IngressBackend& b) {
        if (b.service) {
            const auto& p = b.service->port;
            const std::string port = p.number ? std::to_string(*p.number) : p.name.value_or("");
            return b.service->name + ":" + port + " (" + endpointsText(ws, ing.meta.ns, *b.service) + ")";
        }
        if (b.resource) return "APIGroup: " + b.resource->apiGroup.value_or("") + ", Kind: " + b.resource->kind + ", Name: " + b.resource->name;
        return std::string("<none>");
    };
    field("Default backend", ing.spec.defaultBackend ? backendText(*ing.spec.defaultBackend) : "<default>");
    if (!ing.spec.tls.empty()) {
        o << "TLS:\n";
        for (const auto& t : ing.spec.tls) {
            std::string hosts;
            for (const auto& h : t.hosts) hosts += (hosts.empty() ? "" : ",") + h;
            o << "  " << (t.secretName ? *t.secretName : std::string("SNI routes")) << " terminates " << hosts << "\n";
        }
    }
    o << "Rules:\n";
    std::size_t hostW = 4;
    for (const auto& r : ing.spec.rules) hostW = std::max(hostW, r.host.value_or("*").size());
    hostW += 2;
    std::size_t pathW = 4;
    for (const auto& r : ing.spec.rules)
        if (r.http)
            for (const auto& p : r.http->paths) pathW = std::max(pathW, p.path.value_or("").size());
    pathW += 2;
    o << "  " << pad("Host", hostW) << pad("Path", pathW) << "Backends\n";
    o << "  " << pad("----", hostW) << pad("----", pathW) << "--------\n";
    if (ing.spec.rules.empty()) o << "  " << pad("*", hostW) << pad("*", pathW) << (ing.spec.defaultBackend ? backendText(*ing.spec.defaultBackend) : "<default>") << "\n";
    for (const auto& r : ing.spec.rules) {
        const std::string host = r.host && !r.host->empty() ? *r.host : "*";
        o << "  " << host << "\n";
        if (!r.http) continue;
        for (const auto& p : r.http->paths)
            o << "  " << std::string(hostW, ' ') << pad(p.path.value_or(""), pathW) << backendText(p.backend) << "\n";
    }
    if (ing.meta.annotations.empty()) field("Annotations", "<none>");
    else {
        bool first = true;
        for (const auto& [k, v] : ing.meta.annotations) {
            o << pad(first ? "Annotations:" : "", w) << k << ": " << v << "\n";
            first = false;
        }
    }
    // Events: what the controller would report for this object right after a sync.
    std::vector<std::string> events;
    events.push_back("Normal   Sync   <unknown>  nginx-ingress-controller  Scheduled for sync");
    auto checkBackend = [&](const model::IngressBackend& b) {
        if (!b.service) return;
        const model::Service* s = ws.service(ing.meta.ns, b.service->name);
        if (!s) events.push_back("Warning  Sync   <unknown>  nginx-ingress-controller  Error obtaining Service endpoints: service " + ing.meta.ns + "/" + b.service->name + " not found");
        else if (endpointsText(ws, ing.meta.ns, *b.service) == "<none>")
            events.push_back("Warning  Sync   <unknown>  nginx-ingress-controller  Service " + ing.meta.ns + "/" + b.service->name + " does not have any active Endpoint");
    };
    if (ing.spec.defaultBackend) checkBackend(*ing.spec.defaultBackend);
    for (const auto& r : ing.spec.rules)
        if (r.http)
            for (const auto& p : r.http->paths) checkBackend(p.backend);
    for (const auto& t : ing.spec.tls)
        if (t.secretName && !ws.secret(ing.meta.ns, *t.secretName))
            events.push_back("Warning  Sync   <unknown>  nginx-ingress-controller  Error getting SSL certificate \"" + ing.meta.ns + "/" + *t.secretName +
                             "\": local SSL certificate " + ing.meta.ns + "/" + *t.secretName + " was not found. Using default certificate");
    o << "Events:\n";
    o << "  Type     Reason  Age        From                      Message\n";
    o << "  ----     ------  ----       ----                      -------\n";
    for (const auto& e : events) o << "  " << e << "\n";
    return o.str();
}

}  // namespace ilab::ui::kubectl
