#include "ui/lab/routing_map.h"

#include <QContextMenuEvent>
#include <QGraphicsPathItem>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QInputDialog>
#include <QMenu>
#include <QMouseEvent>
#include <QSet>

namespace ilab::ui {

namespace {
constexpr double NODE_W = 200, NODE_H = 34, COL_GAP = 90, ROW_GAP = 14;
const QColor COLUMN_COLOURS[] = {QColor(225, 236, 250), QColor(236, 236, 236), QColor(226, 244, 230),
                                 QColor(214, 240, 214)};

QString portText(const model::ServiceBackendPort& p) {
    return p.number ? QString::number(*p.number) : QString::fromStdString(p.name.value_or(""));
}
}  // namespace

RoutingMap::RoutingMap(QWidget* parent) : QGraphicsView(parent) {
    m_scene = new QGraphicsScene(this);
    setScene(m_scene);
    setRenderHint(QPainter::Antialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setAlignment(Qt::AlignLeft | Qt::AlignTop);
}

void RoutingMap::setWorkspace(const model::Workspace& ws) {
    m_ws = ws.clone();
    rebuild();
}

void RoutingMap::setPods(const QVector<MapPod>& pods) {
    bool same = pods.size() == m_pods.size();
    for (int i = 0; same && i < pods.size(); ++i)
        same = pods[i].name == m_pods[i].name && pods[i].ready == m_pods[i].ready && pods[i].ns == m_pods[i].ns;
    m_pods = pods;
    if (!same) rebuild();
}

void RoutingMap::setCounts(const QHash<QString, quint64>& upstreamCounts, const QHash<QString, quint64>& podCounts) {
    m_upstreamCounts = upstreamCounts;
    m_podCounts = podCounts;
    relabel();
    if (!m_focusedOnTraffic) {
        const Edge* busiest = nullptr;
        for (const auto& e : m_edges)
            if (!e.upstream.isEmpty() && e.count > 0 && (!busiest || e.count > busiest->count)) busiest = &e;
        if (busiest && busiest->item) {
            m_focusedOnTraffic = true;
            // Centre on the service end of the edge: its pods (one column right) come into view with it.
            const QRectF r = busiest->item->boundingRect();
            centerOn(QPointF(r.right() + COL_GAP / 2, r.center().y()));
        }
    }
}

RoutingMap::Node& RoutingMap::addNode(const QString& key, const QString& kind, const QString& ns, const QString& name,
                                      const QString& label, int column) {
    auto it = m_nodeIndex.constFind(key);
    if (it != m_nodeIndex.cend()) return m_nodes[*it];
    Node n;
    n.key = key;
    n.kind = kind;
    n.ns = ns;
    n.name = name;
    n.label = label;
    n.column = column;
    m_nodeIndex.insert(key, int(m_nodes.size()));
    m_nodes.append(n);
    return m_nodes.last();
}

void RoutingMap::addEdge(const QString& from, const QString& to, const QString& upstream) {
    for (const auto& e : m_edges)
        if (e.from == from && e.to == to) return;
    Edge e;
    e.from = from;
    e.to = to;
    e.upstream = upstream;
    m_edges.append(e);
}

void RoutingMap::rebuild() {
    m_focusedOnTraffic = false;
    m_scene->clear();
    m_nodes.clear();
    m_nodeIndex.clear();
    m_edges.clear();

    // Hosts and paths of every Ingress (canary Ingresses add their Service as a second branch of the same path).
    for (const auto* ing : m_ws.all<model::Ingress>()) {
        const QString ns = QString::fromStdString(ing->meta.ns);
        const QString ingName = QString::fromStdString(ing->meta.name);
        auto addBackend = [&](const QString& pathKey, const model::IngressBackend& b) {
            if (!b.service) return;
            const QString svc = QString::fromStdString(b.service->name);
            const QString port = portText(b.service->port);
            const QString svcKey = QStringLiteral("svc:%1/%2").arg(ns, svc);
            addNode(svcKey, QStringLiteral("Service"), ns, svc, QStringLiteral("svc %1:%2").arg(svc, port), 2);
            addEdge(pathKey, svcKey, QStringLiteral("%1-%2-%3").arg(ns, svc, port));
        };
        for (const auto& rule : ing->spec.rules) {
            const QString host = rule.host ? QString::fromStdString(*rule.host) : QStringLiteral("*");
            const QString hostKey = QStringLiteral("host:") + host;
            addNode(hostKey, QStringLiteral("Ingress"), ns, ingName, host, 0);
            if (!rule.http) continue;
            for (const auto& p : rule.http->paths) {
                const QString path = QString::fromStdString(p.path.value_or("/"));
                const QString pathKey = QStringLiteral("path:%1|%2").arg(host, path);
                Node& pn = addNode(pathKey, QStringLiteral("Ingress"), ns, ingName,
                                   path + QStringLiteral("  (") + QString::fromStdString(p.pathType.value_or("?")) +
                                       QLatin1Char(')'),
                                   1);
                Q_UNUSED(pn);
                addEdge(hostKey, pathKey);
                addBackend(pathKey, p.backend);
            }
        }
        if (ing->spec.defaultBackend) {
            const QString hostKey = QStringLiteral("host:*");
            addNode(hostKey, QStringLiteral("Ingress"), ns, ingName, QStringLiteral("*"), 0);
            const QString pathKey = QStringLiteral("path:*|default");
            addNode(pathKey, QStringLiteral("Ingress"), ns, ingName, tr("default backend"), 1);
            addEdge(hostKey, pathKey);
            addBackend(pathKey, *ing->spec.defaultBackend);
        }
    }
    // Pods behind each Service: the controller's pods when running, else the Deployments' replicas.
    const QVector<Node> services = [&] {
        QVector<Node> out;
        for (const auto& n : m_nodes)
            if (n.column == 2) out << n;
        return out;
    }();
    for (const auto& s : services) {
        const auto* svc = m_ws.service(s.ns.toStdString(), s.name.toStdString());
        if (!svc) {
            m_nodes[m_nodeIndex[s.key]].ready = false;
            m_nodes[m_nodeIndex[s.key]].label += tr("  (not found)");
            continue;
        }
        for (const auto* dep : m_ws.deploymentsSelectedBy(*svc)) {
            const QString depName = QString::fromStdString(dep->meta.name);
            Node& sn = m_nodes[m_nodeIndex[s.key]];
            if (sn.deployment.isEmpty()) {
                sn.deployment = depName;
                sn.replicas = dep->replicas;
            }
            bool any = false;
            for (const auto& pod : m_pods) {
                if (pod.deployment != depName || pod.ns != s.ns) continue;
                any = true;
                const QString podKey = QStringLiteral("pod:%1/%2").arg(pod.ns, pod.name);
                Node& pn = addNode(podKey, QStringLiteral("Deployment"), pod.ns, depName, pod.name, 3);
                pn.deployment = depName;
                pn.ready = pod.ready;
                addEdge(s.key, podKey);
            }
            if (!any && m_pods.isEmpty()) {
                for (int i = 0; i < dep->replicas; ++i) {
                    const QString podName = QStringLiteral("%1-%2").arg(depName).arg(i);
                    const QString podKey = QStringLiteral("pod:%1/%2").arg(s.ns, podName);
                    Node& pn = addNode(podKey, QStringLiteral("Deployment"), s.ns, depName, podName, 3);
                    pn.deployment = depName;
                    addEdge(s.key, podKey);
                }
            }
        }
    }

    // Layout: one column per level, nodes stacked in order of appearance.
    int rows[4] = {0, 0, 0, 0};
    for (auto& n : m_nodes) {
        const double x = n.column * (NODE_W + COL_GAP);
        const double y = rows[n.column]++ * (NODE_H + ROW_GAP);
        n.item = m_scene->addRect(0, 0, NODE_W, NODE_H, QPen(QColor(120, 120, 120)), COLUMN_COLOURS[n.column]);
        n.item->setPos(x, y);
        n.item->setData(0, n.key);
        n.item->setToolTip(QStringLiteral("%1 %2/%3").arg(n.kind, n.ns, n.name));
        auto* text = new QGraphicsSimpleTextItem(n.label, n.item);
        QFontMetricsF fm(text->font());
        text->setText(fm.elidedText(n.label, Qt::ElideMiddle, NODE_W - 12));
        text->setPos(6, (NODE_H - fm.height()) / 2);
    }
    // Centre shorter columns vertically against the tallest one.
    const int tallest = *std::max_element(std::begin(rows), std::end(rows));
    for (auto& n : m_nodes) {
        const double shift = (tallest - rows[n.column]) * (NODE_H + ROW_GAP) / 2;
        n.item->moveBy(0, shift);
    }
    for (auto& e : m_edges) {
        const Node& a = m_nodes[m_nodeIndex[e.from]];
        const Node& b = m_nodes[m_nodeIndex[e.to]];
        const QPointF p1 = a.item->pos() + QPointF(NODE_W, NODE_H / 2);
        const QPointF p2 = b.item->pos() + QPointF(0, NODE_H / 2);
        QPainterPath path(p1);
        path.cubicTo(p1 + QPointF(COL_GAP / 2, 0), p2 - QPointF(COL_GAP / 2, 0), p2);
        e.item = m_scene->addPath(path, QPen(QColor(150, 150, 150), 1.5));
        e.item->setZValue(-1);
        e.label = m_scene->addSimpleText(QString());
        e.label->setBrush(QColor(20, 90, 160));
        QFont f = e.label->font();
        f.setPointSizeF(f.pointSizeF() * 0.85);
        e.label->setFont(f);
        e.label->setPos((p1 + p2) / 2 + QPointF(-COL_GAP / 2 + 4, -14));
    }
    relabel();
    m_scene->setSceneRect(m_scene->itemsBoundingRect().adjusted(-10, -10, 10, 10));
}

void RoutingMap::relabel() {
    // Counts: path->service edges take their upstream's count; service->pod edges their pod's count; host->path
    // edges the sum of the path's service edges. Percentages are of the parent's outgoing total.
    QHash<QString, quint64> outTotal;
    for (auto& e : m_edges) {
        if (!e.upstream.isEmpty()) e.count = m_upstreamCounts.value(e.upstream);
        else if (e.to.startsWith(QLatin1String("pod:"))) e.count = m_podCounts.value(m_nodes[m_nodeIndex[e.to]].label);
    }
    for (auto& e : m_edges) {
        if (!e.from.startsWith(QLatin1String("host:"))) continue;
        e.count = 0;
        for (const auto& f : m_edges)
            if (f.from == e.to) e.count += f.count;
    }
    for (const auto& e : m_edges) outTotal[e.from] += e.count;
    for (auto& e : m_edges) {
        if (!e.label) continue;
        const quint64 total = outTotal.value(e.from);
        if (e.count == 0) {
            e.label->setText(QString());
            e.item->setPen(QPen(QColor(170, 170, 170), 1.2, Qt::DashLine));
            continue;
        }
        const double pct = total ? 100.0 * double(e.count) / double(total) : 0;
        e.label->setText(QStringLiteral("%L1 · %2%").arg(e.count).arg(pct, 0, 'f', 1));
        const double width = 1.5 + 5.0 * pct / 100.0;
        e.item->setPen(QPen(QColor(40, 120, 200), width));
    }
    for (auto& n : m_nodes) {
        if (!n.item) continue;
        QColor fill = COLUMN_COLOURS[n.column];
        if (n.column == 3) fill = n.ready ? QColor(170, 225, 170) : QColor(240, 160, 160);
        if (n.column == 2 && !n.ready) fill = QColor(240, 160, 160);
        if (n.column == 2 && n.ready) {
            bool hasPod = false, anyReady = false;
            for (const auto& e : m_edges)
                if (e.from == n.key) {
                    hasPod = true;
                    anyReady = anyReady || m_nodes[m_nodeIndex[e.to]].ready;
                }
            if (!hasPod || !anyReady) fill = QColor(250, 200, 150);  // no endpoints: the controller answers 503
        }
        n.item->setBrush(fill);
    }
}

QString RoutingMap::edgeLabelForTest(const QString& from, const QString& to) const {
    for (const auto& e : m_edges)
        if (e.from == from && e.to == to) return e.label ? e.label->text() : QString();
    return QStringLiteral("<no edge>");
}

QStringList RoutingMap::nodeKeysForTest() const {
    QStringList out;
    for (const auto& n : m_nodes) out << n.key;
    return out;
}

const RoutingMap::Node* RoutingMap::nodeAt(const QPoint& viewPos) const {
    for (auto* item : items(viewPos)) {
        for (QGraphicsItem* it = item; it; it = it->parentItem()) {
            const QString key = it->data(0).toString();
            if (!key.isEmpty() && m_nodeIndex.contains(key)) return &m_nodes[m_nodeIndex[key]];
        }
    }
    return nullptr;
}

void RoutingMap::clickNodeForTest(const QString& key) {
    if (!m_nodeIndex.contains(key)) return;
    const Node& n = m_nodes[m_nodeIndex[key]];
    Q_EMIT objectClicked(n.kind, n.ns, n.name);
}

void RoutingMap::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) {
        if (const Node* n = nodeAt(event->pos())) {
            const QString kind = n->column == 2 ? QStringLiteral("Service") : n->kind;
            Q_EMIT objectClicked(kind, n->ns, n->name);
        }
    }
    QGraphicsView::mousePressEvent(event);
}

