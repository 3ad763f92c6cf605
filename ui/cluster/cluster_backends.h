#pragma once

#include <QHash>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <string>
#include <vector>

#include "core/kube/cluster_endpoints.h"
#include "core/model/workspace.h"
#include "core/routing/route_table.h"

namespace ilab::ui {

class ClusterSession;

// The lab on top of the cluster (issue 13 item 1): while enabled and connected, the workspace Services that also
// exist in the session's namespace are backed by the cluster's pods. It runs the same core code as
// `ingress-lab-cli serve --cluster-backends`: kube::selectClusterBackedServices picks the Services (from the
// session's live Services informer), kube::ClusterEndpoints follows their EndpointSlices and opens one native
// port-forward per pod; every change of the endpoint map is emitted for LocalController::setClusterEndpoints
// (through ControllerLink). The selection follows the workspace and the cluster's Services; the tunnels and the
// informer are dropped before the session's REST client goes (ClusterSession::clientAboutToBeDestroyed), and the
// map is emptied when turned off or disconnected, so the simulated pods answer again.
//
// Thread: GUI thread (the informer's callbacks are queued there; each port-forward listener accepts there and
// runs its tunnels on threads of its own). Owned by the LabPanel.
class ClusterBackends : public QObject {
    Q_OBJECT
public:
    explicit ClusterBackends(ClusterSession* session, QObject* parent = nullptr);
    ~ClusterBackends() override;

    void setWorkspace(const model::Workspace& ws);
    void setEnabled(bool on);
    // "Reach pods: port-forward / directly by pod IP (when reachable)" (kube::PodReach); changing it re-creates
    // the endpoints.
    void setPodReach(kube::PodReach reach);
    kube::PodReach podReach() const { return m_reach; }
    // PodReach::Direct: one line per pod, how it is reached and why ("pod default/web-a:8080: direct ...").
    QStringList reachDecisions() const;
    bool isEnabled() const { return m_enabled; }
    // Connected (or reconnecting): the toggle can do something.
    bool isAvailable() const;
    QString ns() const;  // the session's namespace ("" when not connected)

    QStringList backedServices() const;  // names, workspace order
    const routing::EndpointMap& endpoints() const { return m_map; }
    // "127.0.0.1:41234" -> "web-5d8c-a": the tunnel of each cluster pod (the access log's Pod column, the map).
    QHash<QString, QString> podByAddress() const;
    // Cluster pods per backed Service ("default/agent-stable" -> pod names), for the routing map.
    QHash<QString, QStringList> podsByService() const;
    // One line for the lab: what is backed by which pods, what it waits for, or why nothing is.
    QString statusText() const { return m_status; }
    int tunnelCountForTest() const;

signals:
    void endpointsChanged(const ilab::routing::EndpointMap& endpoints);
    void statusChanged(const QString& text);
    void availabilityChanged();

private:
    void reconcile();
    void dropEndpoints();
    void discover();
    void setStatus(const QString& text);
    void onEndpoints(const routing::EndpointMap& map);

    ClusterSession* m_session;
    model::Workspace m_ws;
    bool m_enabled = false;
    std::string m_sliceVersion;  // EndpointSlice API version of this connection ("" until discovered)
    bool m_discovering = false;
    quint64 m_generation = 0;  // bumped whenever the client goes: discovery answers of an old client are ignored
    std::vector<kube::ClusterBackedService> m_services;  // what m_endpoints backs
    std::unique_ptr<kube::ClusterEndpoints> m_endpoints;
    routing::EndpointMap m_map;
    QString m_status, m_tunnelError;
    kube::PodReach m_reach = kube::PodReach::PortForward;
    QMap<QString, QString> m_reachDecisions;  // "pod ns/name:port" -> its whole line
};

}  // namespace ilab::ui
