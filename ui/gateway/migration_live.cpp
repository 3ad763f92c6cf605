#include "ui/gateway/migration_live.h"

#include <QPointer>
#include <QThreadPool>

#include <mutex>

#include "core/controller/local_controller.h"
#include "core/loadgen/load_generator.h"
#include "core/loadgen/side_by_side.h"

namespace ilab::ui {

// One live run: the two controllers (ingress-nginx, gateway), where they listen, and the generator running now.
struct MigrationLiveJob {
    std::shared_ptr<controller::LocalController> nginx, gateway;
    controller::ReadyInfo nginxReady, gatewayReady;
    int ready = 0;
    loadgen::LoadConfig config;
    std::mutex mutex;
    std::shared_ptr<loadgen::LoadGenerator> current;  // guarded by mutex
    bool cancelled = false;                           // guarded by mutex
};

MigrationLive::MigrationLive(LocalControllerFactory controllers, LoadGeneratorFactory generators, QObject* parent)
    : QObject(parent), m_controllers(std::move(controllers)), m_generators(std::move(generators)) {}

MigrationLive::~MigrationLive() { release(); }

void MigrationLive::release() {
    ++m_generation;
    if (!m_job) return;
    {
        std::lock_guard lock(m_job->mutex);
        m_job->cancelled = true;
        if (m_job->current) m_job->current->stop();
    }
    // The pool job may still hold the job; the controllers go now (stopped on their threads).
    m_job->nginx.reset();
    m_job->gateway.reset();
    m_job.reset();
}

std::vector<loadgen::RequestTarget> MigrationLive::targetsOf(const std::vector<routing::RequestView>& corpus) {
    std::vector<loadgen::RequestTarget> out;
    for (const auto& r : corpus) {
        loadgen::RequestTarget t;
        t.url = r.scheme + "://" + r.host + r.target;
        t.method = r.method;
        for (const auto& [k, v] : r.headers) t.headers.push_back(k + ": " + v);
        if (r.contentLength) {
            t.body.assign(*r.contentLength, 'x');
            t.hasBody = true;
        }
        t.label = r.method + " " + t.url;
        for (const auto& [k, v] : r.headers) t.label += " [" + k + ": " + v + "]";
        if (r.contentLength) t.label += " [body: " + std::to_string(*r.contentLength) + " bytes]";
        out.push_back(std::move(t));
    }
    return out;
}

void MigrationLive::fail(const QString& message) {
    release();
    m_running = false;
    emit failed(message);
}

void MigrationLive::run(const model::Workspace& ingresses, const model::Workspace& gatewaySide,
                        const std::vector<routing::RequestView>& corpus, int requestsPerTarget) {
    if (m_running) return;
    if (!m_controllers || !m_generators) return fail(tr("This window was opened without local controllers to run."));
    if (corpus.empty()) return fail(tr("No requests to send: the workspace has no Ingress rules."));
    release();
    m_running = true;
    auto job = std::make_shared<MigrationLiveJob>();
    m_job = job;
    job->config.targets = targetsOf(corpus);
    job->config.requests = static_cast<std::uint64_t>(requestsPerTarget) * job->config.targets.size();
    job->config.concurrency = 8;
    job->config.tlsVerify = loadgen::TlsVerify::Insecure;  // the fake certificate, self-signed lab certificates
    job->nginx = m_controllers();
    job->gateway = m_controllers();
    const quint64 generation = m_generation;
    emit progress(tr("Starting an ingress-nginx and a Gateway API controller on free ports…"));
    auto startOne = [this, generation](controller::LocalController* ctl, routing::Profile profile,
                                       std::shared_ptr<model::Workspace> ws, controller::ReadyInfo* ready) {
        connect(ctl, &controller::LocalController::started, this, [this, generation, ready](controller::ReadyInfo info) {
            if (generation != m_generation || !m_job) return;
            *ready = info;
            if (++m_job->ready == 2) onStarted();
        }, Qt::QueuedConnection);
        connect(ctl, &controller::LocalController::startFailed, this, [this, generation](const QString& message) {
            if (generation == m_generation) fail(tr("A controller did not start: %1").arg(message));
        }, Qt::QueuedConnection);
        controller::StartOptions options;
        options.proxy.httpPort = 0;
        options.proxy.httpsPort = 0;
        options.proxy.exposeUpstreamHeader = true;  // the answering backend, as the lab's traffic reads it
        options.adminPort = -1;
        routing::ControllerSettings settings;
        settings.profile = profile;
        settings.compileOtherProfile = false;
        QMetaObject::invokeMethod(ctl, [ctl, settings, ws, options] {
            ctl->setSettings(settings);
            ctl->setWorkspace(std::move(*ws));
            ctl->start(options);
        }, Qt::QueuedConnection);
    };
    startOne(job->nginx.get(), routing::Profile::IngressNginx, std::make_shared<model::Workspace>(ingresses.clone()),
             &job->nginxReady);
    startOne(job->gateway.get(), routing::Profile::Gateway, std::make_shared<model::Workspace>(gatewaySide.clone()),
             &job->gatewayReady);
}

void MigrationLive::onStarted() {
    auto job = m_job;
    auto side = [&job](const char* name, const char* what, const controller::ReadyInfo& ready) {
        loadgen::SideConnection s;
        s.name = name;
        s.label = std::string(name) + " (" + what + ") on 127.0.0.1 HTTP " + std::to_string(ready.httpPort) + ", HTTPS " +
                  std::to_string(ready.httpsPort);
        for (const auto& h : loadgen::targetHosts(job->config.targets)) {
            const int port = h.https ? ready.httpsPort : ready.httpPort;
            if (port > 0) s.connectTo.push_back(h.host + ":" + std::to_string(h.port) + ":127.0.0.1:" + std::to_string(port));
        }
        s.tlsVerify = job->config.tlsVerify;
        return s;
    };
    const loadgen::SideConnection nginx = side("ingress-nginx", "the Ingresses", job->nginxReady);
    const loadgen::SideConnection gateway = side("Gateway API", "the Gateway API objects", job->gatewayReady);
    emit progress(tr("Sending %n request(s) to each controller…", nullptr, int(job->config.requests)));
    QPointer<MigrationLive> self(this);
    const quint64 generation = m_generation;
    const LoadGeneratorFactory factory = m_generators;
    QThreadPool::globalInstance()->start([self, job, factory, nginx, gateway, generation] {
        const loadgen::SideBySideOutcome out = loadgen::runSideBySide(
            job->config, nginx, gateway, factory,
            [job](const std::shared_ptr<loadgen::LoadGenerator>& gen) {
                std::lock_guard lock(job->mutex);
                job->current = gen;
                return !job->cancelled;
            });
        if (out.cancelled) return;
        QMetaObject::invokeMethod(
            self.data(),
            [self, out, generation] {
                if (!self || generation != self->m_generation) return;
                if (!out.comparison)
                    return self->fail(tr("The traffic could not run: %1").arg(QString::fromStdString(out.error)));
                self->release();  // stops both controllers
                self->m_running = false;
                emit self->finished(*out.comparison);
            },
            Qt::QueuedConnection);
    });
}

}  // namespace ilab::ui
