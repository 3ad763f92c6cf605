#pragma once

#include <QJsonObject>
#include <QObject>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/kube/api_error.h"
#include "core/kube/resource.h"

// Where to send test traffic so that it reaches the cluster's own ingress controller (cluster.md §3.3), and which
// rule chose that address. The resolver is a pure function over the objects the API server returned (Ingresses,
// IngressClasses, the controller's Services and Pods, Nodes); collectClusterView() lists them through a
// RestClient; chooseTarget() probes the candidates in order and takes the first that answers.
//
// Order of the rules (the first reachable candidate wins):
//   ingress-status        an Ingress that serves the traffic's hosts has status.loadBalancer.ingress[] (ip, or
//                         hostname; "localhost" -> 127.0.0.1: the kind manifest's --publish-status-address)
//   service-loadbalancer  the controller Service is type LoadBalancer with status.loadBalancer.ingress[]
//   service-nodeport      the controller Service's nodePorts on each node's InternalIP (then ExternalIP)
//   pod-hostport          a Running controller pod with hostPort 80/443, on its node's address (status.hostIP)
//   kind-port-mapping     a kind node (providerID kind://, or context kind-*) and a controller pod with hostPorts:
//                         kind's extraPortMappings publish them on 127.0.0.1 (the documented kind config)
//   minikube-tunnel       a minikube node (label minikube.k8s.io/name): `minikube tunnel` puts 80/443 on 127.0.0.1
//                         (the docker driver on macOS/Windows, where the node address is not reachable)
//   port-forward          a Running controller pod, reached through a port-forward the caller sets up
//
// Traffic keeps its real Host and SNI: the URL keeps the real host, and libcurl's CURLOPT_CONNECT_TO
// (connectTo()) sends the TCP connection to the chosen address. /etc/hosts is never touched.
// Pure functions except collectClusterView (async, results on `context`'s thread) and tcpReachable (blocks for
// at most its timeout).
namespace ilab::kube {


enum class TargetRule { IngressStatus, ServiceLoadBalancer, ServiceNodePort, PodHostPort, KindPortMapping, MinikubeTunnel, PortForward };

// The machine id of a rule ("ingress-status", "service-nodeport", ...), as in --json output and the GUI.
const char* targetRuleId(TargetRule rule);

// One place the controller can be reached.
struct ControllerTarget {
    TargetRule rule = TargetRule::PortForward;
    std::string address;  // IP or host name to connect to (empty for port-forward until it is set up)
    int httpPort = 0;     // 0: no HTTP port known
    int httpsPort = 0;    // 0: no HTTPS port known
    std::string explanation;  // one human sentence: which object and field gave this address
    // port-forward: the pod and its container ports (the caller forwards local ports to them)
    std::string podNamespace, podName;
    int podHttpPort = 0, podHttpsPort = 0;

    std::string ruleId() const { return targetRuleId(rule); }
    // "HOST:PORT:ADDRESS:TARGETPORT" for CURLOPT_CONNECT_TO / curl --connect-to, for a URL on host:port;
    // empty when this target has no port for that scheme.
    std::string connectTo(const std::string& host, int port, bool https) const;
    std::string describe() const;  // "127.0.0.1:80/443 (ingress-status): Ingress default/shop status.loadBalancer ..."
};

// The objects the resolver reads, as the API server returned them.
struct ClusterView {
    std::string contextName;
    std::vector<QJsonObject> ingresses;       // the workload namespace's (or all namespaces')
    std::vector<QJsonObject> ingressClasses;
    std::vector<QJsonObject> services;        // the controller's (label selector), in the controller namespace
    std::vector<QJsonObject> pods;            // the controller's pods
    std::vector<QJsonObject> nodes;
};

struct ResolveOptions {
    std::vector<std::string> hosts;  // hosts the traffic is for: only their Ingresses' status counts (empty: any)
    std::string controllerNamespace = "ingress-nginx";
    // The controller's Services and Pods (ingress-nginx's deploy manifests, the chart and minikube's addon).
    std::string controllerSelector = "app.kubernetes.io/component=controller,app.kubernetes.io/name=ingress-nginx";
};

struct TargetResolution {
    std::vector<ControllerTarget> candidates;  // in rule order
    std::optional<ControllerTarget> chosen;    // the first candidate that answered the probe
    std::vector<std::string> notes;  // warnings and skipped candidates ("192.168.49.2:80 did not answer ...")
    std::string controllerClass;     // IngressClass.spec.controller of the traffic's Ingresses ("" when unknown)
};

// All candidates in rule order, deduplicated by (address, ports). `notes` gets warnings: an IngressClass whose
// controller is not k8s.io/ingress-nginx, no controller Service/Pod found, ...
TargetResolution targetCandidates(const ClusterView& view, const ResolveOptions& options);

// Probes the candidates in order (port-forward candidates are not probed: the caller sets them up) and sets
// `chosen` to the first that answers, adding a note for each one that did not.
using TargetProbe = std::function<bool(const ControllerTarget&)>;
void chooseTarget(TargetResolution& resolution, const TargetProbe& probe);

// A TCP connect to address:port within `timeout` (cluster.md §3.3 step 3: 200 ms). Resolves host names.
bool tcpReachable(const std::string& address, int port, std::chrono::milliseconds timeout);
// The default probe: TCP connect to the HTTP port (else the HTTPS port), 200 ms.
bool probeTarget(const ControllerTarget& target);

class RestClient;
// Lists what targetCandidates needs: Ingresses in `ns` (all when empty), IngressClasses, the controller's Services
// and Pods (options.controllerNamespace + selector) and Nodes. A 403 on IngressClasses or Nodes is not fatal
// (a namespaced user often may not list them; those rules are then skipped, with a note in `notes`); any other
// error is passed to `done` with what was collected so far.
void collectClusterView(RestClient& client, const std::string& ns, const ResolveOptions& options, QObject* context,
                        std::function<void(ClusterView view, std::vector<std::string> notes,
                                           std::optional<RestError> error)> done);

}  // namespace ilab::kube
