// Issue 11 items 3-4 through the real `ingress-lab-cli serve demo`: response header duplicates seen by the real
// curl, a refused h2c upgrade that must not poison the upstream keep-alive pool, and nginx's request rules on raw
// sockets (curl normalises malformed input).
#include <QTcpSocket>
#include <QTest>

#include "e2e/serve_harness.h"

using namespace ilab::e2e;

namespace {

// Response header lines ("name: value", name lower-cased) that `curl -v` printed.
QStringList responseHeaders(const QByteArray& verbose) {
    QStringList out;
    for (const QByteArray& line : verbose.split('\n')) {
        if (!line.startsWith("< ")) continue;
        const QString l = QString::fromUtf8(line.mid(2)).trimmed();
        const int colon = l.indexOf(':');
        if (colon > 0) out << l.left(colon).toLower() + ":" + l.mid(colon + 1);
    }
    return out;
}

int count(const QStringList& headers, const QString& name) {
    int n = 0;
    for (const QString& h : headers) n += h.startsWith(name + ":");
    return n;
}

// Sends raw bytes on one connection; returns what the server sent and whether it closed the connection.
QByteArray raw(int port, const QByteArray& bytes, bool* closed) {
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(port));
    if (!s.waitForConnected(5000)) return {};
    s.write(bytes);
    QByteArray got;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 10000 && s.state() == QAbstractSocket::ConnectedState) {
        if (s.waitForReadyRead(200)) got += s.readAll();
    }
    got += s.readAll();
    *closed = s.state() != QAbstractSocket::ConnectedState;
    return got;
}

}  // namespace

class ServeRequestRulesTest : public QObject {
    Q_OBJECT
    Serve m_serve;

    QStringList curlHeaders(const QString& host, const QStringList& extra = {}) {
        const QString resolve = QStringLiteral("%1:%2:127.0.0.1").arg(host).arg(m_serve.httpPort);
        const CurlResult r = curl(QStringList{"-v", "-o", "/dev/null", "--resolve", resolve} + extra +
                                  QStringList{QStringLiteral("http://%1:%2/").arg(host).arg(m_serve.httpPort)});
        return responseHeaders(r.err);
    }

private slots:
    void initTestCase() { QVERIFY(m_serve.start({"demo"}, {"--workers", "1"})); }

    void redirectSendsOneLocation() {
        // The demo's agent.example.com has TLS: plain HTTP gets the 308 to HTTPS.
        const QStringList h = curlHeaders("agent.example.com");
        QVERIFY2(count(h, "location") == 1, qPrintable(h.join(" | ")));
        QCOMPARE(count(h, "server"), 0);  // server-tokens "false" (default): more_clear_headers Server
    }

    void proxiedResponseSendsNoServerByDefault() {
        // Neither the pod's own Server header nor one of the controller's: ingress-nginx's nginx.tmpl clears it.
        const QStringList h = curlHeaders("dashboard.example.com");
        QVERIFY2(count(h, "server") == 0, qPrintable(h.join(" | ")));
    }

    void serverTokensTrueSendsOneVersionedServer() {
        // ConfigMap server-tokens: "true" -> server_tokens on: one "Server: nginx/1.27.1", on proxied answers,
        // redirects and the controller's own 404 alike.
        Serve s;
        s.writeFile("ws.yaml", app("web", 1) +
                                   "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ingress-nginx-controller}\n"
                                   "data: {server-tokens: \"true\"}\n"
                                   "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\nspec:\n"
                                   "  ingressClassName: nginx\n  rules:\n  - host: web.example.com\n    http:\n      paths:\n"
                                   "      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n");
        QVERIFY(s.start({"ws.yaml"}));
        for (const QString& host : {QStringLiteral("web.example.com"), QStringLiteral("unknown.example.com")}) {
            const QString resolve = QStringLiteral("%1:%2:127.0.0.1").arg(host).arg(s.httpPort);
            const CurlResult r = curl(QStringList{"-v", "-o", "/dev/null", "--resolve", resolve,
                                                  QStringLiteral("http://%1:%2/").arg(host).arg(s.httpPort)});
            const QStringList h = responseHeaders(r.err);
            QVERIFY2(count(h, "server") == 1, qPrintable(h.join(" | ")));
            QVERIFY2(h.contains("server: nginx/1.27.1"), qPrintable(h.join(" | ")));
        }
    }

