// Certificate choice (semantics.md §6) with real certificates: exact, wildcard, SAN fallback, the default
// certificate for missing / non-covering / unparsable secrets, --default-ssl-certificate, SNI normalisation.

#include <QByteArray>
#include <QTest>

#include "conformance/runner/test_certs.h"
#include "core/routing/certificate_sans.h"
#include "routing_fixture.h"

using namespace ilab;
using namespace ilab::testing;

namespace {

std::string secret(const std::string& name, const std::vector<std::string>& sans, const std::string& ns = "default") {
    const auto c = makeSelfSignedCertificate(sans);
    return "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
           "\ntype: kubernetes.io/tls\ndata:\n  tls.crt: " + QByteArray::fromStdString(c.certPem).toBase64().toStdString() +
           "\n  tls.key: " + QByteArray::fromStdString(c.keyPem).toBase64().toStdString() + "\n";
}

std::string tlsIngress(const std::string& name, const std::string& ruleHost, const std::string& tlsHosts, const std::string& secretName,
                       const std::string& created = "") {
    std::string y = "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + name + "\n";
    if (!created.empty()) y += "  creationTimestamp: '" + created + "'\n";
    y += "spec:\n  tls:\n  - hosts: [" + tlsHosts + "]\n";
    if (!secretName.empty()) y += "    secretName: " + secretName + "\n";
    y += "  rules:\n  - host: '" + ruleHost + "'\n    http:\n      paths:\n"
         "      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n";
    return y;
}

}  // namespace

class TlsTest : public QObject {
    Q_OBJECT
private slots:
    void certificateNamesFromPem();
    void choice_data();
    void choice();
    void oldestIngressWinsTheHost();
    void defaultSslCertificateFlag();
    void unusableSecretsAreReported();
};

void TlsTest::certificateNamesFromPem() {
    const auto c = makeSelfSignedCertificate({"a.example", "*.Wild.example"});
    std::string err;
    auto names = routing::certificateNames(c.certPem, &err);
    QVERIFY2(names.has_value(), err.c_str());
    QCOMPARE(names->dnsNames.size(), std::size_t(2));
    QVERIFY(routing::certificateCovers(*names, "a.example"));
    QVERIFY(routing::certificateCovers(*names, "X.wild.example"));
    QVERIFY(!routing::certificateCovers(*names, "a.b.wild.example"));
    QVERIFY(!routing::certificateCovers(*names, "wild.example"));
    QVERIFY(!routing::certificateNames("not a certificate", &err));
    QVERIFY(!err.empty());
    QVERIFY(!routing::certificateNames("", &err));
}

void TlsTest::choice_data() {
    QTest::addColumn<QString>("sni");
    QTest::addColumn<QString>("certificate");
    QTest::newRow("exact") << "a.example" << "default/a-tls";
    QTest::newRow("case and trailing dot") << "A.EXAMPLE." << "default/a-tls";
    QTest::newRow("wildcard TLS host") << "x.wild.example" << "default/wild-tls";
    QTest::newRow("wildcard is one label") << "x.y.wild.example" << "default";
    QTest::newRow("SAN fallback (host not listed, secret covers it)") << "san.example" << "default/multi-tls";
    QTest::newRow("listed, certificate does not cover") << "wrong.example" << "default";
    QTest::newRow("listed, secret missing") << "missing.example" << "default";
    QTest::newRow("no TLS for the host") << "plain.example" << "default";
    QTest::newRow("no SNI") << "" << "default";
}

