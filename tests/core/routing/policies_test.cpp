// Per-request policies the router attaches for the proxy (rate limit, affinity, access, body size, timeouts,
// backend protocol, default-backend fallback) and the headers it decides (semantics.md §5, §11-§15).

#include <QTest>

#include "routing_fixture.h"

using namespace ilab;
using namespace ilab::testing;

namespace {

std::string annotated(const std::string& annotations, const std::string& path = "/app") {
    return "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: pol\n  annotations:\n" + annotations +
           "spec:\n  rules:\n  - host: pol.example\n    http:\n      paths:\n      - {path: " + path +
           ", pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n" + services({"web", "fallback"});
}

std::optional<std::string> upstreamHeader(const routing::Decision& d, const std::string& name) {
    for (const auto& [k, v] : d.upstreamHeaders)
        if (k == name) return v;
    return std::nullopt;
}

}  // namespace

class PoliciesTest : public QObject {
    Q_OBJECT
private slots:
    void rateLimitPolicy();
    void rateLimitStatusFromConfigMap();
    void affinityPolicy();
    void accessDeniedAfterRateLimit();
    void bodySizeAndTimeouts();
    void backendProtocol_data();
    void backendProtocol();
    void defaultBackendAnnotationFallback();
    void upstreamHeaders();
    void serverTokensTrueNamesNginxWithItsVersion();
    void forwardedHeadersTrusted();
    void requestIdFromRandomValue();
    void annotationsOfOtherIngressDoNotLeak();
};

void PoliciesTest::rateLimitPolicy() {
    auto c = compileYaml(annotated("    nginx.ingress.kubernetes.io/limit-rps: '5'\n    nginx.ingress.kubernetes.io/limit-burst-multiplier: '2'\n"
                                   "    nginx.ingress.kubernetes.io/limit-connections: '3'\n    nginx.ingress.kubernetes.io/limit-allowlist: '10.0.0.0/8, bogus'\n"));
    const auto d = c.table().route(get("pol.example", "/app"), 0, true);
    QVERIFY(d.rateLimit.has_value());
    QCOMPARE(d.rateLimit->zone, std::string("default_pol"));
    QCOMPARE(d.rateLimit->rps, 5.0);
    QCOMPARE(d.rateLimit->burstMultiplier, 2);
    QCOMPARE(d.rateLimit->connections, 3);
    QCOMPARE(d.rateLimit->allowlist, std::vector<std::string>{"10.0.0.0/8"});
    QCOMPARE(d.rateLimit->rejectStatus, 503);
    QVERIFY(traceContains(d, "rate limit: zone default_pol, 5 r/s, burst x2"));
    bool warned = false;
    for (const auto& diag : c.result.diagnostics) warned = warned || diag.field == "metadata.annotations[nginx.ingress.kubernetes.io/limit-allowlist]";
    QVERIFY(warned);
    QVERIFY(!compileYaml(annotated("    a: b\n")).table().route(get("pol.example", "/app"), 0).rateLimit);
}

void PoliciesTest::rateLimitStatusFromConfigMap() {
    const std::string cm = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ingress-nginx-controller, namespace: ingress-nginx}\n"
                           "data:\n  limit-req-status-code: '429'\n  limit-conn-status-code: '430'\n";
    auto c = compileYaml(annotated("    nginx.ingress.kubernetes.io/limit-rpm: '60'\n") + cm);
    const auto d = c.table().route(get("pol.example", "/app"), 0);
    QCOMPARE(d.rateLimit->rpm, 60.0);
    QCOMPARE(d.rateLimit->rejectStatus, 429);
    QCOMPARE(d.rateLimit->connRejectStatus, 430);
}

void PoliciesTest::affinityPolicy() {
    auto c = compileYaml(annotated("    nginx.ingress.kubernetes.io/affinity: cookie\n    nginx.ingress.kubernetes.io/session-cookie-max-age: '3600'\n"));
    const auto http = c.table().route(get("pol.example", "/app/x"), 0);
    QVERIFY(http.affinity.has_value());
    QCOMPARE(http.affinity->cookieName, std::string("INGRESSCOOKIE"));
    QCOMPARE(http.affinity->path, std::string("/app"));  // the Ingress path of the location
    QCOMPARE(http.affinity->maxAge.value_or(""), std::string("3600"));
    QVERIFY(!http.affinity->secure);
    const auto https = c.table().route(get("pol.example", "/app/x", "https"), 0);
    QVERIFY(https.affinity->secure);  // HTTPS always adds Secure
}

