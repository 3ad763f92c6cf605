#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/kube/cluster_connection.h"
#include "core/kube/credentials.h"
#include "core/kube/informer.h"
#include "core/kube/port_forward.h"
#include "core/model/workspace.h"
#include "core/routing/route_table.h"

namespace ilab::kube {

// A workspace Service whose endpoints come from the cluster: its ports as the workspace declares them (name and
// Service port number: the EndpointMap key the route table looks up).
struct ClusterBackedService {
    std::string name;
    std::vector<std::pair<std::string, int>> ports;  // (port name, Service port)
};

// Which workspace Services of namespace `ns` the cluster backs (what `serve --cluster-backends/--cluster-backend`
// and the lab's "Use cluster pods" toggle both use): with `all`, every one that also exists in the cluster
// (`inCluster`: the Service names of that namespace); plus every one named in `chosen`. A chosen name that is not a
// workspace Service of `ns`, or not in the cluster, is an error (the sentence names it; services is then empty).
struct ClusterBackedSelection {
    std::vector<ClusterBackedService> services;  // in workspace order
    std::string error;
};
ClusterBackedSelection selectClusterBackedServices(const model::Workspace& ws, const std::string& ns,
                                                   const std::set<std::string>& inCluster, bool all,
                                                   std::set<std::string> chosen = {});

// Live endpoints of cluster-backed Services for the local controller (issue 13 item 1): an EndpointSlice informer
// on one namespace; every ready endpoint with a Pod targetRef becomes one endpoint of its Service, reached through
// a native port-forward (PortForward) to that pod's port on 127.0.0.1:<local>, named after the real pod so the
// access log and the charts show it. The slice port is matched to the Service port by name (or the only port).
// Tunnels follow the endpoints: a new pod gets one; a pod that leaves every slice is dropped from the map at once
// and its tunnel closed after GRACE_MS (connections the proxy opened before the new table keep working).
// PodReach::Direct (cluster.md §3.4: pod IPs are routable from the host with minikube's none/docker driver on
// Linux, or with a route to kind's pod CIDR): each pod is first probed with a TCP connect to its EndpointSlice
// address and pod port (PROBE_MS); a pod that answers is reached at podIP:port with no tunnel, one that does not
// falls back to its port-forward, and the decision with its reason goes out through reachDecided. A pod joins the
// map once its probe is decided (a few ms for a reachable one). The decision is kept while the pod keeps its IP.
//
// Thread: lives on the thread that creates it (needs an event loop; the informer and listeners run there).
// `changed` is called on that thread with the whole map of cluster-backed Services after every change.
// True when the kernel would send packets for `address` through the default route only: the longest matching
// entry of `procNetRoute` (the text of Linux's /proc/net/route, IPv4) has mask 0. Pod IPs of a local cluster are
// reached through a route of their own (minikube's bridge, a route to kind's pod CIDR) or are local addresses;
// through the default gateway a TCP connect may still "answer" (a transparent proxy, a firewall that accepts
// everything), which is not the pod. False when it cannot tell (IPv6, loopback, no matching entry). Pure.
bool onlyViaDefaultRoute(const QHostAddress& address, const QByteArray& procNetRoute);

enum class PodReach {
    PortForward,  // a native port-forward per pod (works everywhere the API server can reach the kubelet)
    Direct,       // the pod's IP when a TCP probe answers, else the port-forward
};

class ClusterEndpoints : public QObject {
    Q_OBJECT
public:
    static constexpr int GRACE_MS = 2000;
    // A routable pod answers a connect within a round trip (sub-millisecond on a host route); an unroutable one
    // fails at once (no route) or never answers (dropped): 300 ms bounds that wait per pod.
    static constexpr int PROBE_MS = 300;

    ClusterEndpoints(RestClient& client, ClusterConnection connection, std::string ns,
                     std::vector<ClusterBackedService> services, std::string endpointSliceVersion = "v1beta1",
                     QObject* parent = nullptr);
    ~ClusterEndpoints() override;

    void setChangedCallback(std::function<void(const routing::EndpointMap&)> changed) { m_changed = std::move(changed); }
    // The credentials of the session that owns `client` (call before start()): the port-forwards then authenticate
    // exactly as its REST requests do, exec plugins included (run with the consent the session already holds).
    // Without it each port-forward gets a provider of its own with no consent store, which refuses exec plugins
    // ("not approved").
    void setCredentials(std::shared_ptr<CredentialProvider> credentials) {
        if (credentials) m_credentials = std::move(credentials);
    }
    // How pods are reached (call before start()); PortForward by default.
    void setPodReach(PodReach reach) { m_reach = reach; }
    PodReach podReach() const { return m_reach; }
    void start();
    const routing::EndpointMap& endpoints() const { return m_map; }
    int tunnelCount() const { return int(m_forwards.size()); }
    bool hasSynced() const { return m_informer && m_informer->hasSynced(); }
    // "lab/web-a:8080 -> 127.0.0.1:41234" per open tunnel, for the ready output.
    std::vector<std::string> describeTunnels() const;
    // "127.0.0.1:41234" -> "web-5d8c-a:8080" per open tunnel: the pod and pod port behind each local address.
    std::map<std::string, std::string> podByTunnelAddress() const;

signals:
    void tunnelFailed(const QString& message);
    // PodReach::Direct: how a pod is reached and why, e.g. "pod lab/web-a:8080: direct 10.244.0.5:8080 (answered
    // a TCP connect)" or "pod lab/web-b:8080: port-forward (10.244.0.6:8080 did not answer within 300 ms)".
    void reachDecided(const QString& line);

private:
    struct Reach {
        std::string ip;
        bool decided = false;
        bool direct = false;
    };
    void onSnapshot(const StoreConstSharedPtr& store);
    void probe(const std::pair<std::string, int>& key, const std::string& ip);

    RestClient& m_client;
    ClusterConnection m_connection;
    std::shared_ptr<CredentialProvider> m_credentials;
    std::string m_ns;
    std::vector<ClusterBackedService> m_services;
    std::unique_ptr<Informer> m_informer;
    std::map<std::pair<std::string, int>, std::unique_ptr<PortForward>> m_forwards;  // (pod, pod port)
    routing::EndpointMap m_map;
    std::function<void(const routing::EndpointMap&)> m_changed;
    PodReach m_reach = PodReach::PortForward;
    std::map<std::pair<std::string, int>, Reach> m_reachByPod;  // (pod, pod port); Direct mode only
    StoreConstSharedPtr m_lastStore;                             // recomputed when a probe is decided
};

}  // namespace ilab::kube
