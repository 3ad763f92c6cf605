#include "ui/lab/compare_runner.h"

#include <QPointer>
#include <QThreadPool>
#include <QUrl>

#include <mutex>
#include <set>

#include "core/kube/port_forward.h"
#include "core/kube/rest_client.h"
#include "core/loadgen/load_generator.h"
#include "core/loadgen/side_by_side.h"
#include "ui/cluster_session.h"

namespace ilab::ui {

// What a running comparison shares with its pool job: the generator that runs now (stopped when the runner goes).
struct CompareJob {
    std::mutex mutex;
    std::shared_ptr<loadgen::LoadGenerator> current;  // guarded by mutex
    bool cancelled = false;                           // guarded by mutex
};

CompareRunner::CompareRunner(ClusterSession* session, LoadGeneratorFactory generators, QObject* parent)
    : QObject(parent), m_session(session), m_generators(std::move(generators)) {
    if (m_session) {
        connect(m_session, &ClusterSession::clientAboutToBeDestroyed, this, [this] {
            ++m_generation;  // answers of the old client are ignored
            m_forwards.clear();
            m_target.reset();
            if (m_running) fail(tr("The connection to the cluster ended before the comparison ran."));
            emit targetResolved(tr("Not connected to a cluster: connect in the Cluster panel to find its ingress "
                                   "controller."),
                                false);
        });
    }
}

CompareRunner::~CompareRunner() {
    if (m_job) {
        std::lock_guard lock(m_job->mutex);
        m_job->cancelled = true;
        if (m_job->current) m_job->current->stop();
    }
}

loadgen::LoadConfig CompareRunner::canonicalConfig(const loadgen::LoadConfig& config) {
    loadgen::LoadConfig c = config;
    c.resolve.clear();
    c.connectTo.clear();
    for (auto& t : c.targets) {
        QUrl u(QString::fromStdString(t.url));
        u.setPort(-1);
        t.url = u.toString().toStdString();
    }
    return c;
}

void CompareRunner::fail(const QString& message) {
    m_running = false;
    emit failed(message);
}

void CompareRunner::resolve(const std::vector<loadgen::RequestTarget>& targets) { resolveThen(targets, {}); }

void CompareRunner::resolveThen(const std::vector<loadgen::RequestTarget>& targets, std::function<void()> next) {
    if (!m_session || !m_session->client() || m_session->state() != ClusterSession::State::Connected) {
        const QString why = tr("Not connected to a cluster: connect in the Cluster panel to find its ingress controller.");
        emit targetResolved(why, false);
        if (next) fail(why);
        return;
    }
    kube::ResolveOptions options;
    for (const auto& h : loadgen::targetHosts(targets)) options.hosts.push_back(h.host);
    const quint64 generation = m_generation;
    QPointer<CompareRunner> self(this);
    kube::collectClusterView(
        *m_session->client(), m_session->ns().toStdString(), options, this,
        [this, self, generation, options, next](kube::ClusterView view, std::vector<std::string> notes,
                                                std::optional<kube::RestError> error) {
            if (!self || generation != m_generation) return;
            if (error) {
                const QString why = tr("Cannot find the cluster's ingress controller: %1")
                                        .arg(QString::fromStdString(error->describe()));
                emit targetResolved(why, false);
                if (next) fail(why);
                return;
            }
            view.contextName = m_session->context().toStdString();
            kube::TargetResolution r = kube::targetCandidates(view, options);
            r.notes.insert(r.notes.begin(), notes.begin(), notes.end());
            // The probe is a TCP connect per candidate (200 ms each at most): off the GUI thread.
            QThreadPool::globalInstance()->start([self, generation, r, next]() mutable {
                kube::chooseTarget(r, kube::probeTarget);
                QMetaObject::invokeMethod(
                    self.data(),
                    [self, generation, r = std::move(r), next]() mutable {
                        if (self && generation == self->m_generation) self->onChosen(std::move(r), next);
                    },
                    Qt::QueuedConnection);
            });
        });
}

void CompareRunner::onChosen(kube::TargetResolution r, std::function<void()> next) {
    QStringList notes;
    for (const auto& n : r.notes) notes << QString::fromStdString(n);
    const QString noteText = notes.isEmpty() ? QString() : tr("\nNotes: %1").arg(notes.join(QStringLiteral("; ")));
    if (!r.chosen) {
        const QString why = tr("No address of the cluster's ingress controller answered, and it has no Running pod "
                               "to port-forward to.") + noteText;
        m_target.reset();
        emit targetResolved(why, false);
        if (next) fail(why);
        return;
    }
    kube::ControllerTarget t = *r.chosen;
    m_forwards.clear();
    if (t.rule == kube::TargetRule::PortForward) {
        // Native port-forwards to the controller pod (one WebSocket per connection through the API server).
        const auto connection = m_session->connection();
        if (!connection) {
            const QString text = tr("The controller is only reachable through a port-forward to pod %1/%2, and the "
                                    "session is no longer connected to the cluster.")
                                     .arg(QString::fromStdString(t.podNamespace), QString::fromStdString(t.podName));
            emit targetResolved(text, false);
            if (next) fail(text);
            return;
        }
        auto forward = [&](int podPort) -> int {
            if (podPort <= 0) return 0;
            auto pf = std::make_unique<kube::PortForward>(*connection, kube::PortForwardTarget{t.podNamespace, t.podName, podPort},
                                                          m_session->credentialProvider());
            auto port = pf->listen();
            if (!port) return 0;
            m_forwards.push_back(std::move(pf));
            return port.value();
        };
        t.address = "127.0.0.1";
        t.httpPort = forward(t.podHttpPort);
        t.httpsPort = forward(t.podHttpsPort);
        t.explanation += " (forwarded to 127.0.0.1 by Ingress Lab)";
    }
    m_target = t;
    emit targetResolved(QString::fromStdString(t.describe()) + noteText, true);
    if (next) next();
}

void CompareRunner::run(const loadgen::LoadConfig& config, int localHttpPort, int localHttpsPort, double confidence) {
    if (m_running) return;
    m_running = true;
    const loadgen::LoadConfig c = canonicalConfig(config);
    QPointer<CompareRunner> self(this);
    resolveThen(c.targets, [self, c, localHttpPort, localHttpsPort, confidence] {
        if (self) self->runSides(c, localHttpPort, localHttpsPort, confidence);
    });
}

void CompareRunner::runSides(loadgen::LoadConfig cfg, int localHttpPort, int localHttpsPort, double confidence) {
    if (!m_target) return fail(tr("No cluster controller to compare with."));
    loadgen::SideConnection predicted, observed;
    predicted.label = QStringLiteral("local controller (the lab) on 127.0.0.1 HTTP %1, HTTPS %2")
                          .arg(localHttpPort)
                          .arg(localHttpsPort)
                          .toStdString();
    observed.label = "cluster controller (context " + m_session->context().toStdString() + ") at " + m_target->describe();
    for (const auto& h : loadgen::targetHosts(cfg.targets)) {
        const int local = h.https ? localHttpsPort : localHttpPort;
        if (local > 0) predicted.connectTo.push_back(h.host + ":" + std::to_string(h.port) + ":127.0.0.1:" + std::to_string(local));
        if (auto to = m_target->connectTo(h.host, h.port, h.https); !to.empty()) observed.connectTo.push_back(to);
    }
    for (auto* side : {&predicted, &observed}) {
        side->tlsVerify = cfg.tlsVerify;
        side->caFile = cfg.caFile;
    }
    auto job = std::make_shared<CompareJob>();
    m_job = job;
    QPointer<CompareRunner> self(this);
    const LoadGeneratorFactory factory = m_generators;
    QThreadPool::globalInstance()->start([self, job, factory, cfg, predicted, observed, confidence] {
        const loadgen::SideBySideOutcome out = loadgen::runSideBySide(
            cfg, predicted, observed, factory,
            [job](const std::shared_ptr<loadgen::LoadGenerator>& gen) {
                std::lock_guard lock(job->mutex);
                job->current = gen;
                return !job->cancelled;
            },
            confidence);
        if (out.cancelled || !self) return;
        QMetaObject::invokeMethod(
            self.data(),
            [self, out] {
                if (!self) return;
                if (!out.comparison) return self->fail(tr("The traffic could not run: %1").arg(QString::fromStdString(out.error)));
                self->m_running = false;
                emit self->finished(*out.comparison);
            },
            Qt::QueuedConnection);
    });
}

}  // namespace ilab::ui
