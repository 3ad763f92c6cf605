#include "ui/models/workspace_tree_model.h"

#include <map>

#include <QApplication>
#include <QFont>
#include <QHash>
#include <QPalette>

#include "core/gateway/gateway_reader.h"

namespace ilab::ui {

QIcon themedIcon(const QString& name) {
    static QHash<QString, QIcon> cache;
    auto it = cache.find(name);
    if (it != cache.end()) return *it;
    QIcon icon(QStringLiteral(":/icons/%1.svg").arg(name));
    cache.insert(name, icon);
    return icon;
}

namespace {

// The order of the tree's top level. The Gateway API groups (issue 14) are shown only when the workspace has an object
// of that kind, so an Ingress-only workspace keeps its seven categories; keys ("cat<enum value>") never depend on which
// groups are shown.
enum Category {
    IngressClasses,
    Ingresses,
    GatewayClasses,
    Gateways,
    HttpRoutes,
    ReferenceGrants,
    Services,
    Deployments,
    TlsSecrets,
    ControllerConfig,
    Other,
    CategoryCount
};

bool shownOnlyWhenUsed(int c) { return c == GatewayClasses || c == Gateways || c == HttpRoutes || c == ReferenceGrants; }

const char* categoryLabel(int c) {
    switch (c) {
    case IngressClasses: return "Ingress Classes";
    case Ingresses: return "Ingresses";
    case GatewayClasses: return "Gateway Classes";
    case Gateways: return "Gateways";
    case HttpRoutes: return "HTTPRoutes";
    case ReferenceGrants: return "Reference Grants";
    case Services: return "Services";
    case Deployments: return "Deployments";
    case TlsSecrets: return "TLS Secrets";
    case ControllerConfig: return "Controller ConfigMap";
    default: return "Other";
    }
}

const char* categoryIcon(int c) {
    switch (c) {
    case IngressClasses: return "ingressclass";
    case Ingresses: return "ingress";
    case GatewayClasses: return "gatewayclass";
    case Gateways: return "gateway";
    case HttpRoutes: return "httproute";
    case ReferenceGrants: return "referencegrant";
    case Services: return "service";
    case Deployments: return "deployment";
    case TlsSecrets: return "secret";
    case ControllerConfig: return "configmap";
    default: return "object";
    }
}

int categoryOf(const model::Resource& r) {
    if (r.as<model::IngressClass>()) return IngressClasses;
    if (r.as<model::Ingress>()) return Ingresses;
    if (gateway::isGatewayResource(r)) {
        if (r.kind == "GatewayClass") return GatewayClasses;
        if (r.kind == "Gateway") return Gateways;
        if (r.kind == "HTTPRoute") return HttpRoutes;
        if (r.kind == "ReferenceGrant") return ReferenceGrants;
    }
    if (r.as<model::Service>()) return Services;
    if (r.as<model::Deployment>()) return Deployments;
    if (const auto* s = r.as<model::Secret>(); s && s->isTls()) return TlsSecrets;
    if (r.as<model::ConfigMap>() && r.meta.name == model::CONTROLLER_CONFIGMAP_NAME) return ControllerConfig;
    return Other;
}

QString backendText(const model::IngressBackend& b) {
    if (b.service) {
        const auto& p = b.service->port;
        const QString port = p.number ? QString::number(*p.number) : QString::fromStdString(p.name.value_or("?"));
        return QStringLiteral("%1:%2").arg(QString::fromStdString(b.service->name), port);
    }
    if (b.resource) return QStringLiteral("%1/%2").arg(QString::fromStdString(b.resource->kind), QString::fromStdString(b.resource->name));
    return QStringLiteral("(no backend)");
}

}  // namespace

WorkspaceTreeModel::WorkspaceTreeModel(QObject* parent) : QAbstractItemModel(parent) {
    m_nodes.push_back(Node{});
    rebuild(model::Workspace{}, {});
}

QString WorkspaceTreeModel::keyFor(int resourceIndex, int rule, int path) {
    QString k = QStringLiteral("r%1").arg(resourceIndex);
    if (rule >= 0) k += QStringLiteral("/rule%1").arg(rule);
    if (path >= 0) k += QStringLiteral("/path%1").arg(path);
    return k;
}

int WorkspaceTreeModel::addNode(std::vector<Node>& nodes, int parent, Node n) const {
    n.parent = parent;
    n.row = static_cast<int>(nodes[static_cast<std::size_t>(parent)].children.size());
    nodes.push_back(std::move(n));
    const int id = static_cast<int>(nodes.size()) - 1;
    nodes[static_cast<std::size_t>(parent)].children.push_back(id);
    return id;
}

void WorkspaceTreeModel::rebuild(const model::Workspace& ws, const Diagnostics& diags, const std::vector<model::Resource>& heldBack) {
    // problems per object ("Kind ns/name")
    std::map<std::string, std::pair<int, int>> problems;
    for (const auto& d : diags) {
        if (d.object.empty()) continue;
        auto& p = problems[d.object];
        if (d.severity == Severity::Error) ++p.first;
        else if (d.severity == Severity::Warning) ++p.second;
    }

    // Gateway API details (class and listeners of a Gateway, hostnames of an HTTPRoute), by resource index.
    std::map<std::size_t, QString> gatewayDetail;
    {
        const gateway::GatewayObjects g = gateway::read(ws);
        for (std::size_t i = 0; i < g.gateways.size() && i < g.gatewayResource.size(); ++i)
            gatewayDetail[g.gatewayResource[i]] = tr("%1 · %n listener(s)", nullptr, static_cast<int>(g.gateways[i].listeners.size()))
                                                      .arg(QString::fromStdString(g.gateways[i].gatewayClassName));
        for (std::size_t i = 0; i < g.routes.size() && i < g.routeResource.size(); ++i) {
            QStringList hosts;
            for (const auto& h : g.routes[i].hostnames) hosts << QString::fromStdString(h);
            gatewayDetail[g.routeResource[i]] = hosts.isEmpty() ? tr("any host") : hosts.join(QStringLiteral(", "));
        }
        for (std::size_t i = 0; i < g.classes.size() && i < g.classResource.size(); ++i)
            gatewayDetail[g.classResource[i]] = QString::fromStdString(g.classes[i].controllerName);
    }
    bool used[CategoryCount] = {};
    for (const auto& r : ws.resources) used[categoryOf(r)] = true;
    for (const auto& r : heldBack) used[categoryOf(r)] = true;

    std::vector<Node> nodes;
    nodes.push_back(Node{});
    int cats[CategoryCount];
    for (int c = 0; c < CategoryCount; ++c) {
        cats[c] = -1;
        if (shownOnlyWhenUsed(c) && !used[c]) continue;
        Node n;
        n.kind = NodeKind::Category;
        n.label = tr(categoryLabel(c));
        n.key = QStringLiteral("cat%1").arg(c);
        n.icon = themedIcon(QString::fromLatin1(categoryIcon(c)));
        cats[c] = addNode(nodes, 0, n);
    }
    for (std::size_t i = 0; i < ws.resources.size(); ++i) {
        const model::Resource& r = ws.resources[i];
        const int cat = categoryOf(r);
        Node n;
        n.kind = NodeKind::Resource;
        n.resource = static_cast<int>(i);
        n.objectKind = QString::fromStdString(r.kind);
        n.key = keyFor(n.resource);
        const QString name = r.meta.name.empty() ? tr("(unnamed)") : QString::fromStdString(r.meta.name);
        n.label = r.meta.ns != "default" ? QStringLiteral("%1  ·  %2").arg(name, QString::fromStdString(r.meta.ns)) : name;
        if (cat == Other) n.label = QStringLiteral("%1 %2").arg(QString::fromStdString(r.kind.empty() ? "?" : r.kind), name);
        n.icon = themedIcon(QString::fromLatin1(categoryIcon(cat)));
        auto pit = problems.find(r.displayName());
        if (pit != problems.end()) {
            n.errors = pit->second.first;
            n.warnings = pit->second.second;
        }
        if (const auto* ing = r.as<model::Ingress>()) {
            const bool canary = r.meta.annotation("nginx.ingress.kubernetes.io/canary") == "true";
            n.detail = canary ? tr("canary") : QString::fromStdString(ing->spec.ingressClassName.value_or(""));
            const int id = addNode(nodes, cats[cat], n);
            for (std::size_t ri = 0; ri < ing->spec.rules.size(); ++ri) {
                const auto& rule = ing->spec.rules[ri];
                Node rn;
                rn.kind = NodeKind::Rule;
                rn.resource = n.resource;
                rn.rule = static_cast<int>(ri);
                rn.objectKind = n.objectKind;
                rn.key = keyFor(rn.resource, rn.rule);
                rn.label = rule.host && !rule.host->empty() ? QString::fromStdString(*rule.host) : tr("* (any host)");
                rn.icon = themedIcon(QStringLiteral("host"));
                const int rid = addNode(nodes, id, rn);
                if (!rule.http) continue;
                for (std::size_t pi = 0; pi < rule.http->paths.size(); ++pi) {
                    const auto& p = rule.http->paths[pi];
                    Node pn;
                    pn.kind = NodeKind::Path;
                    pn.resource = n.resource;
                    pn.rule = rn.rule;
                    pn.path = static_cast<int>(pi);
                    pn.objectKind = n.objectKind;
                    pn.key = keyFor(pn.resource, pn.rule, pn.path);
                    pn.label = QStringLiteral("%1  →  %2").arg(QString::fromStdString(p.path.value_or("/")), backendText(p.backend));
                    pn.detail = QString::fromStdString(p.pathType.value_or("pathType missing"));
                    pn.icon = themedIcon(QStringLiteral("path"));
                    addNode(nodes, rid, pn);
                }
            }
            continue;
        }
        if (const auto* svc = r.as<model::Service>()) {
            QStringList ports;
            for (const auto& p : svc->ports) ports << QString::number(p.port);
            n.detail = ports.join(QLatin1Char(','));
        } else if (const auto* dep = r.as<model::Deployment>()) {
            n.detail = tr("%n replica(s)", nullptr, dep->replicas);
        } else if (auto git = gatewayDetail.find(i); git != gatewayDetail.end()) {
            n.detail = git->second;
        }
        addNode(nodes, cats[cat], n);
    }
    for (const model::Resource& r : heldBack) {
        const int cat = categoryOf(r);
        Node n;
        n.kind = NodeKind::Resource;
        n.objectKind = QString::fromStdString(r.kind);
        n.key = QStringLiteral("held:%1/%2/%3").arg(n.objectKind, QString::fromStdString(r.meta.ns), QString::fromStdString(r.meta.name));
        const QString name = r.meta.name.empty() ? tr("(unnamed)") : QString::fromStdString(r.meta.name);
        n.label = r.meta.ns != "default" ? QStringLiteral("%1  ·  %2").arg(name, QString::fromStdString(r.meta.ns)) : name;
        if (cat == Other) n.label = QStringLiteral("%1 %2").arg(QString::fromStdString(r.kind.empty() ? "?" : r.kind), name);
        n.detail = tr("YAML error: held back");
        n.icon = themedIcon(QStringLiteral("error"));
        n.dim = true;
        n.errors = 1;
        addNode(nodes, cats[cat], n);
    }
    for (int c = 0; c < CategoryCount; ++c) {
        if (cats[c] < 0) continue;
        auto& cn = nodes[static_cast<std::size_t>(cats[c])];
        cn.detail = QString::number(cn.children.size());
        cn.dim = cn.children.empty();
    }

    // Same shape (keys in the same places)? Then only data changed: keep the view's state.
    bool sameShape = nodes.size() == m_nodes.size();
    for (std::size_t i = 0; sameShape && i < nodes.size(); ++i)
        sameShape = nodes[i].key == m_nodes[i].key && nodes[i].parent == m_nodes[i].parent;
    if (sameShape) {
        m_nodes = std::move(nodes);
        for (std::size_t i = 0; i < m_nodes.size(); ++i) {
            const auto& n = m_nodes[i];
            if (n.children.empty()) continue;
            const QModelIndex parentIdx = i == 0 ? QModelIndex() : createIndex(n.row, 0, static_cast<quintptr>(i));
            Q_EMIT dataChanged(index(0, 0, parentIdx), index(static_cast<int>(n.children.size()) - 1, 0, parentIdx));
        }
        return;
    }
    beginResetModel();
    m_nodes = std::move(nodes);
    endResetModel();
}

int WorkspaceTreeModel::nodeOf(const QModelIndex& idx) const {
    if (!idx.isValid()) return 0;
    return static_cast<int>(idx.internalId());
}

QModelIndex WorkspaceTreeModel::index(int row, int column, const QModelIndex& parent) const {
    if (column != 0 || row < 0) return {};
    const int p = nodeOf(parent);
    if (p < 0 || p >= static_cast<int>(m_nodes.size())) return {};
    const auto& ch = m_nodes[static_cast<std::size_t>(p)].children;
    if (row >= static_cast<int>(ch.size())) return {};
    return createIndex(row, 0, static_cast<quintptr>(ch[static_cast<std::size_t>(row)]));
}

QModelIndex WorkspaceTreeModel::parent(const QModelIndex& child) const {
    if (!child.isValid()) return {};
    const int id = nodeOf(child);
    const int p = m_nodes[static_cast<std::size_t>(id)].parent;
    if (p <= 0) return {};
    return createIndex(m_nodes[static_cast<std::size_t>(p)].row, 0, static_cast<quintptr>(p));
}

int WorkspaceTreeModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() && parent.column() != 0) return 0;
    const int p = nodeOf(parent);
    return static_cast<int>(m_nodes[static_cast<std::size_t>(p)].children.size());
}

