#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <unistd.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QSocketNotifier>
#include <QThread>
#include <QTimer>

#include "app/cli/cli_common.h"
#include "app/cli/cluster_session.h"
#include "app/cli/commands.h"
#include "core/controller/listen_exposure.h"
#include "core/controller/local_controller.h"
#include "core/controller/workspace_reloader.h"
#include "core/kube/cluster_endpoints.h"
#include "core/validation/validator.h"

// `ingress-lab-cli serve FILE|DIR...`: the local controller, headless.
// Contract (tests rely on it): once every listener is bound, exactly one line
//   ready http=ADDR:PORT https=ADDR:PORT admin=ADDR:PORT
// is printed and flushed on stdout; after it, controller log lines (klog format, including event lines) and
// access-log lines (ingress-nginx upstream format) follow on stdout. Diagnostics go to stderr.
// Exit: 0 after SIGINT/SIGTERM, 2 on bad usage, an unreadable workspace or an address that cannot be bound.
namespace ilab::cli {

namespace {

int g_signalPipe[2] = {-1, -1};

// Validation is advice here: whatever it finds (or if it fails), serve what compiles.
void printValidation(const model::Workspace& ws) {
    printDiagnostics(ws.loadDiagnostics, stderr);
    try {
        printDiagnostics(validation::validate(ws), stderr);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ingress-lab-cli serve: validation failed: %s\n", e.what());
    }
}

void onSignal(int) {
    const char c = 1;
    [[maybe_unused]] ssize_t n = ::write(g_signalPipe[1], &c, 1);
}

bool parseHostPort(const QString& text, std::string* host, int* port) {
    const qsizetype colon = text.lastIndexOf(':');
    if (colon <= 0) return false;
    QString h = text.left(colon);
    if (h.startsWith('[') && h.endsWith(']')) h = h.mid(1, h.size() - 2);
    bool ok = false;
    const int p = text.mid(colon + 1).toInt(&ok);
    if (!ok || p < 0 || p > 65535) return false;
    if (QHostAddress(h).isNull()) return false;
    *host = h.toStdString();
    *port = p;
    return true;
}

// Prints the controller log and the access log as they grow (main thread, every 100 ms).
class LogPrinter {
public:
    explicit LogPrinter(const controller::LocalController& c) : m_ctl(c.controllerLog()), m_access(c.accessLog()) {}
    void flush() {
        bool any = drain(*m_ctl, m_ctlId, {});
        any = drain(*m_access, m_accessId, m_tunnels) || any;
        if (any) std::fflush(stdout);
    }
    // Cluster-backed Services: the local address of each port-forward and the pod behind it ("web-5d8c-a:8080").
    // Access lines show the pod there instead of the tunnel's 127.0.0.1 port, which says nothing to the reader.
    // Tunnels of pods that left stay known, so lines of requests still in flight name their pod too.
    void addTunnels(const std::map<std::string, std::string>& tunnels) {
        for (const auto& [address, pod] : tunnels) m_tunnels[address] = pod;
    }

private:
    static std::string withPodNames(const std::string& line, const std::map<std::string, std::string>& tunnels) {
        std::string out;
        size_t from = 0;
        for (size_t at = line.find("127.0.0.1:"); at != std::string::npos; at = line.find("127.0.0.1:", at + 1)) {
            if (at > 0 && line[at - 1] != ' ') continue;
            size_t end = at;
            while (end < line.size() && line[end] != ' ' && line[end] != ',') ++end;
            auto it = tunnels.find(line.substr(at, end - at));
            if (it == tunnels.end()) continue;
            out.append(line, from, at - from).append(it->second);
            from = end;
        }
        if (from == 0) return line;
        return out.append(line, from, std::string::npos);
    }
    static bool drain(const events::LineLog& log, std::uint64_t& last, const std::map<std::string, std::string>& tunnels) {
        bool any = false;
        while (true) {
            events::LineBatch b = log.linesSince(last, 5000);
            if (b.lines.empty()) return any;
            for (const auto& line : b.lines) {
                const std::string l = tunnels.empty() ? line : withPodNames(line, tunnels);
                std::fwrite(l.data(), 1, l.size(), stdout);
                std::fputc('\n', stdout);
            }
            last = b.firstId + b.lines.size() - 1;
            any = true;
        }
    }
    std::shared_ptr<events::LineLog> m_ctl, m_access;
    std::uint64_t m_ctlId = 0, m_accessId = 0;
    std::map<std::string, std::string> m_tunnels;
};

}  // namespace

int runServe(const QStringList& args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Serve the workspace through the local controller: a real HTTP/HTTPS proxy "
                                               "in front of simulated pods. Logs go to stdout."));
    p.addHelpOption();
    p.addOption({QStringLiteral("http"), QStringLiteral("HTTP listener (port 0 = free port)."), QStringLiteral("ADDR:PORT"),
                 QStringLiteral("127.0.0.1:8080")});
    p.addOption({QStringLiteral("https"), QStringLiteral("HTTPS listener (port 0 = free port)."), QStringLiteral("ADDR:PORT"),
                 QStringLiteral("127.0.0.1:8443")});
    p.addOption({QStringLiteral("admin"), QStringLiteral("Admin listener: /metrics, /healthz."), QStringLiteral("ADDR:PORT"),
                 QStringLiteral("127.0.0.1:10254")});
    p.addOption({QStringLiteral("profile"), QStringLiteral("ingress-nginx (default), kubernetes, or gateway (Gateway API objects)."), QStringLiteral("P"),
                 QStringLiteral("ingress-nginx")});
    p.addOption({QStringLiteral("controller-arg"), QStringLiteral("A controller flag, e.g. --default-backend-service=ns/name."),
                 QStringLiteral("ARG")});
    p.addOption({QStringLiteral("auto-backends"),
                 QStringLiteral("Give every Service an Ingress references that has no pods one echo pod (creating the Service if missing).")});
    p.addOption({QStringLiteral("cluster-backends"),
                 QStringLiteral("Back every workspace Service that exists in the cluster namespace (-n) by the cluster's "
                                "pods: endpoints from its EndpointSlices, each pod reached through a port-forward.")});
    p.addOption({QStringLiteral("cluster-backend"),
                 QStringLiteral("Back this workspace Service by the cluster's pods (repeatable)."), QStringLiteral("NAME")});
    p.addOption({QStringLiteral("reach-pods"),
                 QStringLiteral("How cluster pods are reached: port-forward (default: a native port-forward per pod) or "
                                "direct (the pod IP when a TCP probe answers, e.g. minikube's none/docker driver on "
                                "Linux or a route to kind's pod CIDR; else the port-forward, with the reason)."),
                 QStringLiteral("MODE"), QStringLiteral("port-forward")});
    cluster::addConnectionOptions(p, false);
    p.addOption({QStringLiteral("workers"), QStringLiteral("Proxy worker threads."), QStringLiteral("N"), QStringLiteral("2")});
    p.addOption({QStringLiteral("explain-errors"),
                 QStringLiteral("Add 'X-Ingress-Lab-Reason: CAUSE; DETAIL' to the controller's own error answers (Service "
                                "not found, no endpoints, upstream timeout, ...), as the GUI lab does; `traffic` groups "
                                "errors by it. ingress-nginx sends only its error page.")});
    p.addPositionalArgument(QStringLiteral("FILE|DIR"), QStringLiteral("Workspace files or folders ('demo' = built-in demo)."));
    // --controller-arg values start with "--": accept "--controller-arg=--x=y" and "--controller-arg --x=y".
    QStringList argv{QStringLiteral("serve")};
    QStringList controllerArgs;
    for (int i = 0; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--controller-arg") && i + 1 < args.size()) {
            controllerArgs << args[++i];
            continue;
        }
        if (args[i].startsWith(QLatin1String("--controller-arg="))) {
            controllerArgs << args[i].mid(17);
            continue;
        }
        argv << args[i];
    }
    if (!p.parse(argv)) {
        std::fprintf(stderr, "ingress-lab-cli serve: %s\n", qPrintable(p.errorText()));
        return 2;
    }
    if (p.isSet(QStringLiteral("help"))) {
        printText(stdout, p.helpText().toStdString());
        return 0;
    }
    controller::StartOptions opts;
    for (const auto& [name, host, port] : {std::tuple{"http", &opts.proxy.httpAddress, &opts.proxy.httpPort},
                                           std::tuple{"https", &opts.proxy.httpsAddress, &opts.proxy.httpsPort},
                                           std::tuple{"admin", &opts.adminAddress, &opts.adminPort}}) {
        const QString v = p.value(QString::fromLatin1(name));
        if (!parseHostPort(v, host, port)) {
            std::fprintf(stderr, "ingress-lab-cli serve: --%s: expected ADDR:PORT (e.g. 127.0.0.1:8080), got '%s'\n", name, qPrintable(v));
            return 2;
        }
    }
    if (const std::string warning = controller::exposureWarning(opts); !warning.empty())
        std::fprintf(stderr, "ingress-lab-cli serve: warning: %s\n", warning.c_str());
    bool ok = false;
    opts.proxy.workerThreads = p.value(QStringLiteral("workers")).toInt(&ok);
    if (!ok || opts.proxy.workerThreads < 1 || opts.proxy.workerThreads > 64) {
        std::fprintf(stderr, "ingress-lab-cli serve: --workers: expected 1-64\n");
        return 2;
    }
    opts.proxy.exposeErrorReason = p.isSet(QStringLiteral("explain-errors"));
    routing::ControllerSettings settings;
    const auto profile = routing::parseProfile(p.value(QStringLiteral("profile")).toStdString());
    if (!profile) {
        std::fprintf(stderr, "ingress-lab-cli serve: --profile: unknown profile '%s' (ingress-nginx, kubernetes, gateway)\n",
                     qPrintable(p.value(QStringLiteral("profile"))));
        return 2;
    }
    settings.profile = *profile;
    for (const QString& a : controllerArgs) {
        std::string error;
        if (!settings.applyControllerArg(a.toStdString(), &error)) {
            std::fprintf(stderr, "ingress-lab-cli serve: --controller-arg %s: %s\n", qPrintable(a), error.c_str());
            return 2;
        }
    }
    const QStringList paths = p.positionalArguments();
    model::Workspace ws;
    if (!loadWorkspace(paths, ws, "serve")) return 2;
    printValidation(ws);

    if (::pipe(g_signalPipe) != 0) {
        std::perror("ingress-lab-cli serve: pipe");
        return 2;
    }
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    QThread controlThread;
    controlThread.setObjectName(QStringLiteral("ilab-control"));
    auto* ctl = new controller::LocalController;
    ctl->moveToThread(&controlThread);
    QObject::connect(&controlThread, &QThread::finished, ctl, &QObject::deleteLater);
    controlThread.start();

    LogPrinter printer(*ctl);
    int exitCode = 0;
    QObject::connect(ctl, &controller::LocalController::started, qApp, [&printer](const controller::ReadyInfo& info) {
        printer.flush();
        const std::string line = info.readyLine() + "\n";
        std::fwrite(line.data(), 1, line.size(), stdout);
        std::fflush(stdout);
    }, Qt::QueuedConnection);
    QObject::connect(ctl, &controller::LocalController::startFailed, qApp, [&exitCode](const QString& message) {
        std::fprintf(stderr, "ingress-lab-cli serve: %s\n", qPrintable(message));
        exitCode = 2;
        QCoreApplication::exit(2);
    }, Qt::QueuedConnection);

    QTimer printTimer;
    QObject::connect(&printTimer, &QTimer::timeout, [&printer] { printer.flush(); });
    printTimer.start(100);

    QSocketNotifier sigNotifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&sigNotifier, &QSocketNotifier::activated, [] {
        char buf[16];
        [[maybe_unused]] ssize_t n = ::read(g_signalPipe[0], buf, sizeof buf);
        QCoreApplication::exit(0);
    });

    // Reload on change, only whole files (WorkspaceReloader: inotify close-write, settle, judgeReload); a file
    // that does not load keeps the last good workspace serving, and the events say what was kept.
    QStringList watchPaths;
    for (const QString& path : paths)
        if (path != QLatin1String("demo")) watchPaths << path;
    std::unique_ptr<controller::WorkspaceReloader> reloader;
    if (!watchPaths.isEmpty()) {
        reloader = std::make_unique<controller::WorkspaceReloader>(
            watchPaths, [paths](model::Workspace& next) { return loadWorkspace(paths, next, "serve"); }, ws.clone());
        QObject::connect(reloader.get(), &controller::WorkspaceReloader::reloaded, qApp,
                         [ctl](std::shared_ptr<const model::Workspace> next) {
                             printValidation(*next);
                             QMetaObject::invokeMethod(ctl, [ctl, w = next->clone()]() mutable {
                                 ctl->setWorkspace(std::move(w));
                             }, Qt::QueuedConnection);
                         });
        QObject::connect(reloader.get(), &controller::WorkspaceReloader::heldBack, qApp,
                         [ctl](const QString& reason, bool waiting) {
                             QMetaObject::invokeMethod(ctl, [ctl, r = reason.toStdString(), waiting] {
                                 ctl->noteReloadHeld(r, waiting);
                             }, Qt::QueuedConnection);
                         });
    }

    // Cluster-backed Services (issue 13 item 1): live endpoints from the cluster, applied over the simulated pods.
    std::unique_ptr<cluster::Session> session;
    std::unique_ptr<kube::ClusterEndpoints> clusterEndpoints;
    const QStringList backendNames = p.values(QStringLiteral("cluster-backend"));
    if (p.isSet(QStringLiteral("cluster-backends")) || !backendNames.isEmpty()) {
        const QString reach = p.value(QStringLiteral("reach-pods"));
        if (reach != QLatin1String("port-forward") && reach != QLatin1String("direct")) {
            std::fprintf(stderr, "ingress-lab-cli serve: --reach-pods must be port-forward or direct, not '%s'\n",
                         qPrintable(reach));
            return 2;
        }
        session = cluster::Session::open(p, "serve");
        if (!session) return 2;
        const std::string ns = session->ns();
        const kube::ListResult inCluster = session->list(kube::servicesV1(), ns);
        if (inCluster.error) {
            std::fprintf(stderr, "ingress-lab-cli serve: %s\n", cluster::errorText(*inCluster.error).c_str());
            return 2;
        }
        std::set<std::string> clusterNames;
        for (const QJsonObject& o : inCluster.items)
            clusterNames.insert(o.value("metadata").toObject().value("name").toString().toStdString());
        std::set<std::string> wanted;
        for (const QString& n : backendNames) wanted.insert(n.toStdString());
        kube::ClusterBackedSelection selection = kube::selectClusterBackedServices(
            ws, ns, clusterNames, p.isSet(QStringLiteral("cluster-backends")), std::move(wanted));
        if (!selection.error.empty()) {
            std::fprintf(stderr, "ingress-lab-cli serve: %s\n", selection.error.c_str());
            return 2;
        }
        std::vector<kube::ClusterBackedService> services = std::move(selection.services);
        for (const kube::ClusterBackedService& c : services)
            std::fprintf(stderr, "ingress-lab-cli serve: Service %s/%s is backed by the cluster's pods\n", ns.c_str(),
                         c.name.c_str());
        const auto sliceRef = session->endpointSlices();
        if (!sliceRef) {
            std::fprintf(stderr, "ingress-lab-cli serve: the cluster serves no EndpointSlice API\n");
            return 2;
        }
        clusterEndpoints = std::make_unique<kube::ClusterEndpoints>(session->client(), session->connection(), ns,
                                                                    std::move(services), sliceRef->version);
        clusterEndpoints->setCredentials(session->credentialProvider());  // exec plugins: the consent given above
        if (p.value(QStringLiteral("reach-pods")) == QLatin1String("direct")) {
            clusterEndpoints->setPodReach(kube::PodReach::Direct);
            QObject::connect(clusterEndpoints.get(), &kube::ClusterEndpoints::reachDecided, qApp, [](const QString& m) {
                std::fprintf(stderr, "ingress-lab-cli serve: %s\n", qPrintable(m));
            });
        }
        clusterEndpoints->setChangedCallback([ctl, &printer, ce = clusterEndpoints.get()](const routing::EndpointMap& map) {
            printer.addTunnels(ce->podByTunnelAddress());
            for (const auto& [key, list] : map) {
                std::string pods;
                for (const auto& e : list) pods += (pods.empty() ? "" : ", ") + e.podName;
                std::fprintf(stderr, "ingress-lab-cli serve: cluster endpoints %s/%s:%d: %s\n", key.ns.c_str(),
                             key.service.c_str(), key.servicePort, pods.empty() ? "(none)" : pods.c_str());
            }
            QMetaObject::invokeMethod(ctl, [ctl, map] { ctl->setClusterEndpoints(map); }, Qt::QueuedConnection);
        });
        QObject::connect(clusterEndpoints.get(), &kube::ClusterEndpoints::tunnelFailed, qApp, [](const QString& m) {
            std::fprintf(stderr, "ingress-lab-cli serve: %s\n", qPrintable(m));
        });
        clusterEndpoints->start();
    }

    auto wsPtr = std::make_shared<model::Workspace>(ws.clone());
    const bool autoBackends = p.isSet(QStringLiteral("auto-backends"));
    QMetaObject::invokeMethod(ctl, [ctl, wsPtr, settings, autoBackends, opts]() mutable {
        ctl->setSettings(settings);
        ctl->setAutoBackends(autoBackends);
        ctl->setWorkspace(std::move(*wsPtr));
        ctl->start(opts);
    }, Qt::QueuedConnection);

    const int rc = QCoreApplication::exec();
    if (exitCode == 0) exitCode = rc;
    clusterEndpoints.reset();  // tunnels and the informer go before the REST client
    QMetaObject::invokeMethod(ctl, [ctl] { ctl->stop(); }, Qt::BlockingQueuedConnection);
    controlThread.quit();
    controlThread.wait();
    printer.flush();
    ::close(g_signalPipe[0]);
    ::close(g_signalPipe[1]);
    return exitCode;
}

}  // namespace ilab::cli
