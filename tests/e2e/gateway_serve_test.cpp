// The gateway profile through the real CLI: `route --profile gateway --json` (the same JSON shape as for
// Ingresses) and `serve --profile gateway` answering real HTTP requests with curl: path precedence, a header
// match, a weighted split, a redirect, a rewrite, 404 for an unknown host and 500 for a missing Service.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include "e2e/serve_harness.h"

using namespace ilab::e2e;

namespace {

const char* ROUTES = R"(---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: lab
  listeners:
  - {name: http, port: 80, protocol: HTTP, hostname: app.example.com}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: app}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api}}]
    backendRefs: [{name: api, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /api}, headers: [{name: x-version, value: two}]}]
    backendRefs: [{name: web, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /old}}]
    filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}, statusCode: 301}}]
  - matches: [{path: {type: PathPrefix, value: /v1}}]
    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}]
    backendRefs: [{name: api, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /hdr-remove}}]
    filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {remove: [X-Header-Remove], set: [{name: X-Header-Set, value: gateway}]}}]
    backendRefs: [{name: hdr, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /hdr-keep}}]
    backendRefs: [{name: hdr, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /missing}}]
    backendRefs: [{name: nowhere, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: web, port: 80, weight: 3}, {name: api, port: 80, weight: 1}]
)";

QJsonObject echo(const CurlResult& r) { return QJsonDocument::fromJson(r.out).object(); }

}  // namespace

class GatewayServeTest : public QObject {
    Q_OBJECT
    Serve m_serve;

private slots:
    void initTestCase() {
        QByteArray ws = app("web", 1) + app("api", 1) +
                        app("hdr", 1, "echo:1.0",
                            "        ingress-lab.dev/header.X-Header-Remove: val\n        ingress-lab.dev/header.X-Header-Set: backend\n") +
                        ROUTES;
        m_serve.writeFile("ws.yaml", ws);
        QVERIFY(m_serve.start({"ws.yaml"}, {"--profile", "gateway"}));
    }

    void routeJsonHasTheIngressShape() {
        QProcess p;
        p.start(ilab::testing::cliPath(), {"route", m_serve.dir.filePath("ws.yaml"), "--url", "http://app.example.com/api/x",
                                           "-H", "x-version: two", "--profile", "gateway", "--json"});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        const QJsonObject o = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        for (const char* key : {"status", "backend", "ingress", "upstreamPath", "location", "responseHeaders", "upstreamHeaders", "trace", "profile"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        QCOMPARE(o["status"].toInt(), 200);
        QCOMPARE(o["backend"].toObject()["service"].toString(), QStringLiteral("web"));  // the header match outranks the plain prefix
        QCOMPARE(o["ingress"].toString(), QStringLiteral("default/app"));
        QCOMPARE(o["profile"].toString(), QStringLiteral("gateway"));
        QVERIFY(!o["trace"].toArray().isEmpty());
    }

    void servesGatewayRoutes() {
        QCOMPARE(echo(curl({"-H", "Host: app.example.com", m_serve.http("/api/users")}))["service"].toString(), QStringLiteral("api"));
        QCOMPARE(echo(curl({"-H", "Host: app.example.com", "-H", "x-version: two", m_serve.http("/api/users")}))["service"].toString(),
                 QStringLiteral("web"));
        const auto rewritten = echo(curl({"-H", "Host: app.example.com", m_serve.http("/v1/items?q=1")}));
        QCOMPARE(rewritten["path"].toString(), QStringLiteral("/items?q=1"));
        const CurlResult redirect = curl({"-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-H", "Host: app.example.com", m_serve.http("/old/page")});
        QCOMPARE(redirect.out, QByteArray("301 http://app.example.com/new/page"));
        QCOMPARE(m_serve.status("app.example.com", "/missing"), 500);
        QCOMPARE(m_serve.status("other.example.com", "/"), 404);  // no listener for that host
    }

    // ResponseHeaderModifier (gwc-resphdr-remove, gwc-resphdr-set): `remove` drops the backend's header, `set`
    // replaces its value; the same backend without the filter sends both as they are.
    void responseHeaderModifierRemovesAndSets() {
        const auto headers = [&](const QString& path) {
            return curl({"-D", "-", "-o", "/dev/null", "-H", "Host: app.example.com", m_serve.http(path)}).out.toLower();
        };
        const QByteArray keep = headers("/hdr-keep");
        QVERIFY2(keep.contains("x-header-remove: val"), keep.constData());
        QVERIFY2(keep.contains("x-header-set: backend"), keep.constData());
        const QByteArray mod = headers("/hdr-remove");
        QVERIFY2(mod.startsWith("http/1.1 200"), mod.constData());
        QVERIFY2(!mod.contains("x-header-remove"), mod.constData());
        QVERIFY2(mod.contains("x-header-set: gateway"), mod.constData());
        QVERIFY2(!mod.contains("x-header-set: backend"), mod.constData());
    }

    void weightedSplit() {
        int web = 0, api = 0;
        for (int i = 0; i < 200; ++i) {
            const QString s = echo(curl({"-H", "Host: app.example.com", m_serve.http("/")}))["service"].toString();
            if (s == QLatin1String("web")) ++web;
            else if (s == QLatin1String("api")) ++api;
        }
        QCOMPARE(web + api, 200);
        // weight 3:1 -> 150 expected for web; 4 binomial standard deviations (sqrt(200*0.75*0.25) ~ 6.1) either side.
        QVERIFY2(web > 150 - 25 && web < 150 + 25, qPrintable(QString::number(web)));
    }

    void cleanupTestCase() { QCOMPARE(m_serve.stop(), 0); }
};

QTEST_GUILESS_MAIN(GatewayServeTest)
#include "gateway_serve_test.moc"
