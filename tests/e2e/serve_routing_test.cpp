#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "e2e/serve_harness.h"

using namespace ilab::e2e;

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

QJsonObject echo(const CurlResult& r) { return QJsonDocument::fromJson(r.out).object(); }

}  // namespace

class ServeRoutingTest : public QObject {
    Q_OBJECT
    Serve m_serve;

private slots:
    void initTestCase() {
        QByteArray ws;
        ws += app("web", 2, "web:1.0");
        ws += app("api", 1, "api:2.1");
        ws += app("other", 1);
        ws += app("web-canary", 1, "web:2.0");
        ws += ingress("web", "app.example.com", path("/api", "api") + path("/", "web"));
        ws += ingress("web-canary", "app.example.com", path("/", "web-canary"),
                      "    nginx.ingress.kubernetes.io/canary: \"true\"\n    nginx.ingress.kubernetes.io/canary-weight: \"10\"\n");
        ws += ingress("other", "other.example.com", path("/", "other"));
        ws += ingress("secure", "secure.example.com", path("/", "web"), {}, "  tls:\n  - hosts: [secure.example.com]\n");
        ws += ingress("limited", "rl.example.com", path("/", "other"), "    nginx.ingress.kubernetes.io/limit-rps: \"5\"\n");
        ws += ingress("cors", "cors.example.com", path("/", "other"), "    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n");
        m_serve.writeFile("ws.yaml", ws);
        QVERIFY(m_serve.start({"ws.yaml"}));
    }

    void pathAndHostRouting() {
        auto api = echo(curl({"-H", "Host: app.example.com", m_serve.http("/api/users?id=7")}));
        QCOMPARE(api["service"].toString(), QStringLiteral("api"));
        QCOMPARE(api["version"].toString(), QStringLiteral("2.1"));
        QCOMPARE(api["path"].toString(), QStringLiteral("/api/users?id=7"));
        QCOMPARE(api["host"].toString(), QStringLiteral("app.example.com"));
        // Headers the controller adds upstream (semantics.md §15).
        const QJsonObject h = api["headers"].toObject();
        QCOMPARE(h["x-real-ip"].toString(), QStringLiteral("127.0.0.1"));
        QCOMPARE(h["x-forwarded-for"].toString(), QStringLiteral("127.0.0.1"));
        QCOMPARE(h["x-forwarded-proto"].toString(), QStringLiteral("http"));
        QCOMPARE(h["x-request-id"].toString().size(), 32);
        const auto other = echo(curl({"-H", "Host: other.example.com", m_serve.http("/anything")}));
        QCOMPARE(other["service"].toString(), QStringLiteral("other"));
        QCOMPARE(m_serve.status("unknown.example.com", "/"), 404);
        // Access log line for the request, in ingress-nginx's format.
        QVERIFY(m_serve.waitForOutput("\"GET /api/users?id=7 HTTP/1.1\" 200 "));
        QVERIFY(m_serve.waitForOutput("[default-api-80] []"));
        // One $req_id per request: the X-Request-ID the pod received ends that request's access-log line.
        const QString rid = h["x-request-id"].toString();
        QVERIFY2(m_serve.waitForOutput(QStringLiteral(" 200 %1").arg(rid), 3000),
                 qPrintable("no access-log line ends with the upstream's X-Request-ID " + rid));
    }

    void tlsWithResolve() {
        const QString url = QStringLiteral("https://secure.example.com:%1/tls").arg(m_serve.httpsPort);
        const QString resolve = QStringLiteral("secure.example.com:%1:127.0.0.1").arg(m_serve.httpsPort);
        const CurlResult r = curl({"-k", "-i", "--resolve", resolve, url});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.startsWith("HTTP/1.1 200"), r.out.constData());
        QVERIFY(r.out.toLower().contains("strict-transport-security: max-age=31536000; includesubdomains"));
        const QJsonObject o = QJsonDocument::fromJson(r.out.mid(r.out.indexOf("\r\n\r\n") + 4)).object();
        QCOMPARE(o["headers"].toObject()["x-forwarded-proto"].toString(), QStringLiteral("https"));
        // Without -k the fake certificate is rejected: proof that TLS is real.
        QVERIFY(curl({"--resolve", resolve, url}).exitCode != 0);
        // Plain HTTP to a TLS host: 308 to https.
        const CurlResult redirect = curl({"-i", "-H", "Host: secure.example.com", m_serve.http("/x")});
        QVERIFY2(redirect.out.startsWith("HTTP/1.1 308"), redirect.out.constData());
        QVERIFY(redirect.out.contains("Location: https://secure.example.com/x"));
    }

    void canarySplitWithinBinomialBound() {
        QStringList args{"-H", "Host: app.example.com"};
        for (int i = 0; i < 1000; ++i) args << m_serve.http("/split");
        const CurlResult r = curl(args, 60000);
        QCOMPARE(r.exitCode, 0);
        const int canary = r.out.count("\"service\": \"web-canary\"");
        const int main = r.out.count("\"service\": \"web\"");
        QCOMPARE(canary + main, 1000);
        // Binomial(1000, 0.10): mean 100, sd 9.5; +-5 sd never fails by chance.
        QVERIFY2(canary >= 53 && canary <= 147, qPrintable(QString::number(canary)));
        // Both main replicas take traffic (round robin).
        QVERIFY(r.out.count("\"pod\": \"web-") >= 2);
    }

    void rateLimitAnswers503() {
        QStringList args{"-w", "%{http_code}\\n", "-H", "Host: rl.example.com"};
        for (int i = 0; i < 100; ++i) args << "-o" << "/dev/null" << m_serve.http("/");
        const CurlResult r = curl(args, 60000);
        const int ok = r.out.count("200\n"), limited = r.out.count("503\n");
        QCOMPARE(ok + limited, 100);
        // limit-rps 5 -> burst 25 (burst multiplier 5, nodelay): the first ~26 pass, the rest of a fast burst is 503.
        QVERIFY2(ok >= 25 && limited >= 25, qPrintable(QString("%1 ok, %2 limited").arg(ok).arg(limited)));
    }

    void corsPreflight() {
        const CurlResult r = curl({"-i", "-X", "OPTIONS", "-H", "Host: cors.example.com", "-H", "Origin: https://ui.example.org",
                                   "-H", "Access-Control-Request-Method: POST", m_serve.http("/x")});
        QVERIFY2(r.out.startsWith("HTTP/1.1 204"), r.out.constData());
        QVERIFY(r.out.toLower().contains("access-control-allow-origin: *"));
        QVERIFY(r.out.toLower().contains("access-control-allow-methods:"));
    }

    void metricsOnAdminPort() {
        const CurlResult r = curl({QStringLiteral("http://127.0.0.1:%1/metrics").arg(m_serve.adminPort)});
        QVERIFY(r.out.contains("nginx_ingress_controller_requests{"));
        QVERIFY(r.out.contains("service=\"web-canary\""));
        QVERIFY(r.out.contains("canary=\"default-web-canary-80\""));
    }

    void cleanupTestCase() { QCOMPARE(m_serve.stop(), 0); }
};

QTEST_GUILESS_MAIN(ServeRoutingTest)
#include "serve_routing_test.moc"
