#include "ui/cluster/cluster_backends.h"

#include <QJsonObject>

#include <set>

#include "core/kube/discovery.h"
#include "ui/cluster_session.h"

namespace ilab::ui {

namespace {

bool sameServices(const std::vector<kube::ClusterBackedService>& a, const std::vector<kube::ClusterBackedService>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].name != b[i].name || a[i].ports != b[i].ports) return false;
    return true;
}

}  // namespace

ClusterBackends::ClusterBackends(ClusterSession* session, QObject* parent) : QObject(parent), m_session(session) {
    Q_ASSERT(session);
    connect(m_session, &ClusterSession::clientAboutToBeDestroyed, this, [this] {
        ++m_generation;
        m_discovering = false;
        m_sliceVersion.clear();
        dropEndpoints();
    });
    connect(m_session, &ClusterSession::stateChanged, this, [this] {
        reconcile();
        emit availabilityChanged();
    });
    connect(m_session, &ClusterSession::objectsChanged, this, &ClusterBackends::reconcile);
    reconcile();
}

ClusterBackends::~ClusterBackends() { m_endpoints.reset(); }

bool ClusterBackends::isAvailable() const {
    return m_session->client() && (m_session->state() == ClusterSession::State::Connected ||
                                   m_session->state() == ClusterSession::State::Lost);
}

QString ClusterBackends::ns() const { return isAvailable() ? m_session->ns() : QString(); }

void ClusterBackends::setWorkspace(const model::Workspace& ws) {
    m_ws = ws.clone();
    reconcile();
}

void ClusterBackends::setEnabled(bool on) {
    if (on == m_enabled) return;
    m_enabled = on;
    reconcile();
}

void ClusterBackends::setPodReach(kube::PodReach reach) {
    if (reach == m_reach) return;
    m_reach = reach;
    dropEndpoints();  // the next reconcile opens them with the new mode
    reconcile();
}

QStringList ClusterBackends::reachDecisions() const { return m_reachDecisions.values(); }

QStringList ClusterBackends::backedServices() const {
    QStringList out;
    for (const auto& s : m_services) out << QString::fromStdString(s.name);
    return out;
}

QHash<QString, QString> ClusterBackends::podByAddress() const {
    QHash<QString, QString> out;
    for (const auto& [key, list] : m_map)
        for (const auto& e : list)
            out.insert(QStringLiteral("%1:%2").arg(QString::fromStdString(e.address)).arg(e.port),
                       QString::fromStdString(e.podName));
    return out;
}

QHash<QString, QStringList> ClusterBackends::podsByService() const {
    QHash<QString, QStringList> out;
    for (const auto& [key, list] : m_map) {
        QStringList& pods = out[QString::fromStdString(key.ns + "/" + key.service)];
        for (const auto& e : list)
            if (!pods.contains(QString::fromStdString(e.podName))) pods << QString::fromStdString(e.podName);
    }
    return out;
}

int ClusterBackends::tunnelCountForTest() const { return m_endpoints ? m_endpoints->tunnelCount() : 0; }

void ClusterBackends::setStatus(const QString& text) {
    if (text == m_status) return;
    m_status = text;
    emit statusChanged(text);
}

void ClusterBackends::dropEndpoints() {
    m_endpoints.reset();  // closes the tunnels and stops the informer (before the REST client goes)
    m_services.clear();
    m_tunnelError.clear();
    m_reachDecisions.clear();
    if (!m_map.empty()) {
        m_map.clear();
        emit endpointsChanged(m_map);
    }
}

void ClusterBackends::discover() {
    if (m_discovering || !m_session->client()) return;
    m_discovering = true;
    const quint64 generation = m_generation;
    kube::discover(*m_session->client(), this,
                   [this, generation](const kube::DiscoveryResult& d, const std::optional<kube::RestError>& error) {
                       if (generation != m_generation) return;
                       m_discovering = false;
                       if (d.endpointSlice) {
                           m_sliceVersion = d.endpointSlice->version;
                       } else {
                           setStatus(error ? tr("Cluster pods: API discovery failed: %1")
                                                 .arg(QString::fromStdString(error->describe()))
                                           : tr("Cluster pods: the cluster serves no EndpointSlice API"));
                           return;
                       }
                       reconcile();
                   });
}

