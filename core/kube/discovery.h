#pragma once

#include <QObject>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/kube/resource.h"
#include "core/kube/rest_client.h"

namespace ilab::kube {

struct ApiResourceInfo {
    ResourceRef ref;  // kind and namespaced from the APIResourceList
    std::vector<std::string> verbs, shortNames;
};

struct ApiGroupInfo {
    std::string name;
    std::vector<std::string> versions;  // in the server's order (preferred first on kube-apiserver)
    std::string preferredVersion;
};

// What the server offers, from GET /api, GET /apis and the APIResourceLists of the group versions Ingress Lab
// uses (core v1, networking.k8s.io/v1, discovery.k8s.io v1 or v1beta1).
struct DiscoveryResult {
    std::vector<std::string> coreVersions;
    std::vector<ApiGroupInfo> groups;
    std::vector<ApiResourceInfo> resources;  // of the group versions fetched (subresources such as "x/status" left out)
    // The resources to use on this server; empty when the server lacks them (Ingress v1 needs 1.19+).
    std::optional<ResourceRef> ingress, ingressClass, endpointSlice;

    bool hasGroupVersion(const std::string& group, const std::string& version) const;
    std::optional<ResourceRef> find(const std::string& group, const std::string& version, const std::string& resource) const;
};

// Runs discovery; `done` gets the result, or the first error that made it impossible (GET /api or /apis failing).
// A group version listed in /apis whose resource list answers 404 is skipped (servers do that while an
// aggregated API is down).
void discover(RestClient& client, QObject* context,
              std::function<void(const DiscoveryResult&, const std::optional<RestError>&)> done);

// Parsers, exposed for tests: the JSON of GET /api, GET /apis and GET /apis/<g>/<v>.
std::vector<std::string> parseApiVersions(const QJsonObject& apiVersions);
std::vector<ApiGroupInfo> parseApiGroupList(const QJsonObject& apiGroupList);
std::vector<ApiResourceInfo> parseApiResourceList(const QJsonObject& apiResourceList);

}  // namespace ilab::kube