int WorkspaceTreeModel::columnCount(const QModelIndex&) const { return 1; }

QVariant WorkspaceTreeModel::data(const QModelIndex& idx, int role) const {
    if (!idx.isValid()) return {};
    const Node& n = m_nodes[static_cast<std::size_t>(nodeOf(idx))];
    switch (role) {
    case Qt::DisplayRole:
        if (n.kind == NodeKind::Category) return QStringLiteral("%1 (%2)").arg(n.label, n.detail);
        return n.label;
    case Qt::ToolTipRole: {
        QString tip = n.label;
        if (!n.detail.isEmpty() && n.kind != NodeKind::Category) tip += QStringLiteral(" — ") + n.detail;
        if (n.errors || n.warnings) tip += tr("\n%1 error(s), %2 warning(s)").arg(n.errors).arg(n.warnings);
        return tip;
    }
    case Qt::DecorationRole:
        if (n.errors) return themedIcon(QStringLiteral("error"));
        if (n.warnings) return themedIcon(QStringLiteral("warning"));
        return n.icon;
    case Qt::ForegroundRole:
        if (n.dim) return QApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::FontRole:
        if (n.kind == NodeKind::Category) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case NodeKindRole: return static_cast<int>(n.kind);
    case ResourceIndexRole: return n.resource;
    case RuleIndexRole: return n.rule;
    case PathIndexRole: return n.path;
    case KeyRole: return n.key;
    case ProblemCountRole: return n.errors + n.warnings;
    case KindRole: return n.objectKind;
    default: return {};
    }
}

Qt::ItemFlags WorkspaceTreeModel::flags(const QModelIndex& idx) const {
    if (!idx.isValid()) return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable;
}

QModelIndex WorkspaceTreeModel::indexForKey(const QString& key) const {
    for (std::size_t i = 1; i < m_nodes.size(); ++i)
        if (m_nodes[i].key == key) return createIndex(m_nodes[i].row, 0, static_cast<quintptr>(i));
    return {};
}

QModelIndex WorkspaceTreeModel::indexFor(int resourceIndex, int rule, int path) const {
    QModelIndex idx = indexForKey(keyFor(resourceIndex, rule, path));
    if (!idx.isValid() && path >= 0) idx = indexForKey(keyFor(resourceIndex, rule));
    if (!idx.isValid() && rule >= 0) idx = indexForKey(keyFor(resourceIndex));
    return idx;
}

}  // namespace ilab::ui
