// HTTPS on the gateway profile through the real `ingress-lab-cli serve` and the real curl (../shared/gateway.md
// §1.1, §5; gwc-https-misdirected-421, gwc-https-unknown-sni-known-host):
//   * a request whose Host names another HTTPS listener than the one its SNI selected is answered 421 Misdirected
//     Request, also on a kept-alive connection; a Host no listener serves is 404;
//   * a ClientHello whose SNI no HTTPS listener serves is refused (fatal unrecognized_name alert: curl exit 35),
//     where the ingress-nginx profile presents its fake certificate for the same name.

#include <QTest>

#include "conformance/runner/test_certs.h"
#include "e2e/serve_harness.h"

using namespace ilab::e2e;

namespace {

QByteArray secret(const QString& name, const std::vector<std::string>& dnsNames) {
    const auto cert = ilab::testing::makeSelfSignedCertificate(dnsNames);
    return "---\napiVersion: v1\nkind: Secret\nmetadata: {name: " + name.toUtf8() + "}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: " +
           QByteArray::fromStdString(cert.certPem).toBase64() + "\n  tls.key: " + QByteArray::fromStdString(cert.keyPem).toBase64() + "\n";
}

const char* GATEWAY = R"(---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: lab
  listeners:
  - {name: a, port: 443, protocol: HTTPS, hostname: a.example.com, tls: {certificateRefs: [{name: a-tls}]}}
  - {name: b, port: 443, protocol: HTTPS, hostname: b.example.com, tls: {certificateRefs: [{name: b-tls}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: a}
spec:
  parentRefs: [{name: gw, sectionName: a}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: b}
spec:
  parentRefs: [{name: gw, sectionName: b}]
  rules: [{backendRefs: [{name: api, port: 80}]}]
)";

const char* INGRESS = R"(---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: a}
spec:
  ingressClassName: nginx
  tls: [{hosts: [a.example.com], secretName: a-tls}]
  rules:
  - host: a.example.com
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
)";

}  // namespace

class GatewayServeTlsTest : public QObject {
    Q_OBJECT
    Serve m_serve;

    // curl to https://SNI:PORT/PATH over 127.0.0.1 (--resolve), extra arguments before the URL.
    CurlResult https(Serve& s, const QString& sni, const QStringList& extra, const QString& path = "/") {
        const QString port = QString::number(s.httpsPort);
        return curl(QStringList{"-k", "--resolve", sni + ":" + port + ":127.0.0.1"} + extra +
                    QStringList{"https://" + sni + ":" + port + path});
    }

private slots:
    void initTestCase() {
        m_serve.writeFile("ws.yaml", app("web", 1) + app("api", 1) + secret("a-tls", {"a.example.com"}) +
                                         secret("b-tls", {"b.example.com"}) + GATEWAY);
        QVERIFY(m_serve.start({"ws.yaml"}, {"--profile", "gateway"}));
    }

    void sniAndHostOnTheSameListenerAreServed() {
        const CurlResult a = https(m_serve, "a.example.com", {"-o", "/dev/null", "-w", "%{http_code} %{ssl_verify_result}"});
        QCOMPARE(a.exitCode, 0);
        QVERIFY2(a.out.startsWith("200 "), a.out + a.err);
        const CurlResult body = https(m_serve, "b.example.com", {});
        QVERIFY2(body.out.contains("\"service\":\"api\"") || body.out.contains("\"service\": \"api\""), body.out + body.err);
    }

    // SNI a.example.com selected listener a; Host b.example.com belongs to listener b on the same port: 421.
    void hostOfAnotherListenerIsMisdirected() {
        const CurlResult r = https(m_serve, "a.example.com", {"-D", "-", "-o", "/dev/null", "-H", "Host: b.example.com"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.startsWith("HTTP/1.1 421 Misdirected Request\r\n"), r.out);
        // The other way round too, and with the port in the Host header (ignored for the match).
        const CurlResult p = https(m_serve, "b.example.com",
                                   {"-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: a.example.com:" + QString::number(m_serve.httpsPort)});
        QCOMPARE(p.out, QByteArray("421"));
        // A Host that no listener serves is not misdirected: 404 (MUST, gateway.md §1.1).
        const CurlResult u = https(m_serve, "a.example.com", {"-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: zzz.example.com"});
        QCOMPARE(u.out, QByteArray("404"));
    }

    // On one kept-alive connection (SNI a.example.com): the first request is served, the second, for b's Host, is 421.
    void misdirectedOnAReusedConnection() {
        const QString port = QString::number(m_serve.httpsPort);
        const QString url = "https://a.example.com:" + port + "/";
        const CurlResult r = curl({"-k", "--resolve", "a.example.com:" + port + ":127.0.0.1", "-o", "/dev/null", "-w",
                                   "%{http_code} %{num_connects}\\n", url, "-H", "Host: a.example.com", "--next", "-k", "--resolve",
                                   "a.example.com:" + port + ":127.0.0.1", "-o", "/dev/null", "-w", "%{http_code} %{num_connects}\\n",
                                   "-H", "Host: b.example.com", url});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, QByteArray("200 1\n421 0\n"));  // num_connects 0: the second request reused the connection
    }

    // No HTTPS listener serves c.example.com: the handshake is refused (Gateway API has no default certificate).
    void unknownSniIsRefused() {
        const CurlResult r = https(m_serve, "c.example.com", {"-o", "/dev/null", "-w", "%{http_code}"});
        QCOMPARE(r.exitCode, 35);  // CURLE_SSL_CONNECT_ERROR
        QVERIFY2(r.err.contains("unrecognized name"), r.err);
        QCOMPARE(r.out, QByteArray("000"));
        // The refusal is logged as a failed handshake with its reason.
        QVERIFY2(m_serve.waitForOutput("no HTTPS listener serves SNI 'c.example.com'"), m_serve.output.right(2000));
    }

    // The ingress-nginx profile is unchanged: an unknown SNI gets the fake certificate, and a Host other than the SNI
    // is routed by Host (no 421).
    void ingressNginxProfileNeverRefusesNorMisdirects() {
        Serve nginx;
        nginx.writeFile("ws.yaml", app("web", 1) + secret("a-tls", {"a.example.com"}) + INGRESS);
        QVERIFY(nginx.start({"ws.yaml"}));
        const CurlResult unknown = https(nginx, "c.example.com", {"-o", "/dev/null", "-w", "%{http_code}"});
        QCOMPARE(unknown.exitCode, 0);
        QCOMPARE(unknown.out, QByteArray("404"));
        const CurlResult other = https(nginx, "c.example.com", {"-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: a.example.com"});
        QCOMPARE(other.out, QByteArray("200"));
        QCOMPARE(nginx.stop(), 0);
    }

    void cleanupTestCase() { QCOMPARE(m_serve.stop(), 0); }
};

QTEST_GUILESS_MAIN(GatewayServeTlsTest)
#include "gateway_serve_tls_test.moc"