void PoliciesTest::accessDeniedAfterRateLimit() {
    auto c = compileYaml(annotated("    nginx.ingress.kubernetes.io/denylist-source-range: '18.0.0.0/8'\n    nginx.ingress.kubernetes.io/limit-rps: '1'\n"));
    auto req = get("pol.example", "/app");
    req.clientIp = "18.1.2.3";
    const auto d = c.table().route(req, 0, true);
    // Kept as a proxy decision so the proxy applies the rate limit first (semantics.md §16).
    QCOMPARE(d.action, routing::Decision::Action::Proxy);
    QCOMPARE(d.accessDeniedStatus, 403);
    QVERIFY(d.rateLimit.has_value());
    QCOMPARE(d.clientStatus(), 403);
    QVERIFY(!d.contactsBackend());
    req.clientIp = "19.0.0.1";
    QCOMPARE(c.table().route(req, 0).accessDeniedStatus, 0);
    // A CORS preflight is answered before the access phase.
    auto cors = compileYaml(annotated("    nginx.ingress.kubernetes.io/allowlist-source-range: '10.0.0.0/8'\n    nginx.ingress.kubernetes.io/enable-cors: 'true'\n"));
    auto pre = get("pol.example", "/app");
    pre.method = "OPTIONS";
    pre.clientIp = "192.0.2.1";
    pre.headers.emplace_back("Origin", "https://x.example");
    QCOMPARE(cors.table().route(pre, 0).clientStatus(), 204);
}

void PoliciesTest::bodySizeAndTimeouts() {
    auto c = compileYaml(annotated("    nginx.ingress.kubernetes.io/proxy-body-size: 2k\n    nginx.ingress.kubernetes.io/proxy-read-timeout: '5'\n"));
    auto req = get("pol.example", "/app");
    req.contentLength = 2048;
    auto d = c.table().route(req, 0);
    QCOMPARE(d.clientStatus(), 200);
    QCOMPARE(d.maxBodyBytes.value_or(0), std::uint64_t(2048));  // chunked bodies: the proxy enforces it while streaming
    QCOMPARE(d.timeouts.readMs, 5000);
    QCOMPARE(d.timeouts.connectMs, 5000);
    req.contentLength = 2049;
    QCOMPARE(c.table().route(req, 0).clientStatus(), 413);
    // 0 = unlimited
    auto unlimited = compileYaml(annotated("    nginx.ingress.kubernetes.io/proxy-body-size: '0'\n"));
    req.contentLength = 1ULL << 40;
    QCOMPARE(unlimited.table().route(req, 0).clientStatus(), 200);
}

void PoliciesTest::backendProtocol_data() {
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<QString>("protocol");
    QTest::newRow("default") << "" << "http" << "HTTP";
    QTest::newRow("https, lower case") << "https" << "http" << "HTTPS";
    QTest::newRow("grpc") << "GRPC" << "http" << "GRPC";
    QTest::newRow("auto_http follows the client (https)") << "AUTO_HTTP" << "https" << "HTTPS";
    QTest::newRow("auto_http follows the client (http)") << "AUTO_HTTP" << "http" << "HTTP";
    QTest::newRow("unknown -> HTTP") << "SMTP" << "http" << "HTTP";
}

void PoliciesTest::backendProtocol() {
    QFETCH(QString, value);
    QFETCH(QString, scheme);
    QFETCH(QString, protocol);
    const std::string ann = value.isEmpty() ? "    a: b\n" : "    nginx.ingress.kubernetes.io/backend-protocol: " + value.toStdString() + "\n";
    auto c = compileYaml(annotated(ann));
    QCOMPARE(QString::fromStdString(c.table().route(get("pol.example", "/app", scheme.toStdString()), 0).backendProtocol), protocol);
}

void PoliciesTest::defaultBackendAnnotationFallback() {
    auto c = compileYaml(annotated("    nginx.ingress.kubernetes.io/default-backend: fallback\n"), claimAll(), {"web"});
    const auto d = c.table().route(get("pol.example", "/app"), 0, true);
    QCOMPARE(d.action, routing::Decision::Action::Proxy);
    QCOMPARE(d.backend->service, std::string("web"));
    QVERIFY(d.endpoints->empty());
    QVERIFY(d.fallbackBackend.has_value());
    QCOMPARE(d.fallbackBackend->service, std::string("fallback"));
    QCOMPARE(d.fallbackEndpoints->size(), std::size_t(1));
    QCOMPARE(upstreamHeader(d, "X-Code").value_or(""), std::string("503"));
    QCOMPARE(upstreamHeader(d, "X-Service-Name").value_or(""), std::string("web"));
    QCOMPARE(upstreamHeader(d, "X-Ingress-Name").value_or(""), std::string("pol"));
    // Without the annotation: 503.
    auto plain = compileYaml(annotated("    a: b\n"), claimAll(), {"web"});
    QCOMPARE(plain.table().route(get("pol.example", "/app"), 0).clientStatus(), 503);
}

