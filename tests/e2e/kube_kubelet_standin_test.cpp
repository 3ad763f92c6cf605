// The stand-in kubelet (tests/support/fake_kubelet.h) behind the real kube-apiserver v1.20.2: the API server reaches
// it as the kubelet of Node fake-node (InternalIP 127.0.0.1) over verified TLS with its kubelet client certificate,
// and relays a v4.channel.k8s.io port-forward WebSocket (checked here with a hand-made RFC 6455 client over
// QSslSocket, independent of core/kube/port_forward) and pods/log (checked with the real kubectl, also -f).
#include <QFile>
#include <QProcess>
#include <QSslKey>
#include <QSslSocket>
#include <QTest>
#include <QThread>

#include "core/kube/websocket.h"
#include "support/fake_kubelet.h"
#include "support/kube_fixtures.h"
#include "support/kube_server.h"
#include "support/pod_on_thread.h"

using namespace ilab;
using ilab::testing::FakeKubelet;
using ilab::testing::KubeServer;
using ilab::testing::PodOnThread;
namespace kubefix = ilab::testing::kubefix;
namespace ws = ilab::kube::websocket;

namespace {

QByteArray readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A raw WebSocket port-forward through the API server: returns the socket after the 101, or nullptr with *why.
std::unique_ptr<QSslSocket> openPortForward(const KubeServer& kube, const QString& pod, int port, QString* why,
                                            QByteArray* response = nullptr) {
    auto socket = std::make_unique<QSslSocket>();
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(QSslCertificate::fromData(readFile(kube.dir() + "/pki/ca.crt")));
    tls.setLocalCertificate(QSslCertificate::fromData(readFile(kube.dir() + "/pki/admin.crt")).value(0));
    tls.setPrivateKey(QSslKey(readFile(kube.dir() + "/pki/admin.key"), QSsl::Rsa));
    tls.setAllowedNextProtocols({QByteArrayLiteral("http/1.1")});
    socket->setSslConfiguration(tls);
    socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), quint16(kube.envValue("ILAB_KUBE_PORT").toInt()));
    if (!socket->waitForEncrypted(20000)) {
        *why = "TLS: " + socket->errorString();
        return nullptr;
    }
    const std::string key = ws::newKey();
    socket->write("GET /api/v1/namespaces/lab/pods/" + pod.toUtf8() + "/portforward?ports=" + QByteArray::number(port) +
                  " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                  "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\nSec-WebSocket-Key: " +
                  QByteArray::fromStdString(key) + "\r\n\r\n");
    QByteArray head;
    while (!head.contains("\r\n\r\n")) {
        if (!socket->waitForReadyRead(20000)) {
            *why = "no upgrade response: " + QString::fromUtf8(head);
            return nullptr;
        }
        head += socket->read(1);  // byte by byte: frames may follow the header in the same read
        while (!head.contains("\r\n\r\n") && socket->bytesAvailable() > 0) head += socket->read(1);
    }
    if (response) *response = head;
    if (!head.startsWith("HTTP/1.1 101")) {
        head += socket->readAll();
        *why = "upgrade refused: " + QString::fromUtf8(head);
        return nullptr;
    }
    if (!head.contains(QByteArray::fromStdString(ws::acceptFor(key)))) {
        *why = "wrong Sec-WebSocket-Accept: " + QString::fromUtf8(head);
        return nullptr;
    }
    return socket;
}

// Reads frames until `done` says so or the socket closes; returns them.
std::vector<ws::Frame> readFrames(QSslSocket& socket, ws::FrameDecoder& decoder,
                                  const std::function<bool(const std::vector<ws::Frame>&)>& done) {
    std::vector<ws::Frame> frames;
    while (!done(frames)) {
        std::string error;
        if (auto f = decoder.next(&error)) {
            frames.push_back(*f);
            continue;
        }
        if (!error.empty()) break;
        if (socket.bytesAvailable() == 0 && !socket.waitForReadyRead(20000)) break;
        decoder.feed(socket.readAll().toStdString());
    }
    return frames;
}

}  // namespace

