// The kubectl transport (core/kube/kubectl_proxy.h) for kubeconfig users with an auth-provider, which Ingress Lab
// does not run itself: the real kubectl runs `kubectl proxy --unix-socket` with the harness's admin-oidc
// kubeconfig (auth-provider oidc with an id-token the real kube-apiserver v1.20.2 accepts), and the REST client, an
// informer, a followed pod log and the native WebSocket port-forward go through it to the real API server and
// the stand-in kubelet (support/fake_kubelet.h), with the real curl as the local client. Also: an id-token the
// server does not know gives 401, kubectl's own error for an unknown provider and a missing kubectl are reported,
// the child and its socket folder go away with the object, and a killed child is reported.
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

#include "core/events/line_log.h"
#include "core/kube/informer.h"
#include "core/kube/kubeconfig.h"
#include "core/kube/kubectl_proxy.h"
#include "core/kube/pod_log_stream.h"
#include "core/kube/port_forward.h"
#include "core/kube/rest_client.h"
#include "support/curl_service.h"
#include "support/fake_kubelet.h"
#include "support/kube_fixtures.h"
#include "support/kube_server.h"
#include "support/pod_on_thread.h"

using namespace ilab;
using ilab::testing::curlWithEventLoop;
using ilab::testing::FakeKubelet;
using ilab::testing::KubeServer;
using ilab::testing::PodOnThread;
namespace kubefix = ilab::testing::kubefix;

namespace {

kube::RestReply call(kube::RestClient& client, kube::RestRequest r) {
    std::optional<kube::RestReply> out;
    client.send(std::move(r), nullptr, [&](const kube::RestReply& reply) { out = reply; });
    if (!QTest::qWaitFor([&] { return out.has_value(); }, 60000)) {
        kube::RestReply timedOut;
        kube::RestError e;
        e.kind = kube::RestErrorKind::Cancelled;
        e.message = "test timed out";
        timedOut.error = e;
        return timedOut;
    }
    return *out;
}

bool processAlive(qint64 pid) { return pid > 0 && ::kill(pid_t(pid), 0) == 0; }

}  // namespace

class KubectlTransportTest : public QObject {
    Q_OBJECT
    KubeServer m_kube;
    FakeKubelet m_kubelet;
    std::unique_ptr<PodOnThread> m_pod;
    QTemporaryDir m_tmp;

    kube::KubectlProxyOptions optionsFor(const QString& kubeconfig) {
        kube::KubectlProxyOptions o;
        o.kubeconfigFiles = {kubeconfig.toStdString()};
        o.context = "kind-ilab";
        return o;
    }

    // The admin-oidc kubeconfig with its id-token (or provider name) replaced.
    QString variant(const QString& name, const QByteArray& from, const QByteArray& to) {
        QFile in(m_kube.kubeconfig("admin-oidc"));
        if (!in.open(QIODevice::ReadOnly)) return {};
        QByteArray kc = in.readAll();
        if (!kc.contains(from)) return {};
        kc.replace(from, to);
        QFile out(m_tmp.filePath(name));
        if (!out.open(QIODevice::WriteOnly)) return {};
        out.write(kc);
        return out.fileName();
    }

private slots:
    void initTestCase() {
        ILAB_REQUIRE_KUBE_SERVER();
        QVERIFY(m_tmp.isValid());
        QVERIFY2(m_kube.start(), qPrintable(m_kube.errorString()));
        QVERIFY2(m_kubelet.start(m_kube.dir() + "/pki"), qPrintable(m_kubelet.errorString()));
        QString err;
        QVERIFY2(kubefix::addNode(m_kube, "fake-node", m_kubelet.port(), &err), qPrintable(err));
        QVERIFY2(kubefix::ensureNamespace(m_kube, "lab", &err), qPrintable(err));
        QVERIFY2(kubefix::addRunningPod(m_kube, {.ns = "lab", .name = "web-a", .labels = {{"app", "web"}},
                                                 .ports = {{"http", 8080}}, .ip = "10.244.0.10", .containers = {"web"}},
                                        &err),
                 qPrintable(err));
        m_pod = std::make_unique<PodOnThread>("web-a");
        m_kubelet.setPodPort("lab", "web-a", 8080, m_pod->port());
    }

