// backend-protocol through the real `serve`: a simulated pod with `ingress-lab.dev/tls: "true"` serves HTTPS and
// is reached with backend-protocol HTTPS (the real curl on the client side, TLS on the upstream leg); the same
// pod without backend-protocol gets plain HTTP and answers nothing (502), as a TLS-only app in a cluster would;
// GRPC gives a 502 with the reason in an event.
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "e2e/serve_harness.h"

using namespace ilab::e2e;

namespace {

QByteArray ingress(const QString& name, const QString& host, const QString& service, const QString& protocol) {
    const QString ann = protocol.isEmpty()
                            ? QString()
                            : QStringLiteral("  annotations:\n    nginx.ingress.kubernetes.io/backend-protocol: \"%1\"\n").arg(protocol);
    return QStringLiteral("---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: %1\n%2spec:\n"
                          "  ingressClassName: nginx\n  rules:\n  - host: %3\n    http:\n      paths:\n"
                          "      - path: /\n        pathType: Prefix\n        backend: {service: {name: %4, port: {number: 80}}}\n")
        .arg(name, ann, host, service)
        .toUtf8();
}

}  // namespace

class ServeBackendProtocolTest : public QObject {
    Q_OBJECT
    Serve m_serve;

private slots:
    void initTestCase() {
        QByteArray ws;
        ws += app("secure-app", 2, "secure:2.0", "        ingress-lab.dev/tls: \"true\"\n");
        ws += app("plain-app", 1, "plain:1.0");
        ws += ingress("tls-upstream", "tls.example.com", "secure-app", "HTTPS");
        ws += ingress("tls-pod-plain-proxy", "wrong.example.com", "secure-app", "");
        ws += ingress("https-to-plain", "mismatch.example.com", "plain-app", "HTTPS");
        ws += ingress("grpc", "grpc.example.com", "plain-app", "GRPC");
        m_serve.writeFile("ws.yaml", ws);
        QVERIFY(m_serve.start({"ws.yaml"}));
    }

    void httpsUpstreamReachesATlsPod() {
        QSet<QString> pods;
        for (int i = 0; i < 4; ++i) {
            const CurlResult r = curl({"-H", "Host: tls.example.com", m_serve.http("/secure?i=" + QString::number(i))});
            QCOMPARE(r.exitCode, 0);
            const QJsonObject o = QJsonDocument::fromJson(r.out).object();
            QCOMPARE(o["service"].toString(), QStringLiteral("secure-app"));
            QCOMPARE(o["version"].toString(), QStringLiteral("2.0"));
            QCOMPARE(o["path"].toString(), QStringLiteral("/secure?i=%1").arg(i));
            pods.insert(o["pod"].toString());
        }
        QCOMPARE(pods.size(), 2);  // round robin over both TLS pods
    }

    void plainHttpToATlsPodIs502() {
        QCOMPARE(m_serve.status("wrong.example.com", "/"), 502);
    }

    void httpsToAPlainPodIs502WithTheHandshakeError() {
        QCOMPARE(m_serve.status("mismatch.example.com", "/"), 502);
        QVERIFY(m_serve.waitForOutput("SSL_do_handshake() failed"));
    }

    void grpcIs502WithTheReason() {
        QCOMPARE(m_serve.status("grpc.example.com", "/helloworld.Greeter/SayHello"), 502);
        QVERIFY(m_serve.waitForOutput("backend-protocol GRPC is not supported by the local controller"));
    }
};

QTEST_GUILESS_MAIN(ServeBackendProtocolTest)
#include "serve_backend_protocol_test.moc"