void PoliciesTest::upstreamHeaders() {
    auto c = compileYaml(annotated("    nginx.ingress.kubernetes.io/upstream-vhost: internal.svc\n"));
    auto req = get("pol.example:8080", "/app?q=1");
    req.clientIp = "192.0.2.7";
    req.headers.emplace_back("X-Forwarded-For", "1.1.1.1");
    req.headers.emplace_back("Proxy", "http://evil");
    const auto d = c.table().route(req, 0);
    QCOMPARE(upstreamHeader(d, "Host").value_or(""), std::string("internal.svc"));
    QCOMPARE(upstreamHeader(d, "X-Real-IP").value_or(""), std::string("192.0.2.7"));
    QCOMPARE(upstreamHeader(d, "X-Forwarded-For").value_or(""), std::string("192.0.2.7"));  // replaced, not appended
    QCOMPARE(upstreamHeader(d, "X-Original-Forwarded-For").value_or(""), std::string("1.1.1.1"));
    QCOMPARE(upstreamHeader(d, "X-Forwarded-Host").value_or(""), std::string("pol.example:8080"));
    QCOMPARE(upstreamHeader(d, "X-Forwarded-Proto").value_or(""), std::string("http"));
    QCOMPARE(upstreamHeader(d, "X-Forwarded-Port").value_or(""), std::string("80"));
    QCOMPARE(d.upstreamHeadersRemoved, std::vector<std::string>{"Proxy"});
    QCOMPARE(d.upstreamPath, std::string("/app?q=1"));
    // ingress-nginx's default server-tokens "false": no Server header (nginx.tmpl more_clear_headers Server)
    for (const auto& [k, v] : d.responseHeaders) QVERIFY2(k != "Server", v.c_str());
    QVERIFY(c.table().serverHeader().empty());
}

void PoliciesTest::serverTokensTrueNamesNginxWithItsVersion() {
    const std::string cm = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ingress-nginx-controller}\n"
                           "data:\n  server-tokens: 'true'\n";
    auto c = compileYaml(annotated("    a: b\n") + cm);
    QCOMPARE(c.table().serverHeader(), std::string("nginx/1.27.1"));
    const auto d = c.table().route(get("pol.example", "/app"), 0);
    int servers = 0;
    for (const auto& [k, v] : d.responseHeaders)
        if (k == "Server") {
            ++servers;
            QCOMPARE(v, std::string("nginx/1.27.1"));
        }
    QCOMPARE(servers, 1);
}

void PoliciesTest::forwardedHeadersTrusted() {
    const std::string cm = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ingress-nginx-controller}\n"
                           "data:\n  use-forwarded-headers: 'true'\n  compute-full-forwarded-for: 'true'\n";
    auto c = compileYaml(annotated("    a: b\n") + cm);
    auto req = get("pol.example", "/app");
    req.clientIp = "10.0.0.9";
    req.headers.emplace_back("X-Forwarded-For", "1.2.3.4, 5.6.7.8");
    req.headers.emplace_back("X-Forwarded-Proto", "https");
    const auto d = c.table().route(req, 0);
    QCOMPARE(upstreamHeader(d, "X-Real-IP").value_or(""), std::string("1.2.3.4"));
    QCOMPARE(upstreamHeader(d, "X-Forwarded-For").value_or(""), std::string("1.2.3.4, 5.6.7.8, 10.0.0.9"));
    QCOMPARE(upstreamHeader(d, "X-Forwarded-Proto").value_or(""), std::string("https"));
}

void PoliciesTest::requestIdFromRandomValue() {
    auto c = compileYaml(annotated("    a: b\n"));
    const auto a = upstreamHeader(c.table().route(get("pol.example", "/app"), 1), "X-Request-ID").value_or("");
    const auto b = upstreamHeader(c.table().route(get("pol.example", "/app"), 1), "X-Request-ID").value_or("");
    const auto other = upstreamHeader(c.table().route(get("pol.example", "/app"), 2), "X-Request-ID").value_or("");
    QCOMPARE(a.size(), std::size_t(32));
    QCOMPARE(a, b);
    QVERIFY(a != other);
    auto req = get("pol.example", "/app");
    req.headers.emplace_back("X-Request-ID", "client-id");
    QCOMPARE(upstreamHeader(c.table().route(req, 1), "X-Request-ID").value_or(""), std::string("client-id"));
}

void PoliciesTest::annotationsOfOtherIngressDoNotLeak() {
    // Two Ingresses on one host: CORS of one applies only to its own paths.
    const std::string yaml = annotated("    nginx.ingress.kubernetes.io/enable-cors: 'true'\n") +
                             "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: other}\nspec:\n  rules:\n  - host: pol.example\n"
                             "    http:\n      paths:\n      - {path: /other, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n";
    auto c = compileYaml(yaml);
    auto withCors = get("pol.example", "/app");
    withCors.headers.emplace_back("Origin", "https://x.example");
    auto without = get("pol.example", "/other");
    without.headers.emplace_back("Origin", "https://x.example");
    auto has = [](const routing::Decision& d) {
        for (const auto& [k, v] : d.responseHeaders)
            if (k == "Access-Control-Allow-Origin") return true;
        return false;
    };
    QVERIFY(has(c.table().route(withCors, 0)));
    QVERIFY(!has(c.table().route(without, 0)));
}

QTEST_GUILESS_MAIN(PoliciesTest)
#include "policies_test.moc"