void TlsTest::choice() {
    QFETCH(QString, sni);
    QFETCH(QString, certificate);
    const std::string yaml = tlsIngress("a", "a.example", "a.example", "a-tls") + tlsIngress("w", "*.wild.example", "'*.wild.example'", "wild-tls") +
                             tlsIngress("san", "san.example", "other.example", "multi-tls") +
                             tlsIngress("wrong", "wrong.example", "wrong.example", "a-tls") +
                             tlsIngress("missing", "missing.example", "missing.example", "nope") +
                             "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: plain}\nspec:\n  rules:\n  - host: plain.example\n"
                             "    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n" +
                             secret("a-tls", {"a.example"}) + secret("wild-tls", {"*.wild.example"}) +
                             secret("multi-tls", {"other.example", "san.example"}) + services({"web"});
    auto c = compileYaml(yaml);
    const auto t = c.table().certificateFor(sni.toStdString());
    QCOMPARE(QString::fromStdString(t.certificate), certificate);
    QVERIFY(!t.trace.empty());
    if (certificate != "default") {
        QVERIFY(t.pemCert.find("BEGIN CERTIFICATE") != std::string::npos);
        QVERIFY(t.pemKey.find("PRIVATE KEY") != std::string::npos);
    } else {
        QVERIFY(t.pemCert.empty());  // the proxy serves its fake certificate
    }
    // route() reports the same choice for an https request, in both profiles.
    if (!sni.isEmpty()) {
        for (auto p : {routing::Profile::IngressNginx, routing::Profile::Kubernetes}) {
            auto cp = compileYaml(yaml, claimAll(p));
            auto req = get("a.example", "/", "https");
            req.sni = sni.toStdString();
            QCOMPARE(QString::fromStdString(cp.table().route(req, 0).tlsCertificate.value_or("?")), certificate);
        }
    }
}

void TlsTest::oldestIngressWinsTheHost() {
    const std::string yaml = tlsIngress("new", "a.example", "a.example", "new-tls", "2026-02-01T00:00:00Z") +
                             tlsIngress("old", "a.example", "a.example", "old-tls", "2026-01-01T00:00:00Z") +
                             secret("new-tls", {"a.example"}) + secret("old-tls", {"a.example"}) + services({"web"});
    auto c = compileYaml(yaml);
    QCOMPARE(c.table().certificateFor("a.example").certificate, std::string("default/old-tls"));
}

void TlsTest::defaultSslCertificateFlag() {
    const std::string yaml = tlsIngress("a", "a.example", "a.example", "a-tls") + secret("a-tls", {"a.example"}) +
                             secret("fallback", {"*.example"}, "ingress-nginx") + services({"web"});
    auto s = claimAll();
    std::string err;
    QVERIFY(s.applyControllerArg("--default-ssl-certificate=ingress-nginx/fallback", &err));
    auto c = compileYaml(yaml, s);
    QCOMPARE(c.table().certificateFor("zzz.example").certificate, std::string("ingress-nginx/fallback"));
    QCOMPARE(c.table().certificateFor("").certificate, std::string("ingress-nginx/fallback"));
    QCOMPARE(c.table().certificateFor("a.example").certificate, std::string("default/a-tls"));
    // An unusable flag value falls back to the fake certificate.
    auto bad = claimAll();
    QVERIFY(bad.applyControllerArg("--default-ssl-certificate=ingress-nginx/nope", &err));
    auto b = compileYaml(yaml, bad);
    QCOMPARE(b.table().certificateFor("zzz.example").certificate, std::string("default"));
}

void TlsTest::unusableSecretsAreReported() {
    const std::string yaml = tlsIngress("wrong", "wrong.example", "wrong.example", "a-tls") +
                             tlsIngress("garbage", "g.example", "g.example", "junk") + secret("a-tls", {"a.example"}) +
                             "---\napiVersion: v1\nkind: Secret\nmetadata: {name: junk}\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: nonsense\n  tls.key: nonsense\n" +
                             services({"web"});
    auto c = compileYaml(yaml);
    int reported = 0;
    for (const auto& d : c.result.diagnostics)
        if (d.rule == "tls-secret-unusable") {
            ++reported;
            QCOMPARE(d.field, std::string("spec.tls"));
            QVERIFY(d.pos.has_value());
        }
    QCOMPARE(reported, 2);
    // Still TLS-enabled: plain HTTP is redirected.
    QCOMPARE(c.table().route(get("g.example", "/x"), 0).clientStatus(), 308);
}

QTEST_GUILESS_MAIN(TlsTest)
#include "tls_test.moc"
