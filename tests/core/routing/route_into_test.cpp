// RouteTable::routeInto reuses one Decision across requests (the proxy's hot path): Decision::clear() must give
// back a default Decision, and routing into a used Decision must give exactly what a fresh route() gives, for
// every kind of answer (proxy with policies, redirect, CORS preflight, 404, canary, fallback headers).
#include <QTest>

#include "routing_fixture.h"

using namespace ilab;
using routing::Decision;
using routing::RequestView;

namespace {

const char* WORKSPACE = R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-canary}
spec: {ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    nginx.ingress.kubernetes.io/limit-rps: "5"
    nginx.ingress.kubernetes.io/affinity: cookie
    nginx.ingress.kubernetes.io/enable-cors: "true"
    nginx.ingress.kubernetes.io/upstream-hash-by: "$request_uri"
    nginx.ingress.kubernetes.io/whitelist-source-range: "10.0.0.0/8"
spec:
  tls: [{hosts: [web.example.com], secretName: web-tls}]
  rules:
  - host: web.example.com
    http:
      paths:
      - {path: /app, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web-canary
  annotations:
    nginx.ingress.kubernetes.io/canary: "true"
    nginx.ingress.kubernetes.io/canary-weight: "30"
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - {path: /app, pathType: Prefix, backend: {service: {name: web-canary, port: {number: 80}}}}
)";

RequestView request(const std::string& method, const std::string& scheme, const std::string& host,
                    const std::string& target, std::vector<std::pair<std::string, std::string>> headers = {}) {
    RequestView r;
    r.method = method;
    r.scheme = scheme;
    r.host = host;
    r.target = target;
    r.headers = std::move(headers);
    r.clientIp = "10.1.2.3";
    if (scheme == "https") r.sni = host;
    r.listenPort = scheme == "https" ? 443 : 80;
    return r;
}

}  // namespace

class RouteIntoTest : public QObject {
    Q_OBJECT
private slots:
    void clearGivesADefaultDecision() {
        Decision d;
        d.action = Decision::Action::Redirect;
        d.status = 308;
        d.backend = routing::BackendRef{"ns", "svc", "80", 80, "ns-svc-80"};
        d.ingress = "ns/web";
        d.upstreamPath = "/x";
        d.location = "https://x/";
        d.responseHeaders = {{"A", "b"}};
        d.upstreamHeaders = {{"C", "d"}};
        d.upstreamHeadersRemoved = {"Proxy"};
        d.responseHeadersRemoved = {"X-Backend"};
        d.upstreamHost = "x";
        d.tlsCertificate = "ns/tls";
        d.canary = "canary";
        d.backendProtocol = "HTTPS";
        d.endpoints = std::make_shared<std::vector<routing::Endpoint>>();
        d.rateLimit = routing::RateLimitPolicy{};
        d.affinity = routing::AffinityPolicy{};
        d.upstreamHashBy = "$uri";
        d.maxBodyBytes = 1;
        d.timeouts.readMs = 1;
        d.accessDeniedStatus = 403;
        d.fallbackBackend = routing::BackendRef{};
        d.fallbackEndpoints = d.endpoints;
        d.trace = {"t"};
        d.otherProfileDiffers = "o";
        d.matchedPath = "/m";
        QVERIFY(!(d == Decision{}));
        d.clear();
        QVERIFY(d == Decision{});
    }

    void routeIntoAUsedDecisionEqualsAFreshRoute() {
        auto c = testing::compileYaml(WORKSPACE);
        const auto& t = c.table();
        const std::vector<RequestView> requests = {
            request("GET", "https", "web.example.com", "/app/x?q=1", {{"Cookie", "INGRESSCOOKIE=abc"}}),
            request("GET", "http", "web.example.com", "/app"),                                   // 308 to HTTPS
            request("OPTIONS", "https", "web.example.com", "/app", {{"Origin", "https://a.example"}}),  // preflight
            request("GET", "https", "web.example.com", "/nothing"),                              // 404
            request("GET", "https", "unknown.example.com", "/"),                                 // catch-all
            request("POST", "https", "web.example.com", "/app/upload", {{"X-Request-ID", "rid-1"}}),
        };
        Decision reused;
        for (int round = 0; round < 2; ++round) {
            for (std::size_t i = 0; i < requests.size(); ++i) {
                for (std::uint64_t rnd : {1ull, 0x9E3779B97F4A7C15ull, ~0ull}) {
                    t.routeInto(requests[i], rnd, round == 1, reused);
                    const Decision fresh = t.route(requests[i], rnd, round == 1);
                    QVERIFY2(reused == fresh, qPrintable(QStringLiteral("request %1, random %2").arg(i).arg(rnd)));
                }
            }
        }
    }
};

QTEST_GUILESS_MAIN(RouteIntoTest)
#include "route_into_test.moc"
