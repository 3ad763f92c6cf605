// The ingress controller's own log (core/kube/pod_log_stream) through the real kube-apiserver v1.20.2 from the
// stand-in kubelet's /containerLogs (tests/support/fake_kubelet.h): access lines go to the access log, klog and
// other lines to the controller log; a cut stream reconnects without repeating lines, a container restart
// reconnects and delivers every line of the new container (whose log starts empty); a replaced pod (new name,
// found by the informer) is followed.
#include <QFile>
#include <QTest>

#include "core/events/line_log.h"
#include "core/kube/pod_log_stream.h"
#include "support/fake_kubelet.h"
#include "support/kube_fixtures.h"
#include "support/kube_server.h"

using namespace ilab;
using namespace ilab::kube;
using ilab::testing::FakeKubelet;
using ilab::testing::KubeServer;
namespace kubefix = ilab::testing::kubefix;

namespace {

std::string readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll().toStdString() : std::string();
}

std::vector<std::string> lines(const events::LineLog& log) {
    std::vector<std::string> out;
    const events::LineBatch b = log.linesSince(0, 1000);
    for (const auto& l : b.lines) out.emplace_back(l);
    return out;
}

const char* const KLOG = "I1206 19:41:52.123456       7 controller.go:190] \"Configuration changes detected, backend reload required\"\n";
const char* const ACCESS =
    "172.18.0.1 - - [06/Dec/2026:19:41:53 +0000] \"GET /version HTTP/1.1\" 200 57 \"-\" \"curl/7.88.1\" 83 0.001 "
    "[default-agent-stable-80] [] 10.244.0.7:8080 57 0.001 200 3f1c\n";

}  // namespace

class PodLogStreamTest : public QObject {
    Q_OBJECT
    KubeServer m_kube;
    FakeKubelet m_kubelet;

    kubefix::PodSpec controllerPod(const QString& name) {
        kubefix::PodSpec p;
        p.ns = "ingress-nginx";
        p.name = name;
        p.node = "fake-node";
        p.labels = {{"app.kubernetes.io/component", "controller"}, {"app.kubernetes.io/name", "ingress-nginx"}};
        p.ports = {{"http", 80}};
        p.ip = "10.244.0.7";
        p.containers = {"controller"};
        return p;
    }

private slots:
    void classifiesLines() {
        QCOMPARE(classifyControllerLine("I1206 19:41:52.123456       7 main.go:205] Starting"), ControllerLineKind::Klog);
        QCOMPARE(classifyControllerLine("W1206 19:41:52.123456       7 x.go:1] w"), ControllerLineKind::Klog);
        QCOMPARE(classifyControllerLine(std::string_view(ACCESS, std::strlen(ACCESS) - 1)), ControllerLineKind::Access);
        QCOMPARE(classifyControllerLine("-------------------------------------------------------------------------------"),
                 ControllerLineKind::Other);
        QCOMPARE(classifyControllerLine("2026/12/06 19:41:52 [error] 31#31: *1 connect() failed"), ControllerLineKind::Other);
    }