    void refusedUpgradeDoesNotBreakTheNextClient() {
        // curl --http2 on http:// asks for "Upgrade: h2c"; the pod answers a plain 200. With one worker, the next
        // requests are spread over the same pods and their pooled connections.
        const QString resolve = QStringLiteral("dashboard.example.com:%1:127.0.0.1").arg(m_serve.httpPort);
        const QString url = QStringLiteral("http://dashboard.example.com:%1/").arg(m_serve.httpPort);
        for (int round = 0; round < 3; ++round) {
            const CurlResult up = curl({"--http2", "-o", "/dev/null", "-w", "%{http_code}", "--resolve", resolve, url});
            QCOMPARE(up.out, QByteArray("200"));
            for (int i = 0; i < 6; ++i) {
                const CurlResult r = curl({"-o", "/dev/null", "-w", "%{http_code}", "--resolve", resolve, url});
                QVERIFY2(r.out == "200", qPrintable(QStringLiteral("round %1, request %2: %3").arg(round).arg(i).arg(QString::fromUtf8(r.out))));
            }
        }
    }

    void malformedRequestsAreRejectedAndClosed_data() {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QByteArray>("statusLine");
        QTest::newRow("space in header name") << QByteArray("GET / HTTP/1.1\r\nHost : evil\r\nHost: dashboard.example.com\r\n\r\n") << QByteArray("HTTP/1.1 400 ");
        QTest::newRow("empty host") << QByteArray("GET / HTTP/1.1\r\nHost: \r\n\r\n") << QByteArray("HTTP/1.1 400 ");
        QTest::newRow("%00 in path") << QByteArray("GET /a%00 HTTP/1.1\r\nHost: dashboard.example.com\r\n\r\n") << QByteArray("HTTP/1.1 400 ");
        QTest::newRow("dot dot above root") << QByteArray("GET /../.. HTTP/1.1\r\nHost: dashboard.example.com\r\n\r\n") << QByteArray("HTTP/1.1 400 ");
        QTest::newRow("te chunked, identity") << QByteArray("POST / HTTP/1.1\r\nHost: dashboard.example.com\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n") << QByteArray("HTTP/1.1 501 ");
        QTest::newRow("http/1.0 with te") << QByteArray("POST / HTTP/1.0\r\nHost: dashboard.example.com\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << QByteArray("HTTP/1.1 400 ");
        QTest::newRow("request line over 8k") << QByteArray("GET /" + QByteArray(9000, 'u') + " HTTP/1.1\r\nHost: dashboard.example.com\r\n\r\n") << QByteArray("HTTP/1.1 414 ");
        QTest::newRow("header line over 8k") << QByteArray("GET / HTTP/1.1\r\nHost: dashboard.example.com\r\nX-Long: " + QByteArray(9000, 'h') + "\r\n\r\n") << QByteArray("HTTP/1.1 400 ");
    }
    void malformedRequestsAreRejectedAndClosed() {
        QFETCH(QByteArray, request);
        QFETCH(QByteArray, statusLine);
        bool closed = false;
        const QByteArray answer = raw(m_serve.httpPort, request, &closed);
        QVERIFY2(answer.startsWith(statusLine), answer.left(60).constData());
        QVERIFY(closed);
    }

    void absoluteFormRoutesByTheRequestLineHost() {
        bool closed = false;
        // Host names a server that does not exist (404 from the default backend); the request line wins.
        const QByteArray answer = raw(m_serve.httpPort,
                                      "GET http://dashboard.example.com/ HTTP/1.1\r\nHost: nowhere.example\r\nConnection: close\r\n\r\n",
                                      &closed);
        QVERIFY2(answer.startsWith("HTTP/1.1 200 "), answer.left(60).constData());
        // ...but what goes upstream is the client's Host header: ingress-nginx sends $best_http_host = $http_host
        // (nginx.tmpl), as Host and as X-Forwarded-Host.
        QVERIFY2(answer.contains("\"host\": \"nowhere.example\""), answer.constData());
        QVERIFY2(answer.contains("\"x-forwarded-host\": \"nowhere.example\""), answer.constData());
        const QByteArray other = raw(m_serve.httpPort, "GET / HTTP/1.1\r\nHost: nowhere.example\r\nConnection: close\r\n\r\n", &closed);
        QVERIFY2(other.startsWith("HTTP/1.1 404 "), other.left(60).constData());
    }

    void manySmallHeadersAreFine() {
        QStringList extra;
        for (int i = 0; i < 101; ++i) extra << "-H" << QStringLiteral("X-H%1: v").arg(i);
        QCOMPARE(m_serve.status("dashboard.example.com", "/", extra), 200);
    }
};

QTEST_GUILESS_MAIN(ServeRequestRulesTest)
#include "serve_request_rules_test.moc"
