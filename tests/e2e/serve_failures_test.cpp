#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include "e2e/serve_harness.h"

using namespace ilab::e2e;

namespace {

QByteArray rules(const QStringList& pathsAndServices) {
    QByteArray out;
    for (int i = 0; i + 1 < pathsAndServices.size(); i += 2)
        out += QStringLiteral("      - path: %1\n        pathType: Prefix\n        backend: {service: {name: %2, port: {number: 80}}}\n")
                   .arg(pathsAndServices[i], pathsAndServices[i + 1])
                   .toUtf8();
    return out;
}

int closedPort() {
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    const int p = s.serverPort();
    s.close();
    return p;
}

// Sends raw bytes on one connection and returns everything the server sends until it closes (or timeout).
QByteArray raw(int port, const QByteArray& bytes, int timeoutMs = 5000) {
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(port));
    if (!s.waitForConnected(5000)) return {};
    s.write(bytes);
    QByteArray got;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs && s.state() == QAbstractSocket::ConnectedState) {
        if (s.waitForReadyRead(200)) got += s.readAll();
        if (got.contains("\r\n\r\n") && !got.startsWith("HTTP/1.1 1")) break;
    }
    got += s.readAll();
    return got;
}

}  // namespace

class ServeFailuresTest : public QObject {
    Q_OBJECT
    Serve m_serve;
    int m_deadPort = 0;

    QByteArray workspace(int webReplicas, const QString& webImage) {
        QByteArray ws;
        ws += app("web", webReplicas, webImage);
        ws += app("slow", 1, "slow:1", "        ingress-lab.dev/latency-ms: \"3000\"\n");
        ws += "---\napiVersion: v1\nkind: Service\nmetadata: {name: empty}\nspec:\n  selector: {app: nobody}\n  ports: [{port: 80}]\n";
        ws += QStringLiteral("---\napiVersion: v1\nkind: Service\nmetadata: {name: dead}\nspec:\n  ports: [{name: http, port: 80}]\n"
                             "---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: dead}\nsubsets:\n"
                             "- addresses: [{ip: 127.0.0.1}]\n  ports: [{name: http, port: %1}]\n")
                  .arg(m_deadPort)
                  .toUtf8();
        ws += "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: app\n  annotations:\n"
              "    nginx.ingress.kubernetes.io/proxy-read-timeout: \"1\"\n"
              "spec:\n  ingressClassName: nginx\n  rules:\n  - host: app.example.com\n    http:\n      paths:\n";
        ws += rules({"/slow", "slow", "/empty", "empty", "/dead", "dead", "/", "web"});
        return ws;
    }

private slots:
    void initTestCase() {
        m_deadPort = closedPort();
        m_serve.writeFile("ws.yaml", workspace(2, "web:1.0"));
        QVERIFY(m_serve.start({"ws.yaml"}));
    }

    void upstreamFailures() {
        QCOMPARE(m_serve.status("app.example.com", "/"), 200);
        QCOMPARE(m_serve.status("app.example.com", "/dead"), 502);   // connection refused
        QCOMPARE(m_serve.status("app.example.com", "/empty"), 503);  // no endpoints
        QCOMPARE(m_serve.status("app.example.com", "/slow"), 504);   // latency 3 s > proxy-read-timeout 1 s
        QVERIFY(m_serve.waitForOutput("Service \"default/empty\" does not have any active Endpoint."));
    }

