// The native port-forward (core/kube/port_forward) through the real kube-apiserver v1.20.2 to the stand-in kubelet
// (support/fake_kubelet.h), with the real curl as the local client: client-certificate and token credentials from
// the harness kubeconfigs, one WebSocket per TCP connection, concurrent connections, an RBAC refusal reported with
// the API server's message, a refused pod port reported from the error channel, and a deleted pod closing its
// open tunnel.
#include <QProcess>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include "core/kube/kubeconfig.h"
#include "core/kube/port_forward.h"
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

class KubePortForwardTest : public QObject {
    Q_OBJECT
    KubeServer m_kube;
    FakeKubelet m_kubelet;
    std::unique_ptr<PodOnThread> m_podA, m_podB;

private slots:
    void initTestCase() {
        ILAB_REQUIRE_KUBE_SERVER();
        QVERIFY2(m_kube.start(), qPrintable(m_kube.errorString()));
        QVERIFY2(m_kubelet.start(m_kube.dir() + "/pki"), qPrintable(m_kubelet.errorString()));
        QString err;
        QVERIFY2(kubefix::addNode(m_kube, "fake-node", m_kubelet.port(), &err), qPrintable(err));
        QVERIFY2(kubefix::ensureNamespace(m_kube, "lab", &err), qPrintable(err));
        for (const char* name : {"web-a", "web-b"}) {
            QVERIFY2(kubefix::addRunningPod(m_kube, {.ns = "lab", .name = name, .labels = {{"app", "web"}},
                                                     .ports = {{"http", 8080}}, .ip = "10.244.0.10"},
                                            &err),
                     qPrintable(err));
        }
        m_podA = std::make_unique<PodOnThread>("web-a");
        m_podB = std::make_unique<PodOnThread>("web-b");
        m_kubelet.setPodPort("lab", "web-a", 8080, m_podA->port());
        m_kubelet.setPodPort("lab", "web-b", 8080, m_podB->port());
    }

    void forwardsEachConnection_data() {
        QTest::addColumn<QString>("mode");
        QTest::newRow("client certificate") << "admin-cert";
        QTest::newRow("client certificate files") << "admin-certfiles";
        QTest::newRow("token") << "admin-token";
        QTest::newRow("token file") << "admin-tokenfile";
    }
    void forwardsEachConnection() {
        QFETCH(QString, mode);
        kube::PortForward pf(kubefix::connectionFrom(m_kube.kubeconfig(mode)), {"lab", "web-a", 8080});
        auto port = pf.listen();
        QVERIFY(port.ok());
        const int before = m_kubelet.forwardsServed();
        for (int i = 0; i < 3; ++i) {
            int code = -1;
            const QByteArray out = curlWithEventLoop(
                {"-H", "Host: shop.test", QString("http://127.0.0.1:%1/try/%2").arg(*port).arg(i)}, &code);
            QVERIFY2(code == 0, out.constData());
            QVERIFY2(out.contains("web-a") && out.contains(QString("/try/%1").arg(i).toUtf8()) &&
                         out.contains("shop.test"),
                     out.constData());
        }
        QCOMPARE(m_kubelet.forwardsServed() - before, 3);  // one WebSocket per TCP connection
        QCOMPARE(pf.tunnelsOpened(), 3);
        QTRY_COMPARE(pf.openTunnels(), 0);
        QVERIFY2(pf.lastError().empty(), pf.lastError().c_str());
    }