void ClusterBackends::reconcile() {
    if (!m_enabled) {
        dropEndpoints();
        setStatus({});
        return;
    }
    if (!isAvailable()) {
        dropEndpoints();
        setStatus(tr("Cluster pods: not connected to a cluster (the simulated pods answer)"));
        return;
    }
    const auto connection = m_session->connection();
    if (!connection) return;
    if (m_sliceVersion.empty()) {
        setStatus(tr("Cluster pods: looking up the cluster's EndpointSlice API…"));
        discover();
        return;
    }
    const auto store = m_session->services();
    if (!store) {
        setStatus(tr("Cluster pods: listing the Services of namespace %1…").arg(m_session->ns()));
        return;
    }
    std::set<std::string> inCluster;
    for (const auto& [key, o] : store->objects)
        inCluster.insert(o.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("name")).toString().toStdString());
    const std::string ns = m_session->ns().toStdString();
    kube::ClusterBackedSelection selection = kube::selectClusterBackedServices(m_ws, ns, inCluster, true);
    if (selection.services.empty()) {
        dropEndpoints();
        setStatus(tr("Cluster pods: no Service of the workspace exists in namespace %1 of the cluster (the "
                     "simulated pods answer)")
                      .arg(m_session->ns()));
        return;
    }
    if (m_endpoints && sameServices(selection.services, m_services)) return;
    dropEndpoints();
    m_services = selection.services;
    m_endpoints = std::make_unique<kube::ClusterEndpoints>(*m_session->client(), *connection, ns, m_services,
                                                           m_sliceVersion);
    m_endpoints->setCredentials(m_session->credentialProvider());
    m_endpoints->setPodReach(m_reach);
    connect(m_endpoints.get(), &kube::ClusterEndpoints::reachDecided, this, [this](const QString& line) {
        m_reachDecisions.insert(line.section(QStringLiteral(": "), 0, 0), line);
        onEndpoints(m_map);
    });
    m_endpoints->setChangedCallback([this](const routing::EndpointMap& map) { onEndpoints(map); });
    connect(m_endpoints.get(), &kube::ClusterEndpoints::tunnelFailed, this, [this](const QString& message) {
        m_tunnelError = message;
        onEndpoints(m_map);
    });
    setStatus(tr("Cluster pods: waiting for the EndpointSlices of %1 in namespace %2…")
                  .arg(backedServices().join(QStringLiteral(", ")), m_session->ns()));
    m_endpoints->start();
}

void ClusterBackends::onEndpoints(const routing::EndpointMap& map) {
    const bool changed = map != m_map;
    m_map = map;
    QStringList parts;
    for (const auto& svc : m_services) {
        QStringList pods;
        for (const auto& [key, list] : m_map) {
            if (key.service != svc.name) continue;
            for (const auto& e : list)
                if (!pods.contains(QString::fromStdString(e.podName))) pods << QString::fromStdString(e.podName);
        }
        parts << QStringLiteral("%1 → %2").arg(QString::fromStdString(svc.name),
                                               pods.isEmpty() ? tr("no ready pod") : pods.join(QStringLiteral(", ")));
    }
    QString status = tr("Cluster pods (namespace %1): %2").arg(m_session->ns(), parts.join(QStringLiteral("; ")));
    if (m_reach == kube::PodReach::Direct && !m_reachDecisions.isEmpty()) {
        int direct = 0;
        QStringList fallbacks;
        for (const QString& line : m_reachDecisions) {
            if (line.contains(QStringLiteral(": direct "))) ++direct;
            else fallbacks << line.section(QStringLiteral(": port-forward "), 1);
        }
        status += tr(" — %n pod(s) reached directly by pod IP", nullptr, direct);
        if (!fallbacks.isEmpty())
            status += tr("; %n through a port-forward: %1", nullptr, int(fallbacks.size())).arg(fallbacks.first());
    }
    if (!m_tunnelError.isEmpty()) status += tr(" — last tunnel error: %1").arg(m_tunnelError);
    setStatus(status);
    if (changed) emit endpointsChanged(m_map);
}

}  // namespace ilab::ui
