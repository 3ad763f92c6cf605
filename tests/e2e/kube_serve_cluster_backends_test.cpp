// `ingress-lab-cli serve --cluster-backends` (issue 13 items 1 and 5): the real CLI binary balances over "cluster"
// pods (Pods on the stand-in kubelet's Node, EndpointSlices written through the real kube-apiserver v1.20.2), each
// reached through the native port-forward, with the real curl as the client. The canary lesson's 90/10 split over
// the real pod names (within a binomial bound), endpoint churn while traffic runs (no failed request), and a
// simulated Service next to the cluster-backed ones.
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include <atomic>
#include <cmath>

#include "core/backends/simulated_pod.h"
#include "e2e/serve_harness.h"
#include "support/fake_kubelet.h"
#include "support/kube_fixtures.h"
#include "support/kube_server.h"

using namespace ilab;
using namespace ilab::e2e;
using ilab::testing::FakeKubelet;
using ilab::testing::KubeServer;
namespace kubefix = ilab::testing::kubefix;

namespace {

QByteArray ingress(const QString& name, const QString& host, const QString& rules, const QString& annotations = {},
                   const QString& tls = {}) {
    QString a = annotations.isEmpty() ? QString() : "  annotations:\n" + annotations;
    return QStringLiteral("---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: %1\n%2spec:\n"
                          "  ingressClassName: nginx\n%3  rules:\n  - host: %4\n    http:\n      paths:\n%5")
        .arg(name, a, tls, host, rules)
        .toUtf8();
}

QString path(const QString& p, const QString& svc, const QString& type = "Prefix") {
    return QStringLiteral("      - path: %1\n        pathType: %2\n        backend: {service: {name: %3, port: {number: 80}}}\n")
        .arg(p, type, svc);
}


// SimulatedPods on one thread, each named like the cluster pod it stands for (its echo says "pod": NAME).
struct Pods {
    QThread thread;
    QObject holder;
    std::map<QString, backends::SimulatedPod*> pods;
    Pods() {
        holder.moveToThread(&thread);
        thread.start();
    }
    int add(const QString& name, const QString& service) {
        int port = 0;
        QMetaObject::invokeMethod(
            &holder,
            [&] {
                auto* pod = new backends::SimulatedPod({name.toStdString(), "default", service.toStdString(),
                                                        service.toStdString(), "cluster"},
                                                       {}, 11);
                port = pod->listen(0);
                pods[name] = pod;
            },
            Qt::BlockingQueuedConnection);
        return port;
    }
    ~Pods() {
        QMetaObject::invokeMethod(&holder, [this] { for (auto& [n, p] : pods) delete p; }, Qt::BlockingQueuedConnection);
        thread.quit();
        thread.wait();
    }
};

// A pod whose IP is routable from here: an HTTP/1.1 keep-alive responder on 127.0.0.x (its own address, as a pod
// IP on minikube's none driver would be), answering the echo JSON naming the pod. Lives on the Pods thread.
class LoopbackPod : public QTcpServer {
public:
    explicit LoopbackPod(QString name) : m_name(std::move(name)) {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = nextPendingConnection()) {
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
                connect(s, &QTcpSocket::readyRead, s, [this, s] {
                    m_buffers[s] += s->readAll();
                    QByteArray& b = m_buffers[s];
                    qsizetype end;
                    while ((end = b.indexOf("\r\n\r\n")) >= 0) {
                        b.remove(0, end + 4);
                        const QByteArray body = "{\"service\":\"direct-web\",\"pod\":\"" + m_name.toUtf8() + "\"}";
                        s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                 QByteArray::number(body.size()) + "\r\n\r\n" + body);
                        ++served;
                    }
                });
                connect(s, &QObject::destroyed, this, [this, s] { m_buffers.remove(s); });
            }
        });
    }
    std::atomic<int> served{0};

private:
    QString m_name;
    QHash<QTcpSocket*, QByteArray> m_buffers;
};

