#pragma once

#include <QJsonObject>

#include <string>
#include <vector>

#include "core/kube/resource.h"

// What a pull takes besides the Ingresses themselves: the objects they use. One copy for `ingress-lab-cli cluster
// pull` and the GUI's Cluster panel (both fetch what this names and clean it with kube::cleanPulledObject).
// Pure functions.
namespace ilab::kube {

// ingress-nginx's manifests (deploy/static/provider/*) put the controller's ConfigMap here.
inline constexpr const char* CONTROLLER_CONFIGMAP_NAMESPACE = "ingress-nginx";
inline constexpr const char* CONTROLLER_CONFIGMAP_NAME = "ingress-nginx-controller";

struct PullDependency {
    ResourceRef ref;
    std::string ns;    // "" for cluster-scoped kinds
    std::string name;
    std::string usedBy;  // " (used by Ingress ns/name)", for messages
    bool operator==(const PullDependency& o) const { return ref == o.ref && ns == o.ns && name == o.name; }
};

// The objects `ingresses` use, each once, in this order per Ingress: backend Services (defaultBackend, then the
// rules' paths, sorted), TLS Secrets (spec.tls[].secretName), the IngressClass (ingressClassOf, else
// `defaultClass` when not empty).
std::vector<PullDependency> ingressDependencies(const std::vector<QJsonObject>& ingresses, const std::string& defaultClass);
// True when one of `ingresses` names no class (so the default IngressClass is needed).
bool needsDefaultIngressClass(const std::vector<QJsonObject>& ingresses);
// The name of the IngressClass marked ingressclass.kubernetes.io/is-default-class: "true", or "".
std::string defaultIngressClassName(const std::vector<QJsonObject>& classes);

}  // namespace ilab::kube