class KubeKubeletStandinTest : public QObject {
    Q_OBJECT
    KubeServer m_kube;
    FakeKubelet m_kubelet;
    std::unique_ptr<PodOnThread> m_pod;

private slots:
    void initTestCase() {
        ILAB_REQUIRE_KUBE_SERVER();
        QVERIFY2(m_kube.start(), qPrintable(m_kube.errorString()));
        QVERIFY2(m_kubelet.start(m_kube.dir() + "/pki"), qPrintable(m_kubelet.errorString()));
        QString err;
        QVERIFY2(kubefix::addNode(m_kube, "fake-node", m_kubelet.port(), &err), qPrintable(err));
        QVERIFY2(kubefix::ensureNamespace(m_kube, "lab", &err), qPrintable(err));
        QVERIFY2(kubefix::addRunningPod(m_kube,
                                        {.ns = "lab", .name = "echo-a", .node = "fake-node", .labels = {{"app", "web"}},
                                         .ports = {{"http", 8080}}, .ip = "10.244.0.10",
                                         .containers = {"app", "sidecar"}},
                                        &err),
                 qPrintable(err));
        m_pod = std::make_unique<PodOnThread>("echo-a");
        QVERIFY(m_pod->port() > 0);
        m_kubelet.setPodPort("lab", "echo-a", 8080, m_pod->port());
    }

    void podIsRunningOnTheNode() {
        int code = -1;
        const QByteArray out = m_kube.kubectl(
            {"get", "pod", "echo-a", "-n", "lab", "-o", "jsonpath={.status.phase} {.spec.nodeName} {.status.podIP}"},
            &code);
        QCOMPARE(code, 0);
        QCOMPARE(out, QByteArray("Running fake-node 10.244.0.10"));
    }

    // The API server relays the v4.channel.k8s.io WebSocket to the kubelet; the first frame on both channels is
    // the port (uint16 LE); data on channel 0 reaches the pod and its answer comes back on channel 0.
    void portForwardWebSocketThroughTheApiServer() {
        QString why;
        QByteArray head;
        auto socket = openPortForward(m_kube, "echo-a", 8080, &why, &head);
        QVERIFY2(socket, qPrintable(why));
        QVERIFY2(head.contains("Sec-WebSocket-Protocol: v4.channel.k8s.io") ||
                     head.contains("Sec-Websocket-Protocol: v4.channel.k8s.io"),
                 head.constData());
        ws::FrameDecoder decoder;
        auto initial = readFrames(*socket, decoder, [](const auto& f) { return f.size() >= 2; });
        QCOMPARE(int(initial.size()), 2);
        QCOMPARE(initial[0].payload, std::string("\x00\x90\x1f", 3));  // channel 0, 8080 = 0x1f90 LE
        QCOMPARE(initial[1].payload, std::string("\x01\x90\x1f", 3));  // channel 1 (error)

        socket->write(QByteArray::fromStdString(ws::encodeChannelMessage(
            0, "GET /via-ws HTTP/1.1\r\nHost: pf.test\r\nConnection: close\r\n\r\n", true, 0x11223344u)));
        std::string body;
        auto frames = readFrames(*socket, decoder, [&](const auto& f) {
            body.clear();
            for (const auto& fr : f) {
                if (fr.opcode == ws::Opcode::Close) return true;
                if (fr.opcode == ws::Opcode::Binary && !fr.payload.empty() && fr.payload[0] == 0) body += fr.payload.substr(1);
            }
            return false;
        });
        QVERIFY2(body.starts_with("HTTP/1.1 200"), body.c_str());
        QVERIFY2(body.find("\"pod\":\"echo-a\"") != std::string::npos || body.find("echo-a") != std::string::npos,
                 body.c_str());
        QVERIFY2(body.find("/via-ws") != std::string::npos, body.c_str());
        QVERIFY2(!frames.empty() && frames.back().opcode == ws::Opcode::Close, "the pod closing ends the WebSocket");

        const auto requests = m_kubelet.requests();
        QVERIFY(!requests.isEmpty());
        const auto& last = requests.last();
        QCOMPARE(last.method, QStringLiteral("GET"));
        QCOMPARE(last.target, QStringLiteral("/portForward/lab/echo-a?port=8080"));
        QCOMPARE(last.protocol, QStringLiteral("v4.channel.k8s.io"));
        QCOMPARE(last.clientCn, QStringLiteral("kube-apiserver-kubelet-client"));
        QCOMPARE(last.status, 101);
    }

