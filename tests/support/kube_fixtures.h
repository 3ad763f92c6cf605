#pragma once

#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QStringList>

#include "core/kube/kubeconfig.h"

// Cluster objects for tests against the real kube-apiserver (support/kube_server.h), written through the real API
// with the real kubectl (admin). Together with the stand-in kubelet (support/fake_kubelet.h) they make "cluster"
// pods that the API server can port-forward to and stream logs of:
//
//   FakeKubelet kubelet; kubelet.start(kube.dir() + "/pki");
//   kubefix::addNode(kube, "fake-node", kubelet.port(), &err);
//   kubefix::addRunningPod(kube, {.ns = "lab", .name = "web-0", .node = "fake-node", .labels = {{"app","web"}},
//                                 .ports = {{"http", 8080}}, .ip = "10.244.0.10"}, &err);
//   kubelet.setPodPort("lab", "web-0", 8080, simulatedPod.port());
//   kubefix::addService(kube, "lab", "web", {{"app","web"}}, {{"http", 80, 8080}}, &err);
//   kubefix::putEndpointSlice(kube, "lab", "web-abc", "web", {{"http", 8080}}, {{"10.244.0.10", "web-0"}}, &err);
//
// Every function blocks until kubectl is done and returns false with *error (kubectl's output) on failure.
namespace ilab::testing {

class KubeServer;

namespace kubefix {

// The connection (server, CA, user's credentials) of a kubeconfig file such as kube.kubeconfig("admin-oidc"),
// resolved by the product's kubeconfig loader with no KUBECONFIG from the environment. Fatal when it does not load.
kube::ClusterConnection connectionFrom(const QString& kubeconfigFile);

bool ensureNamespace(const KubeServer& kube, const QString& ns, QString* error);

// Node `name` whose only address is InternalIP 127.0.0.1 and whose kubelet listens on `kubeletPort`
// (status.daemonEndpoints.kubeletEndpoint.Port), condition Ready.
bool addNode(const KubeServer& kube, const QString& name, int kubeletPort, QString* error);

struct PodSpec {
    QString ns = QStringLiteral("default");
    QString name;
    QString node = QStringLiteral("fake-node");
    QMap<QString, QString> labels;
    QList<QPair<QString, int>> ports;  // named containerPorts of the first container
    QString ip;                        // status.podIP / podIPs (e.g. 10.244.0.10: not reachable from here)
    QStringList containers = {QStringLiteral("app")};
};

// Creates the Pod bound to its node (spec.nodeName) and sets it Running and Ready through pods/{name}/status.
bool addRunningPod(const KubeServer& kube, const PodSpec& pod, QString* error);
bool deletePod(const KubeServer& kube, const QString& ns, const QString& name, QString* error);

struct ServicePort {
    QString name;
    int port = 80;
    int targetPort = 8080;
};
bool addService(const KubeServer& kube, const QString& ns, const QString& name, const QMap<QString, QString>& selector,
                const QList<ServicePort>& ports, QString* error);

struct SliceEndpoint {
    QString ip;
    QString pod;  // targetRef Pod name
    bool ready = true;
};
// Creates or replaces EndpointSlice `name` (discovery.k8s.io/v1beta1, label kubernetes.io/service-name=service).
bool putEndpointSlice(const KubeServer& kube, const QString& ns, const QString& name, const QString& service,
                      const QList<QPair<QString, int>>& ports, const QList<SliceEndpoint>& endpoints, QString* error);
bool deleteEndpointSlice(const KubeServer& kube, const QString& ns, const QString& name, QString* error);

}  // namespace kubefix
}  // namespace ilab::testing
