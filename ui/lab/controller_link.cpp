#include "ui/lab/controller_link.h"

#include <QCoreApplication>
#include <QPointer>
#include <QTimer>

#include "core/controller/local_controller.h"
#include "core/events/event_log.h"
#include "core/events/line_log.h"
#include "core/metrics/metrics_registry.h"

namespace ilab::ui {

// The LocalController lives on its control thread for the link's whole life (the composition root owns both),
// so its ring buffers (and the lab's logs) survive a stop/start. Every call into it is a queued invokeMethod;
// its signals arrive queued on the GUI thread. The pod list is fetched on the control thread (PodManager is
// created and destroyed there) and posted back, never read across threads.
struct ControllerLink::Impl {
    controller::LocalController* ctl = nullptr;  // not owned; outlives the link
    QVector<MapPod> pods;
    QTimer podTimer;
};

ControllerLink::ControllerLink(controller::LocalController* controller, QObject* parent)
    : QObject(parent), m_impl(std::make_unique<Impl>()) {
    Q_ASSERT(controller && controller->thread() != thread());  // it must run off the GUI thread
    auto* d = m_impl.get();
    d->ctl = controller;

    connect(d->ctl, &controller::LocalController::started, this, [this](const controller::ReadyInfo& info) {
        m_httpPort = info.httpPort;
        m_httpsPort = info.httpsPort;
        setState(State::Running);
        m_impl->podTimer.start();
        requestPods();  // the first pod list right away (the map and the access log's pod column)
        Q_EMIT started();
    }, Qt::QueuedConnection);
    connect(d->ctl, &controller::LocalController::startFailed, this, [this](const QString& message) {
        setState(State::Stopped);
        Q_EMIT startFailed(message);
    }, Qt::QueuedConnection);
    connect(d->ctl, &controller::LocalController::stopped, this, [this] {
        m_impl->podTimer.stop();
        m_impl->pods.clear();
        setState(State::Stopped);
        Q_EMIT stopped();
    }, Qt::QueuedConnection);

    // Pods: refreshed every second and whenever the controller says they changed.
    d->podTimer.setInterval(1000);
    connect(&d->podTimer, &QTimer::timeout, this, &ControllerLink::requestPods);
    connect(d->ctl, &controller::LocalController::podsChanged, this, &ControllerLink::requestPods, Qt::QueuedConnection);
}

void ControllerLink::requestPods() {
    QPointer<ControllerLink> self(this);
    auto* ctl = m_impl->ctl;
    QMetaObject::invokeMethod(ctl, [ctl, self] {
        QVector<MapPod> out;
        for (const auto& p : ctl->pods()) {
            if (p.phase == backends::PodInfo::Phase::Terminating) continue;
            MapPod m;
            m.ns = QString::fromStdString(p.ns);
            m.name = QString::fromStdString(p.name);
            m.deployment = QString::fromStdString(p.deployment);
            m.address = QStringLiteral("127.0.0.1:%1").arg(p.port);
            m.ready = p.phase == backends::PodInfo::Phase::Running;
            out << m;
        }
        QMetaObject::invokeMethod(self.data(), [self, out] {
            if (self && self->m_state == State::Running) self->m_impl->pods = out;
        }, Qt::QueuedConnection);
    }, Qt::QueuedConnection);
}

// The controller keeps running until its owner stops it (GuiServices' destructor, right after the windows).
ControllerLink::~ControllerLink() = default;

void ControllerLink::setState(State s) {
    if (s == m_state) return;
    m_state = s;
    Q_EMIT stateChanged(s);
}

void ControllerLink::start(const model::Workspace& ws, const proxy::ProxyConfig& config) {
    if (m_state != State::Stopped) return;
    setState(State::Starting);
    auto copy = std::make_shared<model::Workspace>(ws.clone());
    controller::StartOptions options;
    options.proxy = config;
    options.adminPort = -1;  // the lab reads metrics in process; `serve` offers /metrics
    auto* ctl = m_impl->ctl;
    QMetaObject::invokeMethod(ctl, [ctl, copy, options] {
        ctl->setWorkspace(std::move(*copy));
        ctl->start(options);
    }, Qt::QueuedConnection);
}

void ControllerLink::stop() {
    if (m_state != State::Running) return;
    setState(State::Stopping);
    auto* ctl = m_impl->ctl;
    QMetaObject::invokeMethod(ctl, [ctl] { ctl->stop(); }, Qt::QueuedConnection);
}

void ControllerLink::setWorkspace(const model::Workspace& ws) {
    auto copy = std::make_shared<model::Workspace>(ws.clone());
    auto* ctl = m_impl->ctl;
    QMetaObject::invokeMethod(ctl, [ctl, copy] { ctl->setWorkspace(std::move(*copy)); }, Qt::QueuedConnection);
}

void ControllerLink::applyNow(const model::Workspace& ws, std::function<void()> done) {
    auto copy = std::make_shared<model::Workspace>(ws.clone());
    auto* ctl = m_impl->ctl;
    QPointer<ControllerLink> self(this);
    QMetaObject::invokeMethod(ctl, [ctl, copy, self, done = std::move(done)] {
        ctl->setWorkspace(std::move(*copy));
        ctl->syncNow();  // the proxy has the new table (posted to its workers) when this returns
        QMetaObject::invokeMethod(QCoreApplication::instance(), [self, done] {  // back on the GUI thread
            if (self && done) done();
        }, Qt::QueuedConnection);
    }, Qt::QueuedConnection);
}

void ControllerLink::setClusterEndpoints(const routing::EndpointMap& endpoints) {
    auto* ctl = m_impl->ctl;
    QMetaObject::invokeMethod(ctl, [ctl, endpoints] { ctl->setClusterEndpoints(endpoints); }, Qt::QueuedConnection);
}

void ControllerLink::killPod(const QString&, const QString& pod) {
    auto* ctl = m_impl->ctl;
    const std::string name = pod.toStdString();
    QMetaObject::invokeMethod(ctl, [ctl, name] { ctl->killPod(name); }, Qt::QueuedConnection);
}

void ControllerLink::restartDeployment(const QString& ns, const QString& deployment) {
    // Like `kubectl rollout restart` for the lab's purpose: every pod of the Deployment is restarted.
    auto* ctl = m_impl->ctl;
    const std::string n = ns.toStdString(), dep = deployment.toStdString();
    QMetaObject::invokeMethod(ctl, [ctl, n, dep] {
        for (const auto& p : ctl->pods())
            if (p.ns == n && p.deployment == dep) ctl->restartPod(p.name);
    }, Qt::QueuedConnection);
}

void ControllerLink::scaleDeployment(const QString& ns, const QString& deployment, int replicas) {
    auto* ctl = m_impl->ctl;
    const std::string n = ns.toStdString(), dep = deployment.toStdString();
    QMetaObject::invokeMethod(ctl, [ctl, n, dep, replicas] { ctl->scaleDeployment(n, dep, replicas); },
                              Qt::QueuedConnection);
}

QString ControllerLink::listenAddresses() const {
    QString s = QStringLiteral("http://127.0.0.1:%1").arg(m_httpPort);
    if (m_httpsPort > 0) s += QStringLiteral(" https://127.0.0.1:%1").arg(m_httpsPort);
    return s;
}

std::shared_ptr<events::EventLog> ControllerLink::eventLog() const { return m_impl->ctl->eventLog(); }
std::shared_ptr<events::LineLog> ControllerLink::controllerLog() const { return m_impl->ctl->controllerLog(); }
std::shared_ptr<events::LineLog> ControllerLink::accessLog() const { return m_impl->ctl->accessLog(); }

std::vector<metrics::Snapshot> ControllerLink::snapshotsSince(std::int64_t afterMs) const {
    return m_impl->ctl->metrics()->snapshotsSince(afterMs);
}

QVector<MapPod> ControllerLink::pods() const { return m_impl->pods; }

}  // namespace ilab::ui
