// `ingress-lab-cli traffic … --target local|cluster` and `--compare`: the controller endpoints traffic goes to and
// predicted vs observed (see traffic_target.h).
#include "app/cli/traffic_target.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QThread>
#include <QTimer>
#include <QUrl>

#include <cstdio>
#include <set>

#include "app/cli/cli_common.h"
#include "app/cli/cluster_session.h"
#include "core/controller/local_controller.h"
#include "core/kube/controller_target.h"
#include "core/loadgen/comparison.h"
#include "core/loadgen/load_generator.h"
#include "core/loadgen/side_by_side.h"

namespace ilab::cli {

const char* const TARGET_USAGE =
    "Where the traffic goes (the URLs keep their host: Host header and SNI stay, connections are redirected\n"
    "with curl's --connect-to mechanism):\n"
    "  --target local       the workspace's local controller, started here on 127.0.0.1 (needs --workspace)\n"
    "  --target cluster     the cluster's ingress controller: Ingress status, controller Service (LoadBalancer,\n"
    "                       NodePort), hostPort / kind port mapping, minikube tunnel; the rule is printed\n"
    "  --compare            predicted vs observed: the same requests to --target local and --target cluster,\n"
    "                       per route backend shares, statuses, redirects, latency; exit 1 on a disagreement\n"
    "  --workspace PATH     workspace file or folder for the local controller ('demo'; repeatable)\n"
    "  --auto-backends      the local controller gives Services without pods an echo pod (as serve)\n"
    "  --kubeconfig FILE, --context NAME, --namespace NS (the Ingresses' namespace; -n stays the request count)\n"
    "  --controller-namespace NS   where the ingress controller runs (default ingress-nginx)\n"
    "  --confidence C       --compare: confidence of the tests, 0.9 to 0.999999 (default 0.99)\n"
    "  --allow-exec-plugin  approve the context's exec credential plugin\n";

namespace {

class LocalEndpoint : public ControllerEndpoint {
public:
    ~LocalEndpoint() override {
        if (m_ctl) QMetaObject::invokeMethod(m_ctl, [c = m_ctl] { c->stop(); }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    bool start(const TargetOptions& o) {
        model::Workspace ws;
        if (!loadWorkspace(o.workspace, ws, "traffic")) return false;
        m_name = o.workspace.join(QLatin1Char(' ')).toStdString();
        m_thread.setObjectName(QStringLiteral("ilab-control"));
        m_ctl = new controller::LocalController;
        m_ctl->moveToThread(&m_thread);
        QObject::connect(&m_thread, &QThread::finished, m_ctl, &QObject::deleteLater);
        m_thread.start();
        QEventLoop loop;
        std::string failure;
        bool ok = false;
        QObject::connect(m_ctl, &controller::LocalController::started, &loop, [&](const controller::ReadyInfo& info) {
            m_info = info;
            ok = true;
            loop.quit();
        }, Qt::QueuedConnection);
        QObject::connect(m_ctl, &controller::LocalController::startFailed, &loop, [&](const QString& message) {
            failure = message.toStdString();
            loop.quit();
        }, Qt::QueuedConnection);
        controller::StartOptions opts;
        opts.proxy.httpAddress = "127.0.0.1";
        opts.proxy.httpPort = 0;
        opts.proxy.httpsAddress = "127.0.0.1";
        opts.proxy.httpsPort = 0;
        opts.adminPort = -1;
        auto wsPtr = std::make_shared<model::Workspace>(ws.clone());
        const bool autoBackends = o.autoBackends;
        QMetaObject::invokeMethod(m_ctl, [c = m_ctl, wsPtr, autoBackends, opts]() mutable {
            c->setAutoBackends(autoBackends);
            c->setWorkspace(std::move(*wsPtr));
            c->start(opts);
        }, Qt::QueuedConnection);
        QTimer::singleShot(60000, &loop, [&] {
            failure = "the local controller did not start within 60 s";
            loop.quit();
        });
        loop.exec();
        if (!ok) {
            std::fprintf(stderr, "ingress-lab-cli traffic: local controller: %s\n", failure.c_str());
            return false;
        }
        return true;
    }
    std::vector<std::string> connectTo(const std::vector<loadgen::RequestTarget>& targets) const override {
        std::vector<std::string> out;
        for (const auto& h : loadgen::targetHosts(targets)) {
            const int to = h.https ? m_info.httpsPort : m_info.httpPort;
            if (to > 0) out.push_back(h.host + ":" + std::to_string(h.port) + ":127.0.0.1:" + std::to_string(to));
        }
        return out;
    }
    std::string label() const override {
        return "local controller (" + m_name + ") on 127.0.0.1 HTTP " + std::to_string(m_info.httpPort) + ", HTTPS " +
               std::to_string(m_info.httpsPort);
    }
    std::string ruleId() const override { return "local"; }

private:
    QThread m_thread;
    controller::LocalController* m_ctl = nullptr;
    controller::ReadyInfo m_info;
    std::string m_name;
};

class ClusterEndpoint : public ControllerEndpoint {
public:
    explicit ClusterEndpoint(kube::ControllerTarget t, std::string context) : m_target(std::move(t)), m_context(std::move(context)) {}
    std::vector<std::string> connectTo(const std::vector<loadgen::RequestTarget>& targets) const override {
        std::vector<std::string> out;
        for (const auto& h : loadgen::targetHosts(targets))
            if (auto c = m_target.connectTo(h.host, h.port, h.https); !c.empty()) out.push_back(c);
        return out;
    }
    std::string label() const override { return "cluster controller (context " + m_context + ") at " + m_target.describe(); }
    std::string ruleId() const override { return m_target.ruleId(); }

private:
    kube::ControllerTarget m_target;
    std::string m_context;
};

}  // namespace

ControllerEndpoint::~ControllerEndpoint() = default;

bool parseTargetOption(const QStringList& args, int& i, TargetOptions& o, std::string& error) {
    const QString& a = args[i];
    auto value = [&](QString& out) {
        if (i + 1 >= args.size()) {
            error = a.toStdString() + " needs a value";
            return false;
        }
        out = args[++i];
        return true;
    };
    QString v;
    if (a == QLatin1String("--target")) {
        if (!value(v)) return true;
        if (v != QLatin1String("local") && v != QLatin1String("cluster"))
            error = "--target must be 'local' or 'cluster', not '" + v.toStdString() + "'";
        o.target = v.toStdString();
    } else if (a == QLatin1String("--compare")) {
        o.compare = true;
    } else if (a == QLatin1String("--workspace")) {
        if (value(v)) o.workspace << v;
    } else if (a == QLatin1String("--auto-backends")) {
        o.autoBackends = true;
    } else if (a == QLatin1String("--kubeconfig") || a == QLatin1String("--context") || a == QLatin1String("--namespace")) {
        if (value(v)) o.clusterArgs << a << v;
    } else if (a == QLatin1String("--allow-exec-plugin")) {
        o.clusterArgs << a;
    } else if (a == QLatin1String("--controller-namespace")) {
        if (value(v)) o.controllerNamespace = v.toStdString();
    } else if (a == QLatin1String("--confidence")) {
        if (!value(v)) return true;
        bool ok = false;
        o.confidence = v.toDouble(&ok);
        if (!ok || o.confidence < 0.9 || o.confidence > 0.999999)
            error = "--confidence must be between 0.9 and 0.999999, not '" + v.toStdString() + "'";
    } else {
        return false;
    }
    return true;
}

std::unique_ptr<ControllerEndpoint> openLocalController(const TargetOptions& o) {
    if (o.workspace.isEmpty()) {
        std::fprintf(stderr, "ingress-lab-cli traffic: --target local and --compare need --workspace PATH (or 'demo')\n");
        return nullptr;
    }
    auto e = std::make_unique<LocalEndpoint>();
    if (!e->start(o)) return nullptr;
    return e;
}

std::unique_ptr<ControllerEndpoint> openClusterController(const TargetOptions& o,
                                                          const std::vector<loadgen::RequestTarget>& targets) {
    QCommandLineParser p;
    cluster::addConnectionOptions(p, false);
    if (!p.parse(QStringList{QStringLiteral("traffic")} + o.clusterArgs)) {
        std::fprintf(stderr, "ingress-lab-cli traffic: %s\n", qPrintable(p.errorText()));
        return nullptr;
    }
    auto session = cluster::Session::open(p, "traffic");
    if (!session) return nullptr;
    kube::ResolveOptions ro;
    ro.controllerNamespace = o.controllerNamespace;
    for (const auto& h : loadgen::targetHosts(targets)) ro.hosts.push_back(h.host);
    std::optional<kube::ClusterView> view;
    std::vector<std::string> notes;
    std::optional<kube::RestError> error;
    QEventLoop loop;
    QObject ctx;
    kube::collectClusterView(session->client(), session->ns(), ro, &ctx,
                             [&](kube::ClusterView v, std::vector<std::string> n, std::optional<kube::RestError> e) {
                                 view = std::move(v);
                                 notes = std::move(n);
                                 error = std::move(e);
                                 loop.quit();
                             });
    if (!view) loop.exec();
    if (error) {
        std::fprintf(stderr, "ingress-lab-cli traffic: cannot find the cluster's ingress controller: %s\n",
                     cluster::errorText(*error).c_str());
        return nullptr;
    }
    view->contextName = session->connection().contextName;
    kube::TargetResolution r = kube::targetCandidates(*view, ro);
    r.notes.insert(r.notes.begin(), notes.begin(), notes.end());
    kube::chooseTarget(r, kube::probeTarget);
    for (const auto& n : r.notes) std::fprintf(stderr, "ingress-lab-cli traffic: note: %s\n", n.c_str());
    if (!r.chosen) {
        std::fprintf(stderr, "ingress-lab-cli traffic: no address of the cluster's ingress controller answered and there is "
                             "no controller pod to port-forward to (namespace %s; --controller-namespace to change)\n",
                     o.controllerNamespace.c_str());
        return nullptr;
    }
    if (r.chosen->rule == kube::TargetRule::PortForward) {
        std::fprintf(stderr,
                     "ingress-lab-cli traffic: the controller is only reachable through a port-forward: %s\n"
                     "  run: kubectl -n %s port-forward pod/%s 8080:%d 8443:%d\n"
                     "  then send the traffic with --resolve HOST:8080:127.0.0.1 (or --connect-to)\n",
                     r.chosen->explanation.c_str(), r.chosen->podNamespace.c_str(), r.chosen->podName.c_str(),
                     r.chosen->podHttpPort, r.chosen->podHttpsPort);
        return nullptr;
    }
    std::fprintf(stderr, "ingress-lab-cli traffic: target: %s\n", r.chosen->describe().c_str());
    return std::make_unique<ClusterEndpoint>(*r.chosen, session->connection().contextName);
}

int runComparison(loadgen::LoadConfig cfg, const TargetOptions& o, bool json) {
    auto local = openLocalController(o);
    if (!local) return 2;
    auto remote = openClusterController(o, cfg.targets);
    if (!remote) return 2;

    auto side = [&cfg](const ControllerEndpoint& e) {
        loadgen::SideConnection s;
        s.label = e.label();
        s.connectTo = e.connectTo(cfg.targets);
        s.tlsVerify = cfg.tlsVerify;
        s.caFile = cfg.caFile;
        return s;
    };
    const loadgen::SideConnection predictedSide = side(*local), observedSide = side(*remote);
    int runs = 0;
    const loadgen::SideBySideOutcome out = loadgen::runSideBySide(
        cfg, predictedSide, observedSide,
        [](const loadgen::LoadConfig& c) { return std::make_shared<loadgen::LoadGenerator>(c); },
        [&](const std::shared_ptr<loadgen::LoadGenerator>& gen) {
            if (!gen) return true;
            const bool first = runs++ == 0;
            std::fprintf(stderr, "ingress-lab-cli traffic: %s: %s\n", first ? "prediction" : "observation",
                         (first ? predictedSide : observedSide).label.c_str());
            return true;
        },
        o.confidence);
    if (!out.comparison) {
        std::fprintf(stderr, "ingress-lab-cli traffic: %s\n", out.error.c_str());
        return 2;
    }
    const loadgen::Comparison& c = *out.comparison;
    printText(stdout, json ? c.toJson() : c.toText());
    return c.agrees() ? 0 : 1;
}

}  // namespace ilab::cli