    // The oidc user's connection needs kubectl; through the proxy it carries no credential of ours, and the REST
    // client lists pods: the only credential in that kubeconfig is the id-token, which kubectl sent.
    void restGoesThroughKubectl() {
        const kube::ClusterConnection direct = kubefix::connectionFrom(m_kube.kubeconfig("admin-oidc"));
        QCOMPARE(direct.auth.authProvider, std::string("oidc"));
        QVERIFY(kube::needsKubectlTransport(direct));
        kube::KubectlProxy proxy(optionsFor(m_kube.kubeconfig("admin-oidc")));
        const QString error = proxy.startAndWait();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(proxy.isReady());
        const QFileInfo socket(QString::fromStdString(proxy.socketPath()));
        QVERIFY(socket.exists());
        // Only this user reaches the socket's folder.
        QCOMPARE(QFileInfo(socket.absolutePath()).permissions() & (QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther |
                                                                   QFile::ExeOther),
                 QFile::Permissions());

        const kube::ClusterConnection via = kube::connectionThroughKubectl(direct, proxy.socketPath());
        QVERIFY(!kube::needsKubectlTransport(via));
        QVERIFY(via.auth.authProvider.empty() && via.auth.token.empty() && via.caPem.empty());
        QCOMPARE(via.server, direct.server);  // for messages
        kube::RestClient client(via);
        kube::RestRequest r;
        r.path = "/api/v1/namespaces/lab/pods";
        const kube::RestReply reply = call(client, r);
        QVERIFY2(reply.ok(), reply.error ? reply.error->describe().c_str() : "");
        QVERIFY2(reply.body.find("\"web-a\"") != std::string::npos, reply.body.c_str());

        // A watch (what the session's informers use) sees a change made meanwhile.
        kube::Informer informer(client, kube::servicesV1(), "lab");
        informer.start();
        QTRY_VERIFY_WITH_TIMEOUT(informer.snapshot() != nullptr, 30000);
        QString err;
        QVERIFY2(kubefix::addService(m_kube, "lab", "seen-via-kubectl", {{"app", "web"}}, {{"http", 80, 8080}}, &err),
                 qPrintable(err));
        QTRY_VERIFY_WITH_TIMEOUT(informer.snapshot() && informer.snapshot()->find("lab", "seen-via-kubectl"), 30000);
    }

    // The controller's log is followed through the proxy: a line written after the stream opened arrives.
    void podLogFollowsThroughKubectl() {
        QString err;
        QVERIFY2(kubefix::ensureNamespace(m_kube, "ingress-nginx", &err), qPrintable(err));
        kubefix::PodSpec p;
        p.ns = "ingress-nginx";
        p.name = "ingress-nginx-controller-kp";
        p.labels = {{"app.kubernetes.io/component", "controller"}, {"app.kubernetes.io/name", "ingress-nginx"}};
        p.ports = {{"http", 80}};
        p.ip = "10.244.0.7";
        p.containers = {"controller"};
        QVERIFY2(kubefix::addRunningPod(m_kube, p, &err), qPrintable(err));
        m_kubelet.appendLog("ingress-nginx", p.name, "controller", "I1207 03:00:00.000000       7 main.go:205] \"Starting\"\n");

        kube::KubectlProxy proxy(optionsFor(m_kube.kubeconfig("admin-oidc")));
        QVERIFY2(proxy.startAndWait().isEmpty(), "kubectl proxy did not start");
        kube::RestClient client(kube::connectionThroughKubectl(kubefix::connectionFrom(m_kube.kubeconfig("admin-oidc")),
                                                               proxy.socketPath()));
        auto controllerLog = std::make_shared<events::LineLog>();
        auto accessLog = std::make_shared<events::LineLog>();
        kube::PodLogStream stream(client, {}, controllerLog, accessLog);
        stream.start();
        QTRY_COMPARE_WITH_TIMEOUT(stream.linesDelivered(), std::uint64_t(1), 30000);
        m_kubelet.appendLog("ingress-nginx", p.name, "controller",
                            "I1207 03:00:01.000000       7 nginx.go:358] \"Listening through kubectl\"\n");
        QTRY_COMPARE_WITH_TIMEOUT(stream.linesDelivered(), std::uint64_t(2), 15000);
        stream.stop();
    }

    // The native WebSocket port-forward through the proxy: kubectl proxy passes the upgrade on, the API server relays
    // it to the kubelet, curl gets the pod's answer.
    void portForwardGoesThroughKubectl() {
        kube::KubectlProxy proxy(optionsFor(m_kube.kubeconfig("admin-oidc")));
        QVERIFY2(proxy.startAndWait().isEmpty(), "kubectl proxy did not start");
        const auto via =
            kube::connectionThroughKubectl(kubefix::connectionFrom(m_kube.kubeconfig("admin-oidc")), proxy.socketPath());
        QVERIFY(!kube::needsKubectlTransport(via));
        QVERIFY(via.auth.authProvider.empty());
        kube::PortForward pf(via, {"lab", "web-a", 8080});
        auto port = pf.listen();
        QVERIFY(port.ok());
        const int before = m_kubelet.forwardsServed();
        for (int i = 0; i < 3; ++i) {
            int code = -1;
            const QByteArray out = curlWithEventLoop(
                {"-H", "Host: oidc.test", QString("http://127.0.0.1:%1/via-kubectl/%2").arg(*port).arg(i)}, &code);
            QVERIFY2(code == 0, out.constData());
            QVERIFY2(out.contains("web-a") && out.contains(QString("/via-kubectl/%1").arg(i).toUtf8()), out.constData());
        }
        QCOMPARE(m_kubelet.forwardsServed() - before, 3);
        QVERIFY2(pf.lastError().empty(), pf.lastError().c_str());
    }