void RoutingMap::contextMenuEvent(QContextMenuEvent* event) {
    const Node* n = nodeAt(event->pos());
    if (!n || n->deployment.isEmpty()) return;
    QMenu menu(this);
    const Node node = *n;
    if (node.column == 3) {
        menu.addAction(tr("Kill pod %1").arg(node.label), this, [this, node] { Q_EMIT killPodRequested(node.ns, node.label); });
    }
    menu.addAction(tr("Restart Deployment %1").arg(node.deployment), this,
                   [this, node] { Q_EMIT restartDeploymentRequested(node.ns, node.deployment); });
    menu.addAction(tr("Scale Deployment %1…").arg(node.deployment), this, [this, node] {
        int current = 0;
        for (const auto& p : m_pods)
            if (p.deployment == node.deployment && p.ns == node.ns) ++current;
        bool ok = false;
        const int replicas = QInputDialog::getInt(this, tr("Scale %1").arg(node.deployment), tr("Replicas:"), current,
                                                  0, 50, 1, &ok);
        if (ok) Q_EMIT scaleDeploymentRequested(node.ns, node.deployment, replicas);
    });
    menu.exec(event->globalPos());
}

void RoutingMap::resizeEvent(QResizeEvent* event) { QGraphicsView::resizeEvent(event); }

}  // namespace ilab::ui