    void followsTheControllerPod() {
        ILAB_REQUIRE_KUBE_SERVER();
        QVERIFY2(m_kube.start(), qPrintable(m_kube.errorString()));
        QVERIFY2(m_kubelet.start(m_kube.dir() + "/pki"), qPrintable(m_kubelet.errorString()));
        QString err;
        QVERIFY2(kubefix::addNode(m_kube, "fake-node", m_kubelet.port(), &err), qPrintable(err));
        QVERIFY2(kubefix::ensureNamespace(m_kube, "ingress-nginx", &err), qPrintable(err));
        QVERIFY2(kubefix::addRunningPod(m_kube, controllerPod("ingress-nginx-controller-aaaaa"), &err), qPrintable(err));
        m_kubelet.appendLog("ingress-nginx", "ingress-nginx-controller-aaaaa", "controller", QByteArray(KLOG) + ACCESS);

        ClusterConnection c;
        c.server = m_kube.server().toStdString();
        c.caPem = readFile(m_kube.caFile());
        c.auth.clientCertPem = SecretBytes(readFile(m_kube.dir() + "/pki/admin.crt"));
        c.auth.clientKeyPem = SecretBytes(readFile(m_kube.dir() + "/pki/admin.key"));
        RestClient client(c);
        auto controllerLog = std::make_shared<events::LineLog>();
        auto accessLog = std::make_shared<events::LineLog>();
        PodLogStream::Options o;
        o.retryDelayMs = 200;
        PodLogStream stream(client, o, controllerLog, accessLog);
        stream.start();
        QTRY_COMPARE_WITH_TIMEOUT(stream.linesDelivered(), std::uint64_t(2), 30000);
        QCOMPARE(stream.currentPod(), std::string("ingress-nginx-controller-aaaaa"));
        QCOMPARE(lines(*controllerLog).size(), size_t(1));
        QVERIFY(lines(*controllerLog)[0].find("controller.go:190") != std::string::npos);
        QCOMPARE(lines(*accessLog).size(), size_t(1));
        QVERIFY(lines(*accessLog)[0].find("\"GET /version HTTP/1.1\" 200") != std::string::npos);

        // Follow: a line written later arrives on the open stream.
        m_kubelet.appendLog("ingress-nginx", "ingress-nginx-controller-aaaaa", "controller",
                            "I1206 19:42:00.000000       7 nginx.go:358] \"Listening\"\n");
        QTRY_COMPARE_WITH_TIMEOUT(lines(*controllerLog).size(), size_t(2), 15000);

        // The connection is cut (the log stays): the stream reconnects and nothing is delivered twice, although
        // the kubelet sends the lines of the same second again (sinceTime has seconds precision).
        int opened = stream.streamsOpened();
        m_kubelet.endLogStreams("ingress-nginx", "ingress-nginx-controller-aaaaa", "controller");
        QTRY_VERIFY_WITH_TIMEOUT(stream.streamsOpened() > opened, 15000);
        m_kubelet.appendLog("ingress-nginx", "ingress-nginx-controller-aaaaa", "controller", ACCESS);
        QTRY_COMPARE_WITH_TIMEOUT(lines(*accessLog).size(), size_t(2), 15000);
        QTest::qWait(500);
        QCOMPARE(lines(*controllerLog).size(), size_t(2));
        QCOMPARE(lines(*accessLog).size(), size_t(2));
        // The kubelet's timestamp prefix is not part of the stored line.
        QVERIFY2(lines(*accessLog)[1].rfind("172.18.0.1 - - [", 0) == 0, lines(*accessLog)[1].c_str());
        const auto sinceTimes = [&] {
            int n = 0;
            for (const auto& r : m_kubelet.requests())
                if (r.target.startsWith("/containerLogs/") && r.target.contains("timestamps=true") &&
                    r.target.contains("sinceTime="))
                    ++n;
            return n;
        };
        QVERIFY2(sinceTimes() >= 1, "the reconnect asks from the last second it delivered");

        // The container restarts: its new log starts empty. Its first lines (two, as many as the stream had
        // already delivered of the old container and more) all arrive, even one identical to an old line.
        opened = stream.streamsOpened();
        m_kubelet.restartContainer("ingress-nginx", "ingress-nginx-controller-aaaaa", "controller");
        QTRY_VERIFY_WITH_TIMEOUT(stream.streamsOpened() > opened, 15000);
        m_kubelet.appendLog("ingress-nginx", "ingress-nginx-controller-aaaaa", "controller",
                            QByteArray(KLOG) + ACCESS + "I1206 19:42:30.000000       7 nginx.go:358] \"Listening again\"\n");
        QTRY_COMPARE_WITH_TIMEOUT(lines(*controllerLog).size(), size_t(4), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(lines(*accessLog).size(), size_t(3), 15000);
        QVERIFY(lines(*controllerLog)[3].find("Listening again") != std::string::npos);
        QTest::qWait(500);
        QCOMPARE(lines(*controllerLog).size(), size_t(4));
        QCOMPARE(lines(*accessLog).size(), size_t(3));

        // The pod is replaced (a new name): the informer finds it, the stream moves there.
        QVERIFY2(kubefix::addRunningPod(m_kube, controllerPod("ingress-nginx-controller-bbbbb"), &err), qPrintable(err));
        m_kubelet.appendLog("ingress-nginx", "ingress-nginx-controller-bbbbb", "controller",
                            "I1206 19:43:00.000000       8 main.go:205] \"Starting NGINX Ingress controller\"\n");
        QVERIFY2(kubefix::deletePod(m_kube, "ingress-nginx", "ingress-nginx-controller-aaaaa", &err), qPrintable(err));
        QTRY_COMPARE_WITH_TIMEOUT(stream.currentPod(), std::string("ingress-nginx-controller-bbbbb"), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(lines(*controllerLog).size(), size_t(5), 15000);
        QVERIFY(lines(*controllerLog)[4].find("Starting NGINX Ingress controller") != std::string::npos);
        stream.stop();
        m_kube.stop();
    }
};

QTEST_GUILESS_MAIN(PodLogStreamTest)
#include "pod_log_stream_test.moc"
