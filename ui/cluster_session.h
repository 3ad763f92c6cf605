#pragma once

namespace ilab::ui {

// The wiring point for a session with a Kubernetes cluster (kubeconfig context, API client, port-forwards:
// shared/cluster.md section 7). The composition root will create the implementation and hand it to the main
// window through AppServices::cluster. Nothing implements it yet, so the main window receives null and offers
// no cluster features; the operations are added together with the first implementation.
class ClusterSession {
public:
    virtual ~ClusterSession() = default;
};

}  // namespace ilab::ui