// Responses of one curl run over many URLs: each body followed by "\n@@<status>\n".
struct Run {
    std::map<QString, int> byPod;
    int ok = 0, failed = 0;
    QStringList failures;
};
Run parseRun(const QByteArray& out) {
    Run r;
    const QList<QByteArray> parts = out.split('\x1e');  // record separator written by -w
    for (const QByteArray& part : parts) {
        if (part.trimmed().isEmpty()) continue;
        const qsizetype nl = part.lastIndexOf("\n@@");
        if (nl < 0) continue;
        const int status = part.mid(nl + 3).trimmed().toInt();
        const QJsonObject echo = QJsonDocument::fromJson(part.left(nl)).object();
        if (status == 200) {
            ++r.ok;
            r.byPod[echo.value("pod").toString()]++;
        } else {
            ++r.failed;
            r.failures << QString::fromUtf8(part.left(200));
        }
    }
    return r;
}

QStringList curlArgs(int port, const QString& host, const QString& path, int n) {
    QStringList args{"-s", "--noproxy", "*", "--max-time", "120", "-H", "Host: " + host, "-w", "\n@@%{http_code}\n\x1e"};
    for (int i = 0; i < n; ++i) args << QStringLiteral("http://127.0.0.1:%1%2?i=%3").arg(port).arg(path).arg(i);
    return args;
}

}  // namespace

class KubeServeClusterBackendsTest : public QObject {
    Q_OBJECT
    KubeServer m_kube;
    FakeKubelet m_kubelet;
    std::unique_ptr<Pods> m_pods;
    Serve m_serve;
    QByteArray m_stderr;

    bool waitForStderr(const QString& text, int timeoutMs = 60000) {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs && m_serve.proc.state() == QProcess::Running) {
            m_serve.proc.waitForReadyRead(100);
            m_serve.output += m_serve.proc.readAllStandardOutput();
            m_stderr += m_serve.proc.readAllStandardError();
            if (QString::fromUtf8(m_stderr).contains(text)) return true;
        }
        m_stderr += m_serve.proc.readAllStandardError();
        qWarning("stderr so far: %s", m_stderr.constData());
        return false;
    }

    void addClusterPod(const QString& name, const QString& app, const QString& ip) {
        QString err;
        QVERIFY2(kubefix::addRunningPod(m_kube, {.ns = "default", .name = name, .labels = {{"app", app}},
                                                 .ports = {{"http", 8080}}, .ip = ip},
                                        &err),
                 qPrintable(err));
        m_kubelet.setPodPort("default", name, 8080, m_pods->add(name, app));
    }

