#pragma once

#include <string>

namespace ilab::kube {

// A resource type of the API (group, version, plural name) and how to build its URLs.
struct ResourceRef {
    std::string group;     // "" for the core group
    std::string version;   // "v1"
    std::string resource;  // plural, lower case: "ingresses"
    std::string kind;      // "Ingress"
    bool namespaced = true;

    std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
    std::string groupVersionPath() const { return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version; }
    // The collection: all namespaces when `ns` is empty (or the resource is cluster-scoped).
    std::string collectionPath(const std::string& ns = {}) const {
        if (!namespaced || ns.empty()) return groupVersionPath() + "/" + resource;
        return groupVersionPath() + "/namespaces/" + ns + "/" + resource;
    }
    std::string itemPath(const std::string& ns, const std::string& name) const {
        return collectionPath(namespaced ? ns : std::string()) + "/" + name;
    }
    bool operator==(const ResourceRef&) const = default;
};

// The resources Ingress Lab works with, at the versions every supported server (1.19+) has.
inline ResourceRef ingressesV1() { return {"networking.k8s.io", "v1", "ingresses", "Ingress", true}; }
inline ResourceRef ingressClassesV1() { return {"networking.k8s.io", "v1", "ingressclasses", "IngressClass", false}; }
inline ResourceRef servicesV1() { return {"", "v1", "services", "Service", true}; }
inline ResourceRef secretsV1() { return {"", "v1", "secrets", "Secret", true}; }
inline ResourceRef configMapsV1() { return {"", "v1", "configmaps", "ConfigMap", true}; }
inline ResourceRef eventsV1() { return {"", "v1", "events", "Event", true}; }  // core v1: works on every version
inline ResourceRef namespacesV1() { return {"", "v1", "namespaces", "Namespace", false}; }
inline ResourceRef nodesV1() { return {"", "v1", "nodes", "Node", false}; }
inline ResourceRef podsV1() { return {"", "v1", "pods", "Pod", true}; }
// discovery.k8s.io/v1 from 1.21, v1beta1 on 1.17-1.24: pick with DiscoveryResult::endpointSlices.
inline ResourceRef endpointSlices(const std::string& version) {
    return {"discovery.k8s.io", version, "endpointslices", "EndpointSlice", true};
}

}  // namespace ilab::kube
