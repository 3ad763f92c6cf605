#pragma once

#include <QJsonObject>

#include <string>
#include <vector>

#include "core/kube/kubeconfig.h"

namespace ilab::kube {

// Which local cluster distribution a context points at (shared/cluster.md §1.3), for the user's orientation and
// for choosing how test traffic reaches the cluster:
//   kubeconfig  minikube writes an extension with provider "minikube.sigs.k8s.io" on the cluster, the context
//               (and sometimes the user); kind names cluster, user and context "kind-NAME";
//   Nodes       kind nodes have spec.providerID "kind://PROVIDER/CLUSTER/NODE" and are named "CLUSTER-control-plane"
//               / "CLUSTER-worker[N]"; minikube labels its nodes minikube.k8s.io/name=PROFILE.
// Nodes, when readable, win over the kubeconfig (a renamed context proves nothing). Pure functions.
struct Distribution {
    enum class Kind { Unknown, Kind, Minikube };
    Kind kind = Kind::Unknown;
    std::string name;      // kind cluster name / minikube profile
    std::string evidence;  // "context name kind-ilab", "node lab-control-plane providerID", ...

    bool known() const { return kind != Kind::Unknown; }
    // "kind" / "minikube" / "" (for a table column)
    std::string label() const;
    // "kind (cluster ilab; context name kind-ilab)", "minikube (profile minikube; ...)", "unknown"
    std::string text() const;
};

// From the kubeconfig entries of `contextName` (empty: current-context). Unknown when the context is not defined.
Distribution distributionFromKubeconfig(const Kubeconfig& config, const std::string& contextName);
// From the cluster's Nodes (GET /api/v1/nodes items). Unknown when none says.
Distribution distributionFromNodes(const std::vector<QJsonObject>& nodes);
// Nodes first, else the kubeconfig.
Distribution combineDistribution(const Distribution& fromNodes, const Distribution& fromKubeconfig);

}  // namespace ilab::kube