private slots:
    void initTestCase() {
        ILAB_REQUIRE_KUBE_SERVER();
        QVERIFY2(m_kube.start(), qPrintable(m_kube.errorString()));
        QVERIFY2(m_kubelet.start(m_kube.dir() + "/pki"), qPrintable(m_kubelet.errorString()));
        m_pods = std::make_unique<Pods>();
        QString err;
        QVERIFY2(kubefix::addNode(m_kube, "fake-node", m_kubelet.port(), &err), qPrintable(err));
        addClusterPod("web-5d8c-a", "web", "10.244.0.11");
        addClusterPod("web-5d8c-b", "web", "10.244.0.12");
        addClusterPod("web-canary-77f-a", "web-canary", "10.244.0.21");
        addClusterPod("web-5d8c-c", "web", "10.244.0.13");  // joins during the churn test
        for (const char* svc : {"web", "web-canary"}) {
            QVERIFY2(kubefix::addService(m_kube, "default", svc, {{"app", svc}}, {{"", 80, 8080}}, &err), qPrintable(err));
        }
        QVERIFY2(kubefix::putEndpointSlice(m_kube, "default", "web-abcde", "web", {{"", 8080}},
                                           {{"10.244.0.11", "web-5d8c-a"}, {"10.244.0.12", "web-5d8c-b"}}, &err),
                 qPrintable(err));
        QVERIFY2(kubefix::putEndpointSlice(m_kube, "default", "web-canary-fghij", "web-canary", {{"", 8080}},
                                           {{"10.244.0.21", "web-canary-77f-a"}}, &err),
                 qPrintable(err));

        // The canary lesson plus a simulated-only Service (api: not in the cluster, so it keeps its simulated pod).
        QByteArray ws;
        ws += app("web", 2, "web:1.0");
        ws += app("web-canary", 1, "web:2.0");
        ws += app("api", 1, "api:2.1");
        ws += ingress("web", "app.example.com", path("/api", "api") + path("/", "web"));
        ws += ingress("web-canary", "app.example.com", path("/", "web-canary"),
                      "    nginx.ingress.kubernetes.io/canary: \"true\"\n    nginx.ingress.kubernetes.io/canary-weight: \"10\"\n");
        m_serve.writeFile("ws.yaml", ws);
        QVERIFY(m_serve.start({"ws.yaml"}, {"--cluster-backends", "--kubeconfig", m_kube.kubeconfig("admin-cert")}));
        QVERIFY(waitForStderr("cluster endpoints default/web:80: web-5d8c-a, web-5d8c-b"));
        QVERIFY(waitForStderr("cluster endpoints default/web-canary:80: web-canary-77f-a"));
        QVERIFY2(!QString::fromUtf8(m_stderr).contains("Service default/api is backed"), m_stderr.constData());
        // The table with the cluster endpoints is live once a request reaches a cluster pod.
        QVERIFY(QTest::qWaitFor(
            [&] {
                const CurlResult r = curl({"-H", "Host: app.example.com", m_serve.http("/")});
                return r.out.contains("web-5d8c-") || r.out.contains("web-canary-77f-a");
            },
            30000));
    }

    // 90/10 over the real pod names; the split within a 5-sigma binomial bound; the access log names upstreams
    // that are the port-forward tunnels, and the pods saw the requests through the API server.
    void canarySplitOverClusterPods() {
        const int n = 400;
        const int forwardsBefore = m_kubelet.forwardsServed();
        const CurlResult r = curl(curlArgs(m_serve.httpPort, "app.example.com", "/", n), 180000);
        const Run run = parseRun(r.out);
        QVERIFY2(run.failed == 0, qPrintable(run.failures.join("\n---\n")));
        QCOMPARE(run.ok, n);
        const int canary = run.byPod.count("web-canary-77f-a") ? run.byPod.at("web-canary-77f-a") : 0;
        const int a = run.byPod.count("web-5d8c-a") ? run.byPod.at("web-5d8c-a") : 0;
        const int b = run.byPod.count("web-5d8c-b") ? run.byPod.at("web-5d8c-b") : 0;
        QCOMPARE(canary + a + b, n);  // nothing reached a simulated pod of the workspace
        const double sd = std::sqrt(n * 0.1 * 0.9);
        QVERIFY2(std::abs(canary - n * 0.1) <= 5 * sd, qPrintable(QString("canary %1 of %2").arg(canary).arg(n)));
        // Round robin over the two main pods: each gets about half of the rest.
        QVERIFY2(a > 0 && b > 0 && std::abs(a - b) <= 5 * std::sqrt((a + b) * 0.25) + 2,
                 qPrintable(QString("a %1 b %2").arg(a).arg(b)));
        QVERIFY(m_kubelet.forwardsServed() > forwardsBefore);
        // Access log: upstream names as ingress-nginx writes them ([default-web-80] / [default-web-canary-80]).
        QVERIFY(m_serve.waitForOutput("[default-web-canary-80]", 10000));
        // ... and upstream_addr names the pod behind the tunnel (pod:port), not the tunnel's 127.0.0.1 port.
        QVERIFY2(m_serve.waitForOutput("[default-web-canary-80] [default-web-canary-80] web-canary-77f-a:8080 ", 10000),
                 m_serve.output.right(2000).constData());
        QVERIFY(m_serve.waitForOutput("[default-web-80] [] web-5d8c-a:8080 ", 10000));
        QVERIFY(m_serve.waitForOutput("[default-web-80] [] web-5d8c-b:8080 ", 10000));
    }

    // The mixed workspace: /api goes to the simulated pod of Service api (not in the cluster).
    void simulatedServiceNextToClusterBacked() {
        const CurlResult r = curl({"-H", "Host: app.example.com", m_serve.http("/api/x")});
        const QJsonObject echo = QJsonDocument::fromJson(r.out).object();
        QVERIFY2(echo.value("pod").toString().startsWith("api-"), r.out.constData());
        QCOMPARE(echo.value("service").toString(), QStringLiteral("api"));
    }

    // Endpoint churn while traffic runs: web-5d8c-c joins the slice, then web-5d8c-a leaves it. No request fails;
    // the new pod gets traffic, the one that left gets none afterwards.
    void endpointChurnDuringTraffic() {
        QProcess traffic;
        // Enough requests that the run spans both slice changes: the run must show the pod that left (before) and
        // the pod that joined (after), otherwise the churn did not happen during traffic.
        const int n = 4000;
        traffic.start("curl", curlArgs(m_serve.httpPort, "app.example.com", "/", n));
        QVERIFY(traffic.waitForStarted(5000));
        QString err;
        QVERIFY2(kubefix::putEndpointSlice(m_kube, "default", "web-abcde", "web", {{"", 8080}},
                                           {{"10.244.0.11", "web-5d8c-a"}, {"10.244.0.12", "web-5d8c-b"},
                                            {"10.244.0.13", "web-5d8c-c"}},
                                           &err),
                 qPrintable(err));
        QVERIFY(waitForStderr("cluster endpoints default/web:80: web-5d8c-a, web-5d8c-b, web-5d8c-c"));
        QVERIFY2(kubefix::putEndpointSlice(m_kube, "default", "web-abcde", "web", {{"", 8080}},
                                           {{"10.244.0.12", "web-5d8c-b"}, {"10.244.0.13", "web-5d8c-c"}}, &err),
                 qPrintable(err));
        QVERIFY(waitForStderr("cluster endpoints default/web:80: web-5d8c-b, web-5d8c-c"));
        QVERIFY(traffic.waitForFinished(180000));
        const Run run = parseRun(traffic.readAllStandardOutput());
        QVERIFY2(run.failed == 0, qPrintable(run.failures.join("\n---\n")));
        QCOMPARE(run.ok, n);
        QVERIFY2(run.byPod.count("web-5d8c-a") && run.byPod.count("web-5d8c-c"),
                 "the traffic did not span the churn (raise n)");
        qInfo("churn run: a=%d b=%d c=%d canary=%d", run.byPod.count("web-5d8c-a") ? run.byPod.at("web-5d8c-a") : 0,
              run.byPod.count("web-5d8c-b") ? run.byPod.at("web-5d8c-b") : 0,
              run.byPod.count("web-5d8c-c") ? run.byPod.at("web-5d8c-c") : 0,
              run.byPod.count("web-canary-77f-a") ? run.byPod.at("web-canary-77f-a") : 0);

        // After the churn: only b, c and the canary.
        const Run after = parseRun(curl(curlArgs(m_serve.httpPort, "app.example.com", "/", 100), 120000).out);
        QCOMPARE(after.ok, 100);
        QVERIFY2(!after.byPod.count("web-5d8c-a"), "a pod that left its EndpointSlice still gets traffic");
        QVERIFY(after.byPod.count("web-5d8c-c") && after.byPod.at("web-5d8c-c") > 0);
    }

    // A kubeconfig whose user gets its token from an exec credential plugin (as EKS/GKE-style and some kind/minikube
    // set-ups do), approved with --allow-exec-plugin: the port-forwards authenticate with the plugin's token too
    // (they had a credential provider of their own without the consent, so every tunnel failed "not approved" and
    // every request got a 502).
    void execPluginUserOpensTunnels() {
        Serve serve;
        const QString token = m_kube.token(QStringLiteral("admin"));
        const QString plugin = serve.writeFile(
            "token-plugin.sh", QStringLiteral("#!/bin/sh\necho ran >> \"$(dirname \"$0\")/runs\"\n"
                                              "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                                              "\"ExecCredential\",\"status\":{\"token\":\"%1\"}}'\n")
                                   .arg(token)
                                   .toUtf8());
        QFile::setPermissions(plugin, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QFile tokenKubeconfig(m_kube.kubeconfig(QStringLiteral("admin-token")));
        QVERIFY(tokenKubeconfig.open(QIODevice::ReadOnly));
        QByteArray kc = tokenKubeconfig.readAll();
        QVERIFY(kc.contains("token: " + token.toUtf8()));
        kc.replace("token: " + token.toUtf8(), "exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                                                "      command: ./token-plugin.sh\n      interactiveMode: Never\n");
        const QString kubeconfig = serve.writeFile("exec.kubeconfig", kc);
        serve.writeFile("ws.yaml", app("web", 1, "web:1.0") + ingress("web", "exec.example.com", path("/", "web")));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("XDG_CONFIG_HOME", serve.dir.filePath("config"));  // the consent store of this run only
        serve.proc.setProcessEnvironment(env);
        QVERIFY(serve.start({"ws.yaml"}, {"--cluster-backend", "web", "--kubeconfig", kubeconfig, "--allow-exec-plugin"}));
        QByteArray err;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 60000 && !err.contains("cluster endpoints default/web:80: web-")) {
            serve.proc.waitForReadyRead(100);
            err += serve.proc.readAllStandardError();
        }
        QVERIFY2(err.contains("cluster endpoints default/web:80: web-"), err.constData());
        QVERIFY(QFile::exists(serve.dir.filePath("runs")));  // the plugin ran (approved)
        const Run run = parseRun(curl(curlArgs(serve.httpPort, "exec.example.com", "/", 20), 120000).out);
        err += serve.proc.readAllStandardError();
        QVERIFY2(run.failed == 0, qPrintable(run.failures.join("\n---\n") + "\n" + QString::fromUtf8(err)));
        QCOMPARE(run.ok, 20);
        for (const auto& [pod, count] : run.byPod) QVERIFY2(pod.startsWith("web-5d8c-"), qPrintable(pod));
        QVERIFY2(!err.contains("not approved") && !err.contains("no credentials"), err.constData());
        QCOMPARE(serve.stop(), 0);
    }

    // A kubeconfig user with an auth-provider (oidc): serve runs kubectl proxy and opens every tunnel through it.
    // Before the kubectl transport serve refused such a user.
    void authProviderUserOpensTunnels() {
        Serve serve;
        serve.writeFile("ws.yaml", app("web", 1, "web:1.0") + ingress("web", "oidc.example.com", path("/", "web")));
        QVERIFY(serve.start({"ws.yaml"}, {"--cluster-backend", "web", "--kubeconfig", m_kube.kubeconfig("admin-oidc")}));
        QByteArray err;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 60000 && !err.contains("cluster endpoints default/web:80: web-")) {
            serve.proc.waitForReadyRead(100);
            err += serve.proc.readAllStandardError();
        }
        QVERIFY2(err.contains("cluster endpoints default/web:80: web-"), err.constData());
        const Run run = parseRun(curl(curlArgs(serve.httpPort, "oidc.example.com", "/", 20), 120000).out);
        err += serve.proc.readAllStandardError();
        QVERIFY2(run.failed == 0, qPrintable(run.failures.join("\n---\n") + "\n" + QString::fromUtf8(err)));
        QCOMPARE(run.ok, 20);
        for (const auto& [pod, count] : run.byPod) QVERIFY2(pod.startsWith("web-5d8c-"), qPrintable(pod));
        QCOMPARE(serve.stop(), 0);
    }

    // --reach-pods direct: a pod whose IP answers (127.0.0.3, a real listener) is reached directly, without a tunnel;
    // one whose IP does not (192.0.2.31, TEST-NET-1, is routed nowhere) falls back to its port-forward, and serve says why.
    void directPodIpWhenReachable() {
        LoopbackPod* direct = nullptr;
        int podPort = 0;
        QMetaObject::invokeMethod(
            &m_pods->holder,
            [&] {
                direct = new LoopbackPod(QStringLiteral("direct-web-a"));
                if (direct->listen(QHostAddress(QStringLiteral("127.0.0.3")), 0)) podPort = direct->serverPort();
            },
            Qt::BlockingQueuedConnection);
        QVERIFY2(podPort > 0, "cannot listen on 127.0.0.3");
        QString err;
        QVERIFY2(kubefix::addRunningPod(m_kube, {.ns = "default", .name = "direct-web-a", .labels = {{"app", "direct-web"}},
                                                 .ports = {{"http", podPort}}, .ip = "127.0.0.3"},
                                        &err),
                 qPrintable(err));
        QVERIFY2(kubefix::addRunningPod(m_kube, {.ns = "default", .name = "direct-web-b", .labels = {{"app", "direct-web"}},
                                                 .ports = {{"http", podPort}}, .ip = "192.0.2.31"},
                                        &err),
                 qPrintable(err));
        m_kubelet.setPodPort("default", "direct-web-b", podPort, m_pods->add("direct-web-b", "direct-web"));
        QVERIFY2(kubefix::addService(m_kube, "default", "direct-web", {{"app", "direct-web"}}, {{"", 80, podPort}}, &err),
                 qPrintable(err));
        QVERIFY2(kubefix::putEndpointSlice(m_kube, "default", "direct-web-x", "direct-web", {{"", podPort}},
                                           {{"127.0.0.3", "direct-web-a"}, {"192.0.2.31", "direct-web-b"}}, &err),
                 qPrintable(err));

        Serve serve;
        serve.writeFile("ws.yaml", app("direct-web", 1) + ingress("direct", "direct.example.com", path("/", "direct-web")));
        QVERIFY(serve.start({"ws.yaml"}, {"--cluster-backend", "direct-web", "--reach-pods", "direct", "--kubeconfig",
                                          m_kube.kubeconfig("admin-cert")}));
        const QString p = QString::number(podPort);
        const QString directLine = "pod default/direct-web-a:" + p + ": direct 127.0.0.3:" + p;
        const QString fallbackLine = "pod default/direct-web-b:" + p + ": port-forward (192.0.2.31:" + p + " ";
        QByteArray out;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 60000 && !(QString::fromUtf8(out).contains("cluster endpoints default/direct-web:80: direct-web-a, direct-web-b"))) {
            serve.proc.waitForReadyRead(100);
            out += serve.proc.readAllStandardError();
        }
        QVERIFY2(QString::fromUtf8(out).contains(directLine), out.constData());
        QVERIFY2(QString::fromUtf8(out).contains(fallbackLine), out.constData());
        QVERIFY2(QString::fromUtf8(out).contains("cluster endpoints default/direct-web:80: direct-web-a, direct-web-b"), out.constData());

        const int n = 100;
        const Run run = parseRun(curl(curlArgs(serve.httpPort, "direct.example.com", "/", n), 120000).out);
        QVERIFY2(run.failed == 0, qPrintable(run.failures.join("\n---\n")));
        QCOMPARE(run.ok, n);
        QVERIFY2(run.byPod.count("direct-web-a") && run.byPod.count("direct-web-b"), "both pods should answer");
        QCOMPARE(run.byPod.at("direct-web-a") + run.byPod.at("direct-web-b"), n);
        QVERIFY(direct->served.load() >= run.byPod.at("direct-web-a"));
        // No tunnel to the direct pod: the kubelet only ever forwarded to direct-web-b.
        bool forwardedB = false;
        for (const auto& r : m_kubelet.requests()) {
            QVERIFY2(!r.target.startsWith("/portForward/default/direct-web-a"), qPrintable(r.target));
            forwardedB = forwardedB || r.target.startsWith("/portForward/default/direct-web-b");
        }
        QVERIFY(forwardedB);
        // The access log's upstream_addr is the pod IP itself for the direct pod (what ingress-nginx logs), and the
        // tunnelled pod is named after the pod (its 127.0.0.1 tunnel port means nothing to the reader).
        QVERIFY2(serve.waitForOutput("[default-direct-web-80] [] 127.0.0.3:" + p + " ", 10000), serve.output.right(1500).constData());
        QVERIFY2(serve.waitForOutput("[default-direct-web-80] [] direct-web-b:" + p + " ", 10000), serve.output.right(1500).constData());
        QCOMPARE(serve.stop(), 0);
        QMetaObject::invokeMethod(&m_pods->holder, [direct] { delete direct; }, Qt::BlockingQueuedConnection);
    }

    void cleanupTestCase() {
        QCOMPARE(m_serve.stop(), 0);
        m_pods.reset();
        m_kubelet.stop();
        m_kube.stop();
    }
};

QTEST_GUILESS_MAIN(KubeServeClusterBackendsTest)
#include "kube_serve_cluster_backends_test.moc"