    void malformedAndSmuggling() {
        const int port = m_serve.httpPort;
        QVERIFY(raw(port, "GARBAGE\r\n\r\n").startsWith("HTTP/1.1 400"));
        QVERIFY(raw(port, "GET / HTTP/1.1\r\nHost: app.example.com\r\nBad Header\r\n\r\n").startsWith("HTTP/1.1 400"));
        // Content-Length with Transfer-Encoding, and two Content-Lengths: rejected, never forwarded.
        QVERIFY(raw(port, "POST / HTTP/1.1\r\nHost: app.example.com\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: app.example.com\r\n\r\n")
                    .startsWith("HTTP/1.1 400"));
        QVERIFY(raw(port, "POST / HTTP/1.1\r\nHost: app.example.com\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")
                    .startsWith("HTTP/1.1 400"));
        QVERIFY(!m_serve.readOutput().contains("GET /smuggled"));
        // Header section far beyond the limit.
        const QByteArray big = "GET / HTTP/1.1\r\nHost: app.example.com\r\nX-Big: " + QByteArray(64 * 1024, 'a') + "\r\n\r\n";
        const QByteArray answer = raw(port, big);
        QVERIFY2(answer.startsWith("HTTP/1.1 400"), answer.left(40).constData());  // nginx never sends 431
        QCOMPARE(m_serve.status("app.example.com", "/"), 200);  // still serving
    }

    void slowClientDoesNotBlockOthers() {
        QTcpSocket slow;
        slow.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(m_serve.httpPort));
        QVERIFY(slow.waitForConnected(5000));
        const QByteArray req = "GET /slowclient HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n";
        for (int i = 0; i < req.size(); ++i) {
            slow.write(req.mid(i, 1));
            slow.flush();
            if (i % 10 == 0) QCOMPARE(m_serve.status("app.example.com", "/fast"), 200);  // others are served meanwhile
            QTest::qWait(10);
        }
        // The answer may already have arrived during the last qWait (then waitForReadyRead sees no new data).
        QByteArray got = slow.readAll();
        while (!got.contains("\r\n\r\n") && slow.waitForReadyRead(5000)) got += slow.readAll();
        got += slow.readAll();
        QVERIFY2(got.startsWith("HTTP/1.1 200"), got.left(60).constData());
    }

    void scaleToZeroAndBack() {
        m_serve.writeFile("ws.yaml", workspace(0, "web:1.0"));
        QVERIFY(m_serve.waitForOutput("Scaled down replica set web-"));
        QTRY_COMPARE_WITH_TIMEOUT(m_serve.status("app.example.com", "/"), 503, 10000);
        m_serve.writeFile("ws.yaml", workspace(2, "web:1.0"));
        QTRY_COMPARE_WITH_TIMEOUT(m_serve.status("app.example.com", "/"), 200, 10000);
    }

    void reloadDuringTrafficLosesNothing() {
        QProcess load;
        // --rate paces the 600 requests over ~4 s, so both reloads land while traffic flows.
        QStringList args{"-s", "--rate", "150/s", "-w", "%{http_code}\\n", "-H", "Host: app.example.com"};
        for (int i = 0; i < 600; ++i) args << "-o" << "/dev/null" << m_serve.http("/during-reload");
        load.start("curl", args);
        QVERIFY(load.waitForStarted());
        // New image (pods replaced), more replicas, fewer replicas — while curl keeps sending.
        const int before = m_serve.countInOutput("Backend successfully reloaded");
        m_serve.writeFile("ws.yaml", workspace(3, "web:1.1"));
        QTRY_VERIFY_WITH_TIMEOUT(m_serve.countInOutput("Backend successfully reloaded") > before, 10000);
        m_serve.writeFile("ws.yaml", workspace(1, "web:1.2"));
        QTRY_VERIFY_WITH_TIMEOUT(m_serve.countInOutput("Backend successfully reloaded") > before + 1, 10000);
        QCOMPARE(load.state(), QProcess::Running);  // the reloads happened during the traffic
        QVERIFY(load.waitForFinished(60000));
        const QByteArray codes = load.readAllStandardOutput();
        QCOMPARE(codes.count("\n"), 600);
        QCOMPARE(codes.count("200\n"), 600);
    }

    void cleanupTestCase() { QCOMPARE(m_serve.stop(), 0); }
};

QTEST_GUILESS_MAIN(ServeFailuresTest)
#include "serve_failures_test.moc"
