#include "core/controller/local_controller.h"

#include <chrono>
#include <set>

#include <QCoreApplication>

#include "core/events/access_meta.h"
#include "core/events/log_format.h"
#include "core/metrics/admin_server.h"

namespace ilab::controller {

namespace {

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The object reference ingress-nginx's event recorder prints in its klog line for an event.
std::string objectReference(const std::string& object) {
    // object: "Ingress default/web"
    const std::size_t sp = object.find(' ');
    const std::size_t slash = object.find('/');
    if (sp == std::string::npos || slash == std::string::npos || slash < sp) return "v1.ObjectReference{}";
    const std::string kind = object.substr(0, sp);
    const std::string ns = object.substr(sp + 1, slash - sp - 1);
    const std::string name = object.substr(slash + 1);
    std::string api = "v1";
    if (kind == "Ingress") api = "networking.k8s.io/v1";
    else if (kind == "Deployment") api = "apps/v1";
    else if (kind == "HTTPRoute") api = "gateway.networking.k8s.io/v1";
    return "v1.ObjectReference{Kind:\"" + kind + "\", Namespace:\"" + ns + "\", Name:\"" + name +
           "\", UID:\"\", APIVersion:\"" + api + "\", ResourceVersion:\"\", FieldPath:\"\"}";
}

struct BackendUse {
    std::string ns, service;
    model::ServiceBackendPort port;
};

std::vector<BackendUse> backendsOf(const model::Ingress& ing) {
    std::vector<BackendUse> out;
    auto add = [&](const model::IngressBackend& b) {
        if (b.service && !b.service->name.empty()) out.push_back({ing.meta.ns, b.service->name, b.service->port});
    };
    if (ing.spec.defaultBackend) add(*ing.spec.defaultBackend);
    for (const auto& rule : ing.spec.rules)
        if (rule.http)
            for (const auto& p : rule.http->paths) add(p.backend);
    return out;
}

// Service port an Ingress backend port names (number, port name, or — an ingress-nginx quirk — targetPort).
const model::ServicePort* resolvePort(const model::Service& svc, const model::ServiceBackendPort& port) {
    for (const auto& sp : svc.ports) {
        if (port.number && sp.port == *port.number) return &sp;
        if (port.name && (sp.name == *port.name || (sp.targetPort.name && *sp.targetPort.name == *port.name))) return &sp;
    }
    return nullptr;
}

}  // namespace

std::string ReadyInfo::readyLine() const {
    auto hp = [](const std::string& a, int p) { return p < 0 ? std::string("-") : a + ":" + std::to_string(p); };
    return "ready http=" + hp(httpAddress, httpPort) + " https=" + hp(httpsAddress, httpsPort) +
           " admin=" + hp(adminAddress, adminPort);
}

// The proxy's sink: access-log lines, metrics, and the proxy's own events (TLS failures, upstream errors).
// Called on proxy worker threads; everything it touches is thread-safe.
class LocalController::Telemetry : public proxy::TelemetrySink {
public:
    Telemetry(std::shared_ptr<events::EventLog> ev, std::shared_ptr<events::LineLog> ctl,
              std::shared_ptr<events::LineLog> access, std::shared_ptr<metrics::MetricsRegistry> m, int pid)
        : m_events(std::move(ev)), m_ctl(std::move(ctl)), m_access(std::move(access)), m_metrics(std::move(m)), m_pid(pid) {}
    void onRequest(const proxy::AccessRecord& r) override {
        m_metrics->onRequest(r);
        events::appendAccessRecord(*m_access, r);  // the ingress-nginx line plus Host/scheme/Ingress/pod for the GUI
    }
    void onEvent(const std::string& type, const std::string& reason, const std::string& object,
                 const std::string& message) override {
        m_events->add(type, reason, object, message);
        const auto sev = type == "Warning" ? events::KlogSeverity::Warning : events::KlogSeverity::Info;
        if (object.empty())
            m_ctl->append(events::formatKlog(sev, events::nowUs(), m_pid, "proxy.go:1", message, true, {{"reason", reason}}));
        else
            m_ctl->append(events::formatKlog(events::KlogSeverity::Info, events::nowUs(), m_pid, "event.go:377",
                                             "Event(" + objectReference(object) + "): type: '" + type + "' reason: '" +
                                                 reason + "' " + message,
                                             false));
    }
    void onConnectionOpened(bool tls) override { m_metrics->onConnectionOpened(tls); }
    void onConnectionClosed(bool tls) override { m_metrics->onConnectionClosed(tls); }
    void onTlsHandshakeFailed(const std::string& reason) override { m_metrics->onTlsHandshakeFailed(reason); }
    void onMirror(const proxy::MirrorRecord& r) override { m_metrics->onMirror(r); }

private:
    std::shared_ptr<events::EventLog> m_events;
    std::shared_ptr<events::LineLog> m_ctl, m_access;
    std::shared_ptr<metrics::MetricsRegistry> m_metrics;
    int m_pid;
};

LocalController::LocalController(QObject* parent)
    : QObject(parent),
      m_events(std::make_shared<events::EventLog>()),
      m_controllerLog(std::make_shared<events::LineLog>()),
      m_accessLog(std::make_shared<events::LineLog>()),
      m_metrics(std::make_shared<metrics::MetricsRegistry>()) {
    qRegisterMetaType<ilab::controller::ReadyInfo>();
    qRegisterMetaType<ilab::controller::SyncResult>();
    m_pid = static_cast<int>(QCoreApplication::applicationPid());
    m_telemetry = std::make_shared<Telemetry>(m_events, m_controllerLog, m_accessLog, m_metrics, m_pid);
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(DEBOUNCE_MS);
    connect(m_debounce, &QTimer::timeout, this, &LocalController::sync);
    m_metricsTimer = new QTimer(this);
    m_metricsTimer->setInterval(1000);
    connect(m_metricsTimer, &QTimer::timeout, this, &LocalController::tickMetrics);
}

LocalController::~LocalController() {
    if (m_proxy) stop();
}

std::vector<backends::PodInfo> LocalController::pods() const {
    // m_pods is created/destroyed on the control thread only while start()/stop() run; PodManager::pods() locks.
    return m_pods ? m_pods->pods() : std::vector<backends::PodInfo>{};
}

void LocalController::setSettings(routing::ControllerSettings settings) {
    m_settings = std::move(settings);
    if (m_proxy) m_debounce->start();
}

void LocalController::setAutoBackends(bool on) {
    m_autoBackends = on;
    if (m_proxy) m_debounce->start();
}

void LocalController::setClusterEndpoints(routing::EndpointMap endpoints) {
    if (endpoints == m_clusterEndpoints) return;
    m_clusterEndpoints = std::move(endpoints);
    if (m_proxy && m_haveWorkspace) syncNow();
}

void LocalController::setWorkspace(model::Workspace ws) {
    m_workspace = std::move(ws);
    m_haveWorkspace = true;
    if (m_proxy) m_debounce->start();  // level-triggered: the whole workspace is recompiled after the quiet period
}

void LocalController::noteReloadHeld(const std::string& reason, bool waiting) {
    const int ingresses = static_cast<int>(m_workspace.all<model::Ingress>().size());
    const std::string kept = "still serving the last good configuration (" + std::to_string(ingresses) +
                             (ingresses == 1 ? " Ingress)" : " Ingresses)");
    if (waiting) {
        log(events::KlogSeverity::Warning, "reload.go:64",
            "Workspace change held back until the files stay unchanged: " + reason + "; " + kept);
        event("Warning", "RELOAD", "Pod ingress-nginx/ingress-nginx-controller",
              "Change held back while the files settle (a save in progress?): " + reason + "; " + kept);
        return;
    }
    log(events::KlogSeverity::Error, "reload.go:58", "Workspace change not loaded: " + reason + "; " + kept);
    event("Warning", "RELOAD", "Pod ingress-nginx/ingress-nginx-controller",
          "Workspace change not loaded: " + reason + "; " + kept);
}

void LocalController::syncNow() {
    m_debounce->stop();
    sync();
}

void LocalController::log(events::KlogSeverity severity, const char* source, const std::string& message,
                          const std::vector<std::pair<std::string, std::string>>& kv, bool structured) {
    m_controllerLog->append(events::formatKlog(severity, events::nowUs(), m_pid, source, message, structured, kv));
}

void LocalController::event(const std::string& type, const std::string& reason, const std::string& object,
                            const std::string& message) {
    m_events->add(type, reason, object, message);
    log(events::KlogSeverity::Info, "event.go:377",
        "Event(" + objectReference(object) + "): type: '" + type + "' reason: '" + reason + "' " + message, {}, false);
}

void LocalController::start(StartOptions options) {
    if (m_proxy) {
        emit startFailed(QStringLiteral("the controller is already running"));
        return;
    }
    log(events::KlogSeverity::Info, "main.go:205", "Starting NGINX Ingress controller (Ingress Lab simulation)");
    m_pods = std::make_unique<backends::PodManager>();
    auto proxy = std::make_unique<proxy::ProxyServer>(options.proxy, m_telemetry);
    auto r = proxy->start();
    if (!r.ok()) {
        m_pods.reset();
        log(events::KlogSeverity::Error, "main.go:107", r.message());
        emit startFailed(QString::fromStdString(r.message()));
        return;
    }
    ReadyInfo info;
    info.httpAddress = options.proxy.httpAddress;
    info.httpPort = proxy->httpPort();
    info.httpsAddress = options.proxy.httpsAddress;
    info.httpsPort = options.proxy.httpsPort < 0 ? -1 : proxy->httpsPort();
    info.adminAddress = options.adminAddress;
    info.adminPort = -1;
    if (options.adminPort >= 0) {
        std::weak_ptr<metrics::MetricsRegistry> weak = m_metrics;
        auto admin = std::make_unique<metrics::AdminServer>([weak] {
            auto m = weak.lock();
            return m ? m->prometheusText() : std::string();
        });
        auto ar = admin->listen(options.adminAddress, options.adminPort);
        if (!ar.ok()) {
            proxy->stop();
            m_pods.reset();
            log(events::KlogSeverity::Error, "main.go:107", ar.message());
            emit startFailed(QString::fromStdString(ar.message()));
            return;
        }
        info.adminPort = admin->port();
        m_admin = std::move(admin);
    }
    m_proxy = std::move(proxy);
    m_haveTable = false;
    m_lastIngresses.clear();
    log(events::KlogSeverity::Info, "nginx.go:338", "Starting NGINX process");
    log(events::KlogSeverity::Info, "nginx.go:358", "Listening", {{"http", info.httpAddress + ":" + std::to_string(info.httpPort)},
                                                                {"https", info.httpsPort < 0 ? "-" : info.httpsAddress + ":" + std::to_string(info.httpsPort)}});
    sync();
    m_metrics->tick(nowMs());
    m_metricsTimer->start();
    emit started(info);
}

void LocalController::stop() {
    if (!m_proxy) return;
    m_debounce->stop();
    m_metricsTimer->stop();
    log(events::KlogSeverity::Info, "nginx.go:394", "Shutting down controller queues");
    m_admin.reset();
    m_proxy->stop();
    m_proxy.reset();
    m_pods.reset();
    log(events::KlogSeverity::Info, "main.go:185", "Stopped NGINX process");
    emit stopped();
}

void LocalController::tickMetrics() {
    m_metrics->tick(nowMs());
}

void LocalController::killPod(const std::string& podName) {
    if (!m_pods) return;
    auto r = m_pods->kill(podName);
    if (!r.ok()) {
        log(events::KlogSeverity::Warning, "pods.go:61", r.message());
        return;
    }
    for (const auto& p : m_pods->pods())
        if (p.name == podName) event("Normal", "Killing", "Pod " + p.ns + "/" + p.name, "Stopping container " + p.deployment);
    emit podsChanged();
}

void LocalController::restartPod(const std::string& podName) {
    if (!m_pods) return;
    auto r = m_pods->restart(podName);
    if (!r.ok()) {
        log(events::KlogSeverity::Warning, "pods.go:74", r.message());
        return;
    }
    for (const auto& p : m_pods->pods())
        if (p.name == podName) event("Normal", "Started", "Pod " + p.ns + "/" + p.name, "Started container " + p.deployment);
    sync();  // the port may have changed
}

void LocalController::scaleDeployment(const std::string& ns, const std::string& name, int replicas) {
    const std::string key = ns + "/" + name;
    int current = -1;
    for (const model::Deployment* d : m_workspace.all<model::Deployment>())
        if (d->meta.qualifiedName() == key) current = d->replicas;
    m_replicaOverrides[key] = std::max(0, replicas);
    m_replicasAtOverride[key] = current;
    if (m_proxy) sync();
}

model::Workspace LocalController::withAutoBackends(const model::Workspace& input, std::vector<std::string>* added) {
    model::Workspace ws = input.clone();
    std::set<std::string> handled;
    std::vector<model::Resource> extra;
    auto makeResource = [&](const std::string& apiVersion, const std::string& kind, const model::ObjectMeta& meta) {
        model::Resource r;
        r.apiVersion = apiVersion;
        r.kind = kind;
        r.meta = meta;
        r.node = YAML::Node(YAML::NodeType::Map);
        r.node["apiVersion"] = apiVersion;
        r.node["kind"] = kind;
        r.node["metadata"]["name"] = meta.name;
        r.node["metadata"]["namespace"] = meta.ns;
        r.source.file = "(auto-backends)";
        r.creationOrder = static_cast<int>(ws.resources.size() + extra.size());
        return r;
    };
    for (const model::Ingress* ing : input.all<model::Ingress>()) {
        for (const BackendUse& use : backendsOf(*ing)) {
            const std::string key = use.ns + "/" + use.service;
            if (handled.count(key)) continue;
            const model::Service* svc = input.service(use.ns, use.service);
            std::map<std::string, std::string> labels;
            if (!svc) {
                // Collect every port any Ingress names for this Service.
                model::Service s;
                s.meta.name = use.service;
                s.meta.ns = use.ns;
                s.meta.isNamespaceSet = true;
                s.hasSelector = true;
                s.selector = {{"ingress-lab.dev/auto-backend", use.service}};
                for (const model::Ingress* other : input.all<model::Ingress>())
                    for (const BackendUse& u : backendsOf(*other)) {
                        if (u.ns != use.ns || u.service != use.service) continue;
                        model::ServicePort sp;
                        if (u.port.number && *u.port.number > 0) {
                            if (s.findPort(*u.port.number)) continue;
                            sp.port = *u.port.number;
                        } else if (u.port.name && !u.port.name->empty()) {
                            if (s.findPortByName(*u.port.name)) continue;
                            sp.name = *u.port.name;
                            sp.port = s.findPort(80) ? 8000 + static_cast<int>(s.ports.size()) : 80;
                        } else {
                            continue;
                        }
                        s.ports.push_back(sp);
                    }
                if (s.ports.size() > 1)  // a multi-port Service needs a name on every port
                    for (auto& sp : s.ports)
                        if (sp.name.empty()) sp.name = "port-" + std::to_string(sp.port);
                if (s.ports.empty()) continue;
                labels = s.selector;
                model::Resource r = makeResource("v1", "Service", s.meta);
                r.object = s;
                extra.push_back(std::move(r));
                if (added) added->push_back("Service " + key);
            } else {
                if (!svc->hasSelector || svc->selector.empty()) continue;  // its endpoints are the user's addresses
                if (!input.deploymentsSelectedBy(*svc).empty()) continue;  // it has pods
                labels = svc->selector;
            }
            handled.insert(key);
            model::Deployment d;
            d.meta.name = input.find("Deployment", use.ns, use.service) ? use.service + "-auto" : use.service;
            d.meta.ns = use.ns;
            d.meta.isNamespaceSet = true;
            d.replicas = 1;
            d.isReplicasSet = true;
            d.selector = labels;
            d.templateLabels = labels;
            model::Container c;
            c.name = "echo";
            c.image = "ingress-lab/echo:1.0";
            d.containers.push_back(c);
            model::Resource r = makeResource("apps/v1", "Deployment", d.meta);
            r.object = d;
            extra.push_back(std::move(r));
            if (added) added->push_back("Deployment " + use.ns + "/" + d.meta.name);
        }
    }
    for (auto& r : extra) ws.resources.push_back(std::move(r));
    return ws;
}

void LocalController::checkReferences(const model::Workspace& ws, const routing::EndpointMap& endpoints) {
    std::set<std::string> reported;
    for (const model::Ingress* ing : ws.all<model::Ingress>()) {
        const std::string object = "Ingress " + ing->meta.qualifiedName();
        for (const BackendUse& use : backendsOf(*ing)) {
            const std::string key = use.ns + "/" + use.service;
            const model::Service* svc = ws.service(use.ns, use.service);
            if (!svc) {
                if (!reported.insert(object + "|missing|" + key).second) continue;
                const std::string msg = "Error obtaining Endpoints for Service \"" + key + "\": no object matching key \"" +
                                        key + "\" in local store";
                log(events::KlogSeverity::Warning, "controller.go:1214", msg, {}, false);
                event("Warning", "ServiceNotFound", object, "Service " + key + " not found");
                continue;
            }
            if (svc->type == "ExternalName") continue;
            const model::ServicePort* sp = resolvePort(*svc, use.port);
            if (!sp) {
                if (!reported.insert(object + "|port|" + key).second) continue;
                const std::string port = use.port.number ? std::to_string(*use.port.number) : use.port.name.value_or("");
                log(events::KlogSeverity::Warning, "controller.go:1222", "Service \"" + key + "\" does not have a port " + port, {}, false);
                event("Warning", "PortNotFound", object, "Service " + key + " has no port " + port);
                continue;
            }
            auto it = endpoints.find(routing::EndpointKey{use.ns, use.service, sp->port});
            if (it == endpoints.end() || it->second.empty()) {
                if (!reported.insert("noendpoints|" + key).second) continue;
                log(events::KlogSeverity::Warning, "controller.go:1100", "Service \"" + key + "\" does not have any active Endpoint.",
                    {}, false);
                event("Warning", "NoActiveEndpoints", object, "Service " + key + " does not have any active Endpoint");
            }
        }
        for (const auto& tls : ing->spec.tls) {
            if (!tls.secretName || tls.secretName->empty()) continue;
            const std::string key = ing->meta.ns + "/" + *tls.secretName;
            const model::Secret* secret = ws.secret(ing->meta.ns, *tls.secretName);
            std::string why;
            if (!secret) why = "local SSL certificate " + key + " was not found";
            else if (secret->tlsCert().empty() || secret->tlsKey().empty()) why = "secret " + key + " has no tls.crt/tls.key";
            if (why.empty() || !reported.insert(object + "|tls|" + key).second) continue;
            log(events::KlogSeverity::Warning, "controller.go:1400",
                "Error getting SSL certificate \"" + key + "\": " + why + ". Using default certificate", {}, false);
            event("Warning", "TLSSecretNotFound", object,
                  "Error getting SSL certificate \"" + key + "\": " + why + ". Using default certificate");
        }
    }
}

void LocalController::sync() {
    if (!m_proxy || !m_pods) return;
    ++m_generation;
    // Scale overrides last until the workspace's own replicas value changes.
    for (auto it = m_replicaOverrides.begin(); it != m_replicaOverrides.end();) {
        int current = -1;
        for (const model::Deployment* d : m_workspace.all<model::Deployment>())
            if (d->meta.qualifiedName() == it->first) current = d->replicas;
        if (current != m_replicasAtOverride[it->first]) {
            m_replicasAtOverride.erase(it->first);
            it = m_replicaOverrides.erase(it);
        } else {
            ++it;
        }
    }
    std::vector<std::string> autoAdded;
    const model::Workspace ws = m_autoBackends ? withAutoBackends(m_workspace, &autoAdded) : m_workspace.clone();

    // 1. Pods.
    const auto desired = backends::PodManager::desiredPods(ws, m_replicaOverrides);
    std::map<std::string, int> replicasBefore;
    for (const auto& p : m_pods->pods())
        if (p.phase != backends::PodInfo::Phase::Terminating) ++replicasBefore[p.ns + "/" + p.deployment];
    const backends::ReconcileResult rec = m_pods->reconcile(desired);
    for (const auto& spec : desired) {
        const std::string key = spec.ns + "/" + spec.deployment;
        const int before = replicasBefore.count(key) ? replicasBefore[key] : 0;
        if (before != spec.replicas)
            event("Normal", "ScalingReplicaSet", "Deployment " + key,
                  std::string(spec.replicas > before ? "Scaled up" : "Scaled down") + " replica set " + spec.deployment + "-" +
                      spec.templateHash + " to " + std::to_string(spec.replicas));
    }
    for (const auto& name : rec.created) {
        for (const auto& p : m_pods->pods())
            if (p.name == name) event("Normal", "Started", "Pod " + p.ns + "/" + p.name,
                                      "Started container " + p.deployment + " (simulated, 127.0.0.1:" + std::to_string(p.port) + ")");
    }
    for (const auto& problem : rec.problems) {
        const std::size_t colon = problem.find(": ");
        event("Warning", "InvalidAnnotation", problem.substr(0, colon), colon == std::string::npos ? problem : problem.substr(colon + 2));
    }

    // 2. Route table with the pods' endpoints.
    routing::EndpointMap endpoints = m_pods->endpointMap(ws);
    for (const auto& [key, list] : m_clusterEndpoints) endpoints[key] = list;
    routing::CompileResult cr = routing::RouteTable::compile(ws, m_settings, &endpoints);

    // 3. Events, as ingress-nginx emits them.
    int ingresses = 0;
    std::set<std::string> ignored;
    for (const auto& st : cr.status)
        if (st.state == routing::IngressStatus::State::Ignored) ignored.insert(st.ingress);
    std::map<std::string, model::Ingress> current;
    for (const model::Ingress* ing : ws.all<model::Ingress>()) {
        const std::string key = ing->meta.qualifiedName();
        if (ignored.count(key)) continue;
        ++ingresses;
        current.emplace(key, *ing);
        auto it = m_lastIngresses.find(key);
        if (it == m_lastIngresses.end() || !(it->second == *ing)) event("Normal", "Sync", "Ingress " + key, "Scheduled for sync");
    }
    m_lastIngresses = std::move(current);
    checkReferences(ws, endpoints);
    for (const Diagnostic& d : cr.diagnostics) {
        if (d.severity == Severity::Info) continue;
        if (d.code == DiagCode::NotFound && d.field.rfind("spec.tls", 0) == 0) continue;  // reported by checkReferences
        const bool annotation = d.field.find("annotations") != std::string::npos;
        const std::string reason = annotation ? (d.code == DiagCode::Unknown ? "AnnotationIgnored" : "InvalidAnnotation")
                                              : (d.code == DiagCode::Conflict ? "Conflict" : "ConfigurationWarning");
        event("Warning", reason, d.object.empty() ? "Ingress -/-" : d.object, d.message());
    }

    // 4. Swap only when the compiled content changed (style.md B.8).
    SyncResult result;
    result.generation = m_generation;
    result.ingresses = ingresses;
    result.pods = static_cast<int>(m_pods->runningCount());
    const std::uint64_t hash = cr.table->contentHash();
    if (!m_haveTable || hash != m_runningHash) {
        log(events::KlogSeverity::Info, "controller.go:190", "Configuration changes detected, backend reload required");
        m_proxy->setRouteTable(cr.table);
        m_runningHash = hash;
        m_haveTable = true;
        m_metrics->recordReload(true, hash, nowMs());
        log(events::KlogSeverity::Info, "controller.go:210", "Backend successfully reloaded");
        event("Normal", "RELOAD", "Pod ingress-nginx/ingress-nginx-controller", "NGINX reload triggered due to a change in configuration");
        result.reloaded = true;
    }
    result.contentHash = m_runningHash;
    // 5. Pods no longer selected stop after a grace period, once the table without them is live.
    if (!rec.removed.empty()) {
        for (const auto& name : rec.removed)
            for (const auto& p : m_pods->pods())
                if (p.name == name) event("Normal", "Killing", "Pod " + p.ns + "/" + p.name, "Stopping container " + p.deployment);
        m_pods->retireTerminating(POD_GRACE_MS);
    }
    m_metrics->setExtraText("# HELP ilab_simulated_pods Simulated pods running\n# TYPE ilab_simulated_pods gauge\nilab_simulated_pods " +
                            std::to_string(result.pods) + "\n");
    if (!rec.created.empty() || !rec.removed.empty()) emit podsChanged();
    emit synced(result);
}

}  // namespace ilab::controller
