#include "core/kube/cluster_endpoints.h"

#include <QFile>
#include <QHostAddress>
#include <QNetworkInterface>
#include <QtEndian>
#include <QJsonArray>
#include <QTcpSocket>

#include <set>

namespace ilab::kube {

bool onlyViaDefaultRoute(const QHostAddress& address, const QByteArray& procNetRoute) {
    if (address.protocol() != QAbstractSocket::IPv4Protocol || address.isLoopback()) return false;
    const quint32 ip = address.toIPv4Address();
    bool any = false, specific = false;
    const QList<QByteArray> lines = procNetRoute.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {  // line 0: the header
        const QList<QByteArray> cols = lines[i].simplified().split(' ');
        if (cols.size() < 8) continue;
        bool ok1 = false, ok2 = false;
        // Destination and Mask: the network-order bytes printed as a native integer ("000200C0" = 192.0.2.0 here).
        const quint32 dest = qFromBigEndian(quint32(cols[1].toUInt(&ok1, 16)));
        const quint32 mask = qFromBigEndian(quint32(cols[7].toUInt(&ok2, 16)));
        if (!ok1 || !ok2) continue;
        if ((ip & mask) != (dest & mask)) continue;
        any = true;
        if (mask != 0) specific = true;
    }
    return any && !specific;
}

namespace {

bool onlyViaDefaultRouteHere(const QHostAddress& address) {
    QFile f(QStringLiteral("/proc/net/route"));
    if (!f.open(QIODevice::ReadOnly)) return false;  // not Linux: the TCP probe decides alone
    return onlyViaDefaultRoute(address, f.read(1 << 20));
}

}  // namespace

ClusterBackedSelection selectClusterBackedServices(const model::Workspace& ws, const std::string& ns,
                                                   const std::set<std::string>& inCluster, bool all,
                                                   std::set<std::string> chosen) {
    ClusterBackedSelection out;
    for (const model::Service* svc : ws.all<model::Service>()) {
        if (svc->meta.ns != ns) continue;
        const bool isChosen = chosen.erase(svc->meta.name) > 0;
        if (!isChosen && !(all && inCluster.count(svc->meta.name))) continue;
        if (!inCluster.count(svc->meta.name)) {
            out.error = "--cluster-backend " + svc->meta.name + ": no Service " + svc->meta.name + " in namespace " + ns +
                        " of the cluster";
            out.services.clear();
            return out;
        }
        ClusterBackedService c{svc->meta.name, {}};
        for (const model::ServicePort& sp : svc->ports) c.ports.emplace_back(sp.name, sp.port);
        out.services.push_back(std::move(c));
    }
    if (!chosen.empty()) {
        out.error = "--cluster-backend " + *chosen.begin() + ": the workspace has no Service of that name in namespace " + ns;
        out.services.clear();
    }
    return out;
}

ClusterEndpoints::ClusterEndpoints(RestClient& client, ClusterConnection connection, std::string ns,
                                   std::vector<ClusterBackedService> services, std::string endpointSliceVersion,
                                   QObject* parent)
    : QObject(parent), m_client(client), m_connection(std::move(connection)), m_ns(std::move(ns)),
      m_services(std::move(services)) {
    m_credentials = std::make_shared<CredentialProvider>(m_connection, CredentialOptions{});
    m_informer = std::make_unique<Informer>(m_client, endpointSlices(endpointSliceVersion), m_ns);
    connect(m_informer.get(), &Informer::snapshotChanged, this, &ClusterEndpoints::onSnapshot);
}

ClusterEndpoints::~ClusterEndpoints() {
    if (m_informer) m_informer->stop();
}

void ClusterEndpoints::start() { m_informer->start(); }

std::vector<std::string> ClusterEndpoints::describeTunnels() const {
    std::vector<std::string> out;
    for (const auto& [key, pf] : m_forwards) {
        out.push_back(m_ns + "/" + key.first + ":" + std::to_string(key.second) + " -> 127.0.0.1:" +
                      std::to_string(pf->localPort()));
    }
    for (const auto& [key, r] : m_reachByPod)
        if (r.direct)
            out.push_back(m_ns + "/" + key.first + ":" + std::to_string(key.second) + " -> " + r.ip + ":" +
                          std::to_string(key.second) + " (direct)");
    return out;
}

std::map<std::string, std::string> ClusterEndpoints::podByTunnelAddress() const {
    std::map<std::string, std::string> out;
    for (const auto& [key, pf] : m_forwards)
        out["127.0.0.1:" + std::to_string(pf->localPort())] = key.first + ":" + std::to_string(key.second);
    for (const auto& [key, r] : m_reachByPod)
        if (r.direct) out[r.ip + ":" + std::to_string(key.second)] = key.first + ":" + std::to_string(key.second);
    return out;
}

// A TCP connect to the pod's address (async, on this object's thread); the decision recomputes the map.
void ClusterEndpoints::probe(const std::pair<std::string, int>& key, const std::string& ip) {
    auto* socket = new QTcpSocket(this);
    auto done = std::make_shared<bool>(false);
    auto decide = [this, key, ip, socket, done](bool direct, const std::string& why) {
        if (*done) return;
        *done = true;
        socket->abort();
        socket->deleteLater();
        auto it = m_reachByPod.find(key);
        if (it == m_reachByPod.end() || it->second.ip != ip) return;  // the pod left or changed its IP meanwhile
        it->second.decided = true;
        it->second.direct = direct;
        const std::string where = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
        const std::string addr = where + ":" + std::to_string(key.second);
        emit reachDecided(QString::fromStdString("pod " + m_ns + "/" + key.first + ":" + std::to_string(key.second) +
                                                 (direct ? ": direct " + addr + " (answered a TCP connect)"
                                                         : ": port-forward (" + addr + " " + why + ")")));
        if (m_lastStore) onSnapshot(m_lastStore);
    };
    connect(socket, &QTcpSocket::connected, this, [decide] { decide(true, {}); });
    connect(socket, &QTcpSocket::errorOccurred, this, [decide, socket](QAbstractSocket::SocketError) {
        decide(false, "refused or unreachable: " + socket->errorString().toStdString());
    });
    QTimer::singleShot(PROBE_MS, socket, [decide] {
        decide(false, "did not answer within " + std::to_string(PROBE_MS) + " ms");
    });
    const QHostAddress address(QString::fromStdString(ip));
    if (address.isNull()) {
        QMetaObject::invokeMethod(this, [decide] { decide(false, "is not an IP address"); }, Qt::QueuedConnection);
        return;
    }
    if (!QNetworkInterface::allAddresses().contains(address) && onlyViaDefaultRouteHere(address)) {
        QMetaObject::invokeMethod(
            this, [decide] { decide(false, "is only reachable through the default route, not a route to the pod network"); },
            Qt::QueuedConnection);
        return;
    }
    socket->connectToHost(address, quint16(key.second));
}

void ClusterEndpoints::onSnapshot(const StoreConstSharedPtr& store) {
    if (!store) return;
    m_lastStore = store;
    routing::EndpointMap map;
    std::set<std::pair<std::string, int>> wanted, seen;
    for (const ClusterBackedService& svc : m_services) {
        for (const auto& [portName, servicePort] : svc.ports) map[{m_ns, svc.name, servicePort}];  // known, maybe empty
    }
    for (const auto& [key, slice] : store->objects) {
        const std::string service = slice.value("metadata").toObject().value("labels").toObject()
                                        .value("kubernetes.io/service-name").toString().toStdString();
        auto svc = std::find_if(m_services.begin(), m_services.end(),
                                [&](const ClusterBackedService& s) { return s.name == service; });
        if (svc == m_services.end()) continue;
        const QJsonArray slicePorts = slice.value("ports").toArray();
        for (const auto& [portName, servicePort] : svc->ports) {
            int podPort = 0;
            for (const QJsonValue& p : slicePorts) {
                const QJsonObject po = p.toObject();
                if (po.value("name").toString().toStdString() == portName || slicePorts.size() == 1) {
                    podPort = po.value("port").toInt();
                    break;
                }
            }
            if (podPort <= 0) continue;
            for (const QJsonValue& e : slice.value("endpoints").toArray()) {
                const QJsonObject eo = e.toObject();
                const QJsonValue ready = eo.value("conditions").toObject().value("ready");
                if (ready.isBool() && !ready.toBool()) continue;  // unset means ready (EndpointSlice API)
                const QJsonObject ref = eo.value("targetRef").toObject();
                if (ref.value("kind").toString() != QLatin1String("Pod")) continue;
                const std::string pod = ref.value("name").toString().toStdString();
                const std::pair<std::string, int> fwdKey{pod, podPort};
                if (m_reach == PodReach::Direct) {
                    seen.insert(fwdKey);
                    const QJsonArray addresses = eo.value("addresses").toArray();
                    const std::string ip = addresses.isEmpty() ? std::string() : addresses.first().toString().toStdString();
                    Reach& r = m_reachByPod[fwdKey];
                    if (r.ip != ip || (!r.decided && ip.empty())) {
                        r = Reach{ip, ip.empty(), false};  // no address: straight to the port-forward
                        if (!ip.empty()) probe(fwdKey, ip);
                    }
                    if (!r.decided) continue;  // joins the map once its probe answered
                    if (r.direct) {
                        auto& list = map[{m_ns, svc->name, servicePort}];
                        routing::Endpoint ep{ip, podPort, pod};
                        if (std::find(list.begin(), list.end(), ep) == list.end()) list.push_back(ep);
                        continue;
                    }
                }
                wanted.insert(fwdKey);
                auto it = m_forwards.find(fwdKey);
                if (it == m_forwards.end()) {
                    auto pf = std::make_unique<PortForward>(m_connection, PortForwardTarget{m_ns, pod, podPort},
                                                            m_credentials);
                    connect(pf.get(), &PortForward::tunnelFailed, this, &ClusterEndpoints::tunnelFailed);
                    auto port = pf->listen();
                    if (!port) {
                        emit tunnelFailed(QString::fromStdString(port.error().message));
                        continue;
                    }
                    it = m_forwards.emplace(fwdKey, std::move(pf)).first;
                }
                auto& list = map[{m_ns, svc->name, servicePort}];
                routing::Endpoint ep{"127.0.0.1", it->second->localPort(), pod};
                if (std::find(list.begin(), list.end(), ep) == list.end()) list.push_back(ep);
            }
        }
    }
    for (auto it = m_reachByPod.begin(); it != m_reachByPod.end();)
        it = seen.count(it->first) ? std::next(it) : m_reachByPod.erase(it);
    // Tunnels of pods that left: out of the map now, closed after the grace period.
    for (auto it = m_forwards.begin(); it != m_forwards.end();) {
        if (wanted.count(it->first)) {
            ++it;
            continue;
        }
        PortForward* leaving = it->second.release();
        leaving->setParent(this);
        QTimer::singleShot(GRACE_MS, leaving, [leaving] { leaving->deleteLater(); });
        it = m_forwards.erase(it);
    }
    for (auto& [key, list] : map) {
        std::sort(list.begin(), list.end(), [](const routing::Endpoint& a, const routing::Endpoint& b) {
            return a.podName < b.podName;
        });
    }
    if (map == m_map) return;
    m_map = std::move(map);
    if (m_changed) m_changed(m_map);
}

}  // namespace ilab::kube
