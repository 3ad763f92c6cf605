#pragma once

#include <QGraphicsView>
#include <QHash>
#include <QVector>

#include "core/model/workspace.h"

class QGraphicsScene;
class QGraphicsSimpleTextItem;
class QGraphicsPathItem;
class QGraphicsRectItem;

namespace ilab::ui {

// A running simulated pod as the map shows it.
struct MapPod {
    QString ns, name, deployment, address;  // address "127.0.0.1:34567"
    bool ready = true;
};

// The routing map (issue 7 item 5): hosts -> paths -> services -> pods, drawn left to right, with live request
// counts and percentages on the edges (Kiali style: the share of the parent's traffic) and pod health colours.
// Clicking a node asks the editor to select the object; a pod's or Service's context menu offers kill, restart
// and scale, which the lab forwards to the controller. GUI thread; the structure is rebuilt only when the
// workspace or the pod list changes, counts only relabel edges.
class RoutingMap : public QGraphicsView {
    Q_OBJECT
public:
    explicit RoutingMap(QWidget* parent = nullptr);

    void setWorkspace(const model::Workspace& ws);
    // Pods known to the running controller (empty when stopped: replicas are then drawn from the Deployments).
    void setPods(const QVector<MapPod>& pods);
    // Cumulative requests per upstream name ("default-web-80") and per pod name; relabels the edges.
    void setCounts(const QHash<QString, quint64>& upstreamCounts, const QHash<QString, quint64>& podCounts);

    // For tests: edge label text by "from->to" node key, and the node keys.
    QString edgeLabelForTest(const QString& from, const QString& to) const;
    QStringList nodeKeysForTest() const;
    // Pretends a click on a node (what mousePressEvent does).
    void clickNodeForTest(const QString& key);

Q_SIGNALS:
    void objectClicked(const QString& kind, const QString& ns, const QString& name);
    void killPodRequested(const QString& ns, const QString& pod);
    void restartDeploymentRequested(const QString& ns, const QString& deployment);
    void scaleDeploymentRequested(const QString& ns, const QString& deployment, int replicas);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    struct Node {
        QString key;       // "host:a.example.com", "path:a.example.com|/api", "svc:default/web", "pod:default/web-0"
        QString kind;      // object kind to select in the editor: Ingress, Service, Deployment, Pod
        QString ns, name;  // object to select (for a path: its Ingress)
        QString label;
        int column = 0;
        QString deployment;  // pods: owning Deployment; services: first selected Deployment
        int replicas = 0;    // services: replicas of the Deployment
        bool ready = true;
        QGraphicsRectItem* item = nullptr;
    };
    struct Edge {
        QString from, to;
        QString upstream;    // for path->service edges: the upstream name whose count it shows
        QGraphicsPathItem* item = nullptr;
        QGraphicsSimpleTextItem* label = nullptr;
        quint64 count = 0;
    };

    void rebuild();
    void relabel();
    const Node* nodeAt(const QPoint& viewPos) const;
    Node& addNode(const QString& key, const QString& kind, const QString& ns, const QString& name,
                  const QString& label, int column);
    void addEdge(const QString& from, const QString& to, const QString& upstream = {});

    QGraphicsScene* m_scene = nullptr;
    model::Workspace m_ws;
    QVector<MapPod> m_pods;
    QHash<QString, quint64> m_upstreamCounts, m_podCounts;
    QVector<Node> m_nodes;
    QHash<QString, int> m_nodeIndex;
    QVector<Edge> m_edges;
    // The map is wider and taller than the lab's area: once traffic shows up after a rebuild, the view scrolls
    // to the busiest path -> service edge (once, so it never fights the user's scrolling).
    bool m_focusedOnTraffic = false;
};

}  // namespace ilab::ui