    // A port nothing listens on: the kubelet's dial error arrives on the error channel, then the close.
    void refusedPortIsReportedOnTheErrorChannel() {
        QString why;
        auto socket = openPortForward(m_kube, "echo-a", 9999, &why);
        QVERIFY2(socket, qPrintable(why));
        ws::FrameDecoder decoder;
        auto frames = readFrames(*socket, decoder, [](const auto& f) {
            return !f.empty() && f.back().opcode == ws::Opcode::Close;
        });
        std::string errorText;
        for (const auto& f : frames) {
            if (f.opcode == ws::Opcode::Binary && f.payload.size() > 3 && f.payload[0] == 1) errorText += f.payload.substr(1);
        }
        QVERIFY2(errorText.find("9999") != std::string::npos && errorText.find("refused") != std::string::npos,
                 errorText.c_str());
    }

    // An unknown pod is the API server's own 404, before the kubelet.
    void unknownPodIsNotFound() {
        QString why;
        const int before = m_kubelet.requests().size();
        auto socket = openPortForward(m_kube, "nope", 8080, &why);
        QVERIFY(!socket);
        QVERIFY2(why.contains(" 404 ") && why.contains("pods \\\"nope\\\" not found"), qPrintable(why));
        QCOMPARE(m_kubelet.requests().size(), before);
    }

    void containerLogsThroughKubectl() {
        m_kubelet.appendLog("lab", "echo-a", "app", "line one\nline two\n");
        m_kubelet.appendLog("lab", "echo-a", "sidecar", "sidecar says hi\n");
        int code = -1;
        QCOMPARE(m_kube.kubectl({"logs", "echo-a", "-n", "lab", "-c", "app"}, &code), QByteArray("line one\nline two\n"));
        QCOMPARE(code, 0);
        QCOMPARE(m_kube.kubectl({"logs", "echo-a", "-n", "lab", "-c", "app", "--tail=1"}, &code),
                 QByteArray("line two\n"));
        QCOMPARE(m_kube.kubectl({"logs", "echo-a", "-n", "lab", "-c", "sidecar"}, &code), QByteArray("sidecar says hi\n"));
        const auto last = m_kubelet.requests().last();
        QVERIFY2(last.target.startsWith("/containerLogs/lab/echo-a/sidecar"), qPrintable(last.target));
        QCOMPARE(last.clientCn, QStringLiteral("kube-apiserver-kubelet-client"));
    }

    // `kubectl logs -f`: lines appended later arrive while the stream is open; a container restart ends it.
    void followedLogsStreamUntilTheContainerRestarts() {
        QProcess proc;
        proc.start("kubectl", {"--kubeconfig", m_kube.kubeconfig("admin-cert"), "logs", "-f", "echo-a", "-n", "lab",
                               "-c", "app", "--tail=0"});
        QVERIFY(proc.waitForStarted(10000));
        QVERIFY(QTest::qWaitFor([&] { return m_kubelet.openLogStreams() == 1; }, 30000));
        m_kubelet.appendLog("lab", "echo-a", "app", "live 1\n");
        QByteArray out;
        QVERIFY(QTest::qWaitFor(
            [&] {
                proc.waitForReadyRead(100);
                out += proc.readAllStandardOutput();
                return out.contains("live 1\n");
            },
            30000));
        m_kubelet.appendLog("lab", "echo-a", "app", "live 2\n");
        m_kubelet.endLogStreams("lab", "echo-a", "app");
        QVERIFY(proc.waitForFinished(30000));
        out += proc.readAllStandardOutput();
        QCOMPARE(out, QByteArray("live 1\nlive 2\n"));
        QCOMPARE(proc.exitCode(), 0);
        QTRY_COMPARE(m_kubelet.openLogStreams(), 0);
    }

    void cleanupTestCase() {
        m_pod.reset();
        m_kubelet.stop();
        m_kube.stop();
    }
};

QTEST_GUILESS_MAIN(KubeKubeletStandinTest)
#include "kube_kubelet_standin_test.moc"
