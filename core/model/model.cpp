#include <algorithm>

#include "core/model/ingress.h"
#include "core/model/resource.h"
#include "core/model/workload.h"
#include "core/model/workspace.h"

namespace ilab::model {

const char* toString(PathType t) {
    switch (t) {
    case PathType::Exact: return "Exact";
    case PathType::Prefix: return "Prefix";
    case PathType::ImplementationSpecific: return "ImplementationSpecific";
    }
    return "Prefix";
}

std::optional<PathType> parsePathType(const std::string& s) {
    if (s == "Exact") return PathType::Exact;
    if (s == "Prefix") return PathType::Prefix;
    if (s == "ImplementationSpecific") return PathType::ImplementationSpecific;
    return std::nullopt;
}

std::optional<PathType> HTTPIngressPath::pathTypeEnum() const {
    return pathType ? parsePathType(*pathType) : std::nullopt;
}

const ServicePort* Service::findPort(int number) const {
    for (const auto& p : ports)
        if (p.port == number) return &p;
    return nullptr;
}

const ServicePort* Service::findPortByName(const std::string& name) const {
    for (const auto& p : ports)
        if (!p.name.empty() && p.name == name) return &p;
    return nullptr;
}

std::string Container::imageTag() const {
    // registry:5000/app:1.2@sha256:... -> 1.2 ; app -> latest
    std::string img = image.substr(0, image.find('@'));
    auto slash = img.rfind('/');
    auto colon = img.rfind(':');
    if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return "latest";
    return img.substr(colon + 1);
}

bool selectorMatches(const std::map<std::string, std::string>& selector, const std::map<std::string, std::string>& labels) {
    if (selector.empty()) return false;
    for (const auto& [k, v] : selector) {
        auto it = labels.find(k);
        if (it == labels.end() || it->second != v) return false;
    }
    return true;
}

SourcePos SourceInfo::find(const std::string& fieldPath) const {
    std::string p = fieldPath;
    while (!p.empty()) {
        auto it = fields.find(p);
        if (it != fields.end()) return it->second;
        // strip the last segment: ".name", "[3]" or "[key]"
        auto dot = p.find_last_of('.');
        auto bracket = p.find_last_of('[');
        std::size_t cut = std::string::npos;
        if (!p.empty() && p.back() == ']' && bracket != std::string::npos) cut = bracket;
        else if (dot != std::string::npos) cut = dot;
        if (cut == std::string::npos || cut == 0) break;
        p.resize(cut);
    }
    auto it = fields.find(p);
    return it != fields.end() ? it->second : pos;
}

std::vector<const Resource*> Workspace::ofKind(const std::string& kind) const {
    std::vector<const Resource*> out;
    for (const auto& r : resources)
        if (r.kind == kind) out.push_back(&r);
    return out;
}

const Resource* Workspace::find(const std::string& kind, const std::string& ns, const std::string& name) const {
    for (const auto& r : resources)
        if (r.kind == kind && r.meta.ns == ns && r.meta.name == name) return &r;
    return nullptr;
}

const Service* Workspace::service(const std::string& ns, const std::string& name) const {
    const Resource* r = find("Service", ns, name);
    return r ? r->as<Service>() : nullptr;
}

const Secret* Workspace::secret(const std::string& ns, const std::string& name) const {
    const Resource* r = find("Secret", ns, name);
    return r ? r->as<Secret>() : nullptr;
}

const Endpoints* Workspace::endpoints(const std::string& ns, const std::string& name) const {
    const Resource* r = find("Endpoints", ns, name);
    return r ? r->as<Endpoints>() : nullptr;
}

std::vector<const EndpointSlice*> Workspace::endpointSlices(const std::string& ns, const std::string& serviceName) const {
    std::vector<const EndpointSlice*> out;
    for (const auto* s : all<EndpointSlice>())
        if (s->meta.ns == ns && s->serviceName() == serviceName) out.push_back(s);
    return out;
}

std::vector<const Deployment*> Workspace::deploymentsSelectedBy(const Service& svc) const {
    std::vector<const Deployment*> out;
    if (!svc.hasSelector) return out;
    for (const auto* d : all<Deployment>())
        if (d->meta.ns == svc.meta.ns && selectorMatches(svc.selector, d->templateLabels)) out.push_back(d);
    return out;
}

const ConfigMap* Workspace::controllerConfigMap() const {
    for (const auto* c : all<ConfigMap>())
        if (c->meta.name == CONTROLLER_CONFIGMAP_NAME) return c;
    return nullptr;
}

const Resource* Workspace::resourceOf(const Ingress& ing) const {
    return find("Ingress", ing.meta.ns, ing.meta.name);
}

Workspace Workspace::clone() const {
    Workspace w;
    w.files = files;
    w.loadDiagnostics = loadDiagnostics;
    w.resources = resources;
    for (auto& r : w.resources) r.node = YAML::Clone(r.node);
    return w;
}

bool Workspace::operator==(const Workspace& other) const {
    if (resources.size() != other.resources.size()) return false;
    for (std::size_t i = 0; i < resources.size(); ++i) {
        const Resource& a = resources[i];
        const Resource& b = other.resources[i];
        if (a.kind != b.kind || a.apiVersion != b.apiVersion || !(a.meta == b.meta) || !(a.object == b.object)) return false;
    }
    return true;
}

}  // namespace ilab::model