    // An id-token the server does not know: kubectl sends it, the API server answers 401, the client says so.
    void unknownIdTokenIsRejected() {
        const QByteArray token = m_kube.token("oidc").toUtf8();
        QVERIFY(!token.isEmpty());
        const QByteArray other = token.left(token.lastIndexOf('.')) + ".bm90LXRoZS1zaWduYXR1cmU";
        const QString kubeconfig = variant("unknown-token.kubeconfig", token, other);
        QVERIFY(!kubeconfig.isEmpty());
        kube::KubectlProxy proxy(optionsFor(kubeconfig));
        QVERIFY2(proxy.startAndWait().isEmpty(), "kubectl proxy did not start");
        kube::RestClient client(
            kube::connectionThroughKubectl(kubefix::connectionFrom(kubeconfig), proxy.socketPath()));
        kube::RestRequest r;
        r.path = "/api/v1/namespaces/lab/pods";
        const kube::RestReply reply = call(client, r);
        QVERIFY(!reply.ok());
        QCOMPARE(reply.http, 401);
        QVERIFY2(reply.error->describe().find("Unauthorized") != std::string::npos, reply.error->describe().c_str());
    }

    // kubectl refuses a provider it does not have: its own words reach the user.
    void kubectlErrorIsReported() {
        const QString kubeconfig = variant("bogus.kubeconfig", "name: oidc", "name: bogus-provider");
        QVERIFY(!kubeconfig.isEmpty());
        kube::KubectlProxy proxy(optionsFor(kubeconfig));
        const QString error = proxy.startAndWait();
        QVERIFY2(error.contains("kubectl proxy exited with code 1") &&
                     error.contains("no Auth Provider found for name \"bogus-provider\""),
                 qPrintable(error));
        QVERIFY(!proxy.isReady());
    }

    void missingKubectlIsReported() {
        {
            auto o = optionsFor(m_kube.kubeconfig("admin-oidc"));
            o.kubectl = "/nonexistent/kubectl";
            kube::KubectlProxy proxy(o);
            const QString error = proxy.startAndWait();
            QVERIFY2(error.startsWith("cannot run /nonexistent/kubectl"), qPrintable(error));
        }
        const QByteArray path = qgetenv("PATH");
        qputenv("PATH", m_tmp.path().toUtf8());  // a folder without kubectl
        kube::KubectlProxy proxy(optionsFor(m_kube.kubeconfig("admin-oidc")));
        const QString error = proxy.startAndWait();
        qputenv("PATH", path);
        QVERIFY2(error.startsWith("kubectl was not found in PATH"), qPrintable(error));
    }

    // The child is ours to stop: it and the socket folder are gone with the object. A child that dies after it
    // was ready is reported with exited().
    void childLivesWithTheObject() {
        qint64 pid = 0;
        QString folder;
        {
            kube::KubectlProxy proxy(optionsFor(m_kube.kubeconfig("admin-oidc")));
            QVERIFY2(proxy.startAndWait().isEmpty(), "kubectl proxy did not start");
            pid = proxy.pid();
            folder = QFileInfo(QString::fromStdString(proxy.socketPath())).absolutePath();
            QVERIFY(processAlive(pid));
        }
        QTRY_VERIFY_WITH_TIMEOUT(!processAlive(pid), 5000);
        QVERIFY(!QFileInfo::exists(folder));

        kube::KubectlProxy proxy(optionsFor(m_kube.kubeconfig("admin-oidc")));
        QSignalSpy exited(&proxy, &kube::KubectlProxy::exited);
        QVERIFY2(proxy.startAndWait().isEmpty(), "kubectl proxy did not start");
        QVERIFY(::kill(pid_t(proxy.pid()), SIGKILL) == 0);
        QVERIFY(exited.wait(10000));
        QVERIFY2(exited.at(0).at(0).toString().startsWith("kubectl proxy was killed"),
                 qPrintable(exited.at(0).at(0).toString()));
    }

    void cleanupTestCase() {
        m_pod.reset();
        m_kubelet.stop();
        m_kube.stop();
    }
};

QTEST_GUILESS_MAIN(KubectlTransportTest)
#include "kube_kubectl_transport_test.moc"