    // Parallel connections each get their own WebSocket and their own answer.
    void concurrentConnections() {
        kube::PortForward pf(kubefix::connectionFrom(m_kube.kubeconfig("admin-cert")), {"lab", "web-b", 8080});
        auto port = pf.listen();
        QVERIFY(port.ok());
        std::vector<std::unique_ptr<QProcess>> procs;
        for (int i = 0; i < 6; ++i) {
            auto p = std::make_unique<QProcess>();
            p->start("curl", {"-sS", "--noproxy", "*", "--max-time", "30", QString("http://127.0.0.1:%1/c%2").arg(*port).arg(i)});
            procs.push_back(std::move(p));
        }
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (auto& p : procs) {
                    if (p->state() != QProcess::NotRunning) return false;
                }
                return true;
            },
            60000));
        for (int i = 0; i < 6; ++i) {
            const QByteArray out = procs[i]->readAllStandardOutput();
            QVERIFY2(procs[i]->exitCode() == 0 && out.contains(QString("/c%1").arg(i).toUtf8()) && out.contains("web-b"),
                     out.constData());
        }
        QCOMPARE(pf.tunnelsOpened(), 6);
    }

    // A user without pods/portforward rights: the API server's 403 message reaches tunnelFailed; the local
    // connection is closed (curl sees an empty reply), nothing reaches the kubelet.
    void forbiddenUserIsReported() {
        kube::PortForward pf(kubefix::connectionFrom(m_kube.kubeconfig("limited")), {"lab", "web-a", 8080});
        QSignalSpy failed(&pf, &kube::PortForward::tunnelFailed);
        auto port = pf.listen();
        QVERIFY(port.ok());
        const int before = m_kubelet.forwardsServed();
        int code = -1;
        curlWithEventLoop({QString("http://127.0.0.1:%1/").arg(*port)}, &code);
        QVERIFY(code != 0);
        QVERIFY(failed.wait(10000) || !failed.isEmpty());
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains("403") && message.contains("forbidden") && message.contains("ilab-limited"),
                 qPrintable(message));
        QVERIFY2(!message.contains("BEGIN"), "no key material in messages");
        QCOMPARE(m_kubelet.forwardsServed(), before);
    }

    void refusedPodPortIsReported() {
        kube::PortForward pf(kubefix::connectionFrom(m_kube.kubeconfig("admin-token")), {"lab", "web-a", 9999});
        QSignalSpy failed(&pf, &kube::PortForward::tunnelFailed);
        auto port = pf.listen();
        QVERIFY(port.ok());
        int code = -1;
        curlWithEventLoop({QString("http://127.0.0.1:%1/").arg(*port)}, &code);
        QVERIFY(code != 0);
        QVERIFY(failed.wait(10000) || !failed.isEmpty());
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains("9999") && message.contains("refused"), qPrintable(message));
        const QString token = m_kube.token("admin").trimmed();
        QVERIFY(!token.isEmpty() && !message.contains(token));
    }

    // The pod goes away (kubelet ends its streams): the open local connection is closed, not left hanging.
    void podGoneClosesItsTunnel() {
        auto pod = std::make_unique<PodOnThread>("web-c");
        m_kubelet.setPodPort("lab", "web-a", 8081, pod->port());
        kube::PortForward pf(kubefix::connectionFrom(m_kube.kubeconfig("admin-cert")), {"lab", "web-a", 8081});
        auto port = pf.listen();
        QVERIFY(port.ok());
        QTcpSocket client;
        client.connectToHost("127.0.0.1", quint16(*port));
        QVERIFY(client.waitForConnected(5000));
        client.write("GET /keep HTTP/1.1\r\nHost: x\r\n\r\n");
        QByteArray got;
        QVERIFY(QTest::qWaitFor(
            [&] {
                got += client.readAll();
                return got.contains("/keep");
            },
            30000));
        QCOMPARE(pf.openTunnels(), 1);
        m_kubelet.removePod("lab", "web-a");
        QTRY_VERIFY_WITH_TIMEOUT(client.state() == QAbstractSocket::UnconnectedState, 20000);
        QTRY_COMPARE(pf.openTunnels(), 0);
        m_kubelet.setPodPort("lab", "web-a", 8080, m_podA->port());
    }

    void cleanupTestCase() {
        m_podA.reset();
        m_podB.reset();
        m_kubelet.stop();
        m_kube.stop();
    }
};

QTEST_GUILESS_MAIN(KubePortForwardTest)
#include "kube_port_forward_test.moc"
