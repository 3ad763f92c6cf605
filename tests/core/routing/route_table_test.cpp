// RouteTable unit tests: host and path matching in both profiles, every tie-break, default backends,
// Service resolution, canary and service-weights decisions, ingress class selection, traces.
// (YAML in raw strings uses single quotes only: moc mis-parses raw strings with an odd number of double quotes.)

#include <QTest>

#include "routing_fixture.h"

using namespace ilab;
using namespace ilab::testing;
using routing::Profile;

namespace {

const std::string HOSTS = R"(
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: hosts}
spec:
  rules:
  - host: foo.bar.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: exact, port: {number: 80}}}}
  - host: '*.bar.com'
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: wild, port: {number: 80}}}}
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: hostless, port: {number: 80}}}}
)" + services({"exact", "wild", "hostless"});

const std::string PATHS = R"(
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: paths}
spec:
  rules:
  - host: p.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: root, port: {number: 80}}}}
      - {path: /aaa, pathType: Prefix, backend: {service: {name: aaa, port: {number: 80}}}}
      - {path: /aaa/bbb, pathType: Prefix, backend: {service: {name: bbb, port: {number: 80}}}}
      - {path: /exact, pathType: Exact, backend: {service: {name: exact, port: {number: 80}}}}
      - {path: /exact, pathType: Prefix, backend: {service: {name: exactprefix, port: {number: 80}}}}
      - {path: /slash/, pathType: Prefix, backend: {service: {name: slash, port: {number: 80}}}}
      - {path: /is, pathType: ImplementationSpecific, backend: {service: {name: is, port: {number: 80}}}}
)" + services({"root", "aaa", "bbb", "exact", "exactprefix", "slash", "is"});

std::string ingress(const std::string& name, const std::string& host, const std::string& path, const std::string& svc,
                    const std::string& extraMeta = "", const std::string& type = "Prefix") {
    return "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + name + "\n" + extraMeta +
           "spec:\n  rules:\n  - host: " + host + "\n    http:\n      paths:\n      - path: " + path + "\n        pathType: " + type +
           "\n        backend:\n          service:\n            name: " + svc + "\n            port:\n              number: 80\n";
}

}  // namespace

class RouteTableTest : public QObject {
    Q_OBJECT
private slots:
    void hosts_data();
    void hosts();
    void invalidHostIs400();
    void paths_data();
    void paths();
    void oldestIngressWins_data();
    void oldestIngressWins();
    void documentOrderWithoutTimestamps();
    void regexModeIsHostWide();
    void regexOrderLongestFirst();
    void defaultBackendPerProfile_data();
    void defaultBackendPerProfile();
    void controllerDefaultBackendFlag();
    void resourceBackendSkipped();
    void serviceResolution_data();
    void serviceResolution();
    void canaryDecisions_data();
    void canaryDecisions();
    void canaryWithoutMainNeverRoutes();
    void canaryAnnotationsWithoutCanaryDisableIngress();
    void serviceWeightsSplit();
    void serviceWeightsInvalidSumDisables();
    void ingressClass_data();
    void ingressClass();
    void tlsSectionMakesEveryHostOfTheIngressTls();
    void traceExplainsDecision();
    void otherProfileDiffers();
    void contentHashStable();
};

void RouteTableTest::hosts_data() {
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("backend");
    QTest::newRow("exact") << "foo.bar.com" << "exact:80";
    QTest::newRow("exact beats wildcard") << "foo.bar.com" << "exact:80";
    QTest::newRow("wildcard one label") << "baz.bar.com" << "wild:80";
    QTest::newRow("wildcard label with underscore") << "a_b.bar.com" << "wild:80";
    QTest::newRow("wildcard needs one label: two labels") << "x.baz.bar.com" << "hostless:80";
    QTest::newRow("wildcard needs one label: none") << "bar.com" << "hostless:80";
    QTest::newRow("case-insensitive") << "FOO.Bar.COM" << "exact:80";
    QTest::newRow("port ignored") << "foo.bar.com:8080" << "exact:80";
    QTest::newRow("one trailing dot") << "foo.bar.com." << "exact:80";
    QTest::newRow("unknown host -> hostless rule") << "other.example" << "hostless:80";
    QTest::newRow("IP literal -> hostless rule") << "192.0.2.1" << "hostless:80";
}

void RouteTableTest::hosts() {
    QFETCH(QString, host);
    QFETCH(QString, backend);
    for (Profile p : {Profile::IngressNginx, Profile::Kubernetes}) {
        auto c = compileYaml(HOSTS, claimAll(p));
        const auto d = c.table().route(get(host.toStdString(), "/x"), 0, true);
        QCOMPARE(QString::fromStdString(backendOf(d)), backend);
    }
}

void RouteTableTest::invalidHostIs400() {
    auto c = compileYaml(HOSTS);
    QCOMPARE(c.table().route(get("foo..bar.com", "/"), 0).clientStatus(), 400);
}

void RouteTableTest::paths_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("nginx");       // backend or status under ingress-nginx
    QTest::addColumn<QString>("kubernetes");  // under the kubernetes profile
    QTest::newRow("root") << "/" << "root:80" << "root:80";
    QTest::newRow("prefix by element") << "/aaa/ccc" << "aaa:80" << "aaa:80";
    QTest::newRow("not a string prefix") << "/aaabbb" << "root:80" << "root:80";
    QTest::newRow("longest prefix wins") << "/aaa/bbb/c" << "bbb:80" << "bbb:80";
    QTest::newRow("prefix trailing slash in request") << "/aaa/" << "aaa:80" << "aaa:80";
    QTest::newRow("exact beats prefix of the same path") << "/exact" << "exact:80" << "exact:80";
    QTest::newRow("prefix of the same path below it") << "/exact/x" << "exactprefix:80" << "exactprefix:80";
    QTest::newRow("case-sensitive") << "/AAA" << "root:80" << "root:80";
    QTest::newRow("trailing-slash rule, request without (nginx 301)") << "/slash" << "301" << "slash:80";
    QTest::newRow("trailing-slash rule, request with") << "/slash/x" << "slash:80" << "slash:80";
    QTest::newRow("ImplementationSpecific = Prefix") << "/is/more" << "is:80" << "is:80";
    QTest::newRow("query is not matched") << "/aaa?x=/bbb" << "aaa:80" << "aaa:80";
    QTest::newRow("dot segments normalised") << "/x/../aaa/bbb" << "bbb:80" << "bbb:80";
    QTest::newRow("percent-decoding") << "/%61aa" << "aaa:80" << "aaa:80";
    QTest::newRow("merged slashes") << "//aaa//bbb" << "bbb:80" << "bbb:80";
}

void RouteTableTest::paths() {
    QFETCH(QString, path);
    QFETCH(QString, nginx);
    QFETCH(QString, kubernetes);
    const std::pair<Profile, QString> cases[] = {{Profile::IngressNginx, nginx}, {Profile::Kubernetes, kubernetes}};
    for (const auto& [p, want] : cases) {
        auto c = compileYaml(PATHS, claimAll(p));
        const auto d = c.table().route(get("p.example", path.toStdString()), 0, true);
        const QString got = d.contactsBackend() ? QString::fromStdString(backendOf(d)) : QString::number(d.clientStatus());
        QVERIFY2(got == want, qPrintable(QString::fromLatin1(routing::toString(p)) + ": got " + got + ", want " + want));
    }
    auto c = compileYaml(PATHS);
    const auto d = c.table().route(get("p.example:8080", "/slash?q=1"), 0);
    QCOMPARE(d.location, std::string("http://p.example/slash/?q=1"));
}

void RouteTableTest::oldestIngressWins_data() {
    QTest::addColumn<QString>("tsA");
    QTest::addColumn<QString>("tsB");
    QTest::addColumn<QString>("nginx");
    QTest::addColumn<QString>("kubernetes");
    // a (svc-a) and b (svc-b) both define dup.example /api Prefix.
    QTest::newRow("a older") << "2026-01-01T00:00:00Z" << "2026-01-02T00:00:00Z" << "svc-a:80" << "svc-a:80";
    QTest::newRow("b older") << "2026-01-02T00:00:00Z" << "2026-01-01T00:00:00Z" << "svc-b:80" << "svc-b:80";
    // Equal creation times: ingress-nginx sortIngressSlice puts the name that sorts last first (default/b);
    // the kubernetes profile follows Gateway API (alphabetically first: default/a).
    QTest::newRow("tie") << "2026-01-01T00:00:00Z" << "2026-01-01T00:00:00Z" << "svc-b:80" << "svc-a:80";
}

void RouteTableTest::oldestIngressWins() {
    QFETCH(QString, tsA);
    QFETCH(QString, tsB);
    QFETCH(QString, nginx);
    QFETCH(QString, kubernetes);
    const std::string yaml = ingress("a", "dup.example", "/api", "svc-a", "  creationTimestamp: '" + tsA.toStdString() + "'\n") +
                             ingress("b", "dup.example", "/api", "svc-b", "  creationTimestamp: '" + tsB.toStdString() + "'\n") +
                             services({"svc-a", "svc-b"});
    auto n = compileYaml(yaml, claimAll(Profile::IngressNginx));
    QCOMPARE(QString::fromStdString(backendOf(n.table().route(get("dup.example", "/api"), 0))), nginx);
    auto k = compileYaml(yaml, claimAll(Profile::Kubernetes));
    QCOMPARE(QString::fromStdString(backendOf(k.table().route(get("dup.example", "/api"), 0))), kubernetes);
    bool conflict = false;
    for (const auto& diag : n.result.diagnostics) conflict = conflict || diag.rule == "path-conflict";
    QVERIFY(conflict);
}

void RouteTableTest::documentOrderWithoutTimestamps() {
    const std::string yaml = ingress("zzz", "dup.example", "/api", "svc-a") + ingress("aaa", "dup.example", "/api", "svc-b") +
                             services({"svc-a", "svc-b"});
    auto c = compileYaml(yaml);
    const auto d = c.table().route(get("dup.example", "/api/x"), 0, true);
    QCOMPARE(backendOf(d), std::string("svc-a:80"));
    QVERIFY(traceContains(d, "not used: default/aaa"));
}

void RouteTableTest::regexModeIsHostWide() {
    const std::string yaml = ingress("plain", "r.example", "/api", "api", "  creationTimestamp: '2026-01-01T00:00:00Z'\n") +
                             ingress("re", "r.example", "/re/[0-9]+", "re",
                                     "  creationTimestamp: '2026-01-01T00:00:10Z'\n  annotations:\n    nginx.ingress.kubernetes.io/use-regex: 'true'\n",
                                     "ImplementationSpecific") +
                             services({"api", "re"});
    auto c = compileYaml(yaml);
    // In regex mode every path of the host is a case-insensitive, start-anchored regex.
    QCOMPARE(backendOf(c.table().route(get("r.example", "/apifoo"), 0)), std::string("api:80"));
    QCOMPARE(backendOf(c.table().route(get("r.example", "/API"), 0)), std::string("api:80"));
    QCOMPARE(backendOf(c.table().route(get("r.example", "/re/12"), 0)), std::string("re:80"));
    QCOMPARE(c.table().route(get("r.example", "/re/x"), 0).clientStatus(), 404);
    // The kubernetes profile has no regex mode.
    auto k = compileYaml(yaml, claimAll(Profile::Kubernetes));
    QCOMPARE(k.table().route(get("r.example", "/apifoo"), 0).clientStatus(), 404);
    // Another host is not affected.
    auto other = compileYaml(yaml + ingress("o", "o.example", "/api", "api"));
    QCOMPARE(other.table().route(get("o.example", "/apifoo"), 0).clientStatus(), 404);
}

void RouteTableTest::regexOrderLongestFirst() {
    // Length descending, ties by path string descending: /b.. (3) and /a.. (3) tie -> "/b.." first.
    const std::string meta = "  annotations:\n    nginx.ingress.kubernetes.io/use-regex: 'true'\n";
    const std::string yaml = ingress("one", "o.example", "/a..", "first", meta, "ImplementationSpecific") +
                             ingress("two", "o.example", "/b..", "second", meta, "ImplementationSpecific") +
                             ingress("three", "o.example", "/.", "short", meta, "ImplementationSpecific") +
                             services({"first", "second", "short"});
    auto c = compileYaml(yaml);
    QCOMPARE(backendOf(c.table().route(get("o.example", "/abc"), 0)), std::string("first:80"));
    QCOMPARE(backendOf(c.table().route(get("o.example", "/bbb"), 0)), std::string("second:80"));
    QCOMPARE(backendOf(c.table().route(get("o.example", "/zz"), 0)), std::string("short:80"));
}

void RouteTableTest::defaultBackendPerProfile_data() {
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("nginx");
    QTest::addColumn<QString>("kubernetes");
    QTest::newRow("matched path") << "app.example" << "/api" << "api:80" << "api:80";
    QTest::newRow("unmatched path of the Ingress's host") << "app.example" << "/other" << "fallback:80" << "fallback:80";
    QTest::newRow("unmatched host: nginx 404, spec catches it") << "nope.example" << "/" << "404" << "fallback:80";
}

void RouteTableTest::defaultBackendPerProfile() {
    QFETCH(QString, host);
    QFETCH(QString, path);
    QFETCH(QString, nginx);
    QFETCH(QString, kubernetes);
    const std::string yaml = R"(
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: app}
spec:
  defaultBackend: {service: {name: fallback, port: {number: 80}}}
  rules:
  - host: app.example
    http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
)" + services({"api", "fallback"});
    const std::pair<Profile, QString> cases[] = {{Profile::IngressNginx, nginx}, {Profile::Kubernetes, kubernetes}};
    for (const auto& [p, want] : cases) {
        auto c = compileYaml(yaml, claimAll(p));
        const auto d = c.table().route(get(host.toStdString(), path.toStdString()), 0);
        const QString got = d.contactsBackend() ? QString::fromStdString(backendOf(d)) : QString::number(d.clientStatus());
        QVERIFY2(got == want, qPrintable(QString::fromLatin1(routing::toString(p)) + ": got " + got));
    }
}

void RouteTableTest::controllerDefaultBackendFlag() {
    const std::string yaml = ingress("a", "a.example", "/", "svc-a") + services({"svc-a"}) +
                             "---\napiVersion: v1\nkind: Service\nmetadata: {name: dflt, namespace: ingress-nginx}\nspec:\n  ports:\n  - port: 8080\n";
    auto s = claimAll();
    std::string err;
    QVERIFY(s.applyControllerArg("--default-backend-service=ingress-nginx/dflt", &err));
    QVERIFY(!s.applyControllerArg("--no-such-flag=1", &err));
    QVERIFY(!err.empty());
    auto c = compileYaml(yaml, s);
    const auto d = c.table().route(get("unknown.example", "/"), 0);
    QCOMPARE(backendOf(d), std::string("dflt:8080"));
    QCOMPARE(d.backend->ns, std::string("ingress-nginx"));
}

void RouteTableTest::resourceBackendSkipped() {
    const std::string yaml = R"(
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: res}
spec:
  rules:
  - host: r.example
    http:
      paths:
      - path: /static
        pathType: Prefix
        backend: {resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: static-assets}}
)";
    auto c = compileYaml(yaml);
    QCOMPARE(c.table().route(get("r.example", "/static/x"), 0).clientStatus(), 404);
    bool reported = false;
    for (const auto& d : c.result.diagnostics) reported = reported || d.rule == "resource-backend-skipped";
    QVERIFY(reported);
}

void RouteTableTest::serviceResolution_data() {
    QTest::addColumn<QString>("port");       // as written in the Ingress backend
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("servicePort");
    QTest::newRow("number") << "number: 80" << 200 << 80;
    QTest::newRow("name") << "name: http" << 200 << 80;
    QTest::newRow("targetPort number (ingress-nginx quirk)") << "number: 8080" << 200 << 80;
    QTest::newRow("unknown port -> 503") << "number: 81" << 503 << 0;
}

void RouteTableTest::serviceResolution() {
    QFETCH(QString, port);
    QFETCH(int, status);
    QFETCH(int, servicePort);
    const std::string yaml = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: s}\nspec:\n  rules:\n  - host: s.example\n"
                             "    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {" +
                             port.toStdString() + "}}}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports:\n"
                             "  - {name: http, port: 80, targetPort: 8080}\n";
    auto c = compileYaml(yaml);
    const auto d = c.table().route(get("s.example", "/"), 0, true);
    QCOMPARE(d.clientStatus(), status);
    if (servicePort) QCOMPARE(d.backend->servicePort, servicePort);
    // Missing Service and no endpoints both answer 503.
    auto missing = compileYaml(ingress("m", "m.example", "/", "ghost"));
    QCOMPARE(missing.table().route(get("m.example", "/"), 0).clientStatus(), 503);
    auto empty = compileYaml(ingress("e", "e.example", "/", "idle") + services({"idle"}), claimAll(), {"idle"});
    const auto ed = empty.table().route(get("e.example", "/"), 0, true);
    QCOMPARE(ed.clientStatus(), 503);
    QVERIFY(traceContains(ed, "no ready endpoints"));
}

void RouteTableTest::canaryDecisions_data() {
    QTest::addColumn<QString>("annotations");  // extra canary annotations (YAML lines)
    QTest::addColumn<QString>("header");       // X-Canary value, "" = absent
    QTest::addColumn<QString>("cookie");       // canary cookie value, "" = absent
    QTest::addColumn<int>("random");
    QTest::addColumn<QString>("backend");
    const QString byHeader = "    nginx.ingress.kubernetes.io/canary-by-header: X-Canary\n";
    const QString byCookie = "    nginx.ingress.kubernetes.io/canary-by-cookie: beta\n";
    const QString weight30 = "    nginx.ingress.kubernetes.io/canary-weight: '30'\n";
    QTest::newRow("header always") << byHeader << "always" << "" << 99 << "canary:80";
    QTest::newRow("header never beats weight 100") << byHeader + "    nginx.ingress.kubernetes.io/canary-weight: '100'\n" << "never" << "" << 0 << "main:80";
    QTest::newRow("header other value falls to weight") << byHeader + weight30 << "maybe" << "" << 10 << "canary:80";
    QTest::newRow("header value match") << byHeader + "    nginx.ingress.kubernetes.io/canary-by-header-value: yes\n" << "yes" << "" << 99 << "canary:80";
    QTest::newRow("header value: always not special") << byHeader + "    nginx.ingress.kubernetes.io/canary-by-header-value: yes\n" << "always" << "" << 99 << "main:80";
    QTest::newRow("header pattern") << byHeader + "    nginx.ingress.kubernetes.io/canary-by-header-pattern: '^v[0-9]+$'\n" << "v2" << "" << 99 << "canary:80";
    QTest::newRow("header beats cookie") << byHeader + byCookie << "never" << "always" << 0 << "main:80";
    QTest::newRow("cookie always") << byCookie << "" << "always" << 99 << "canary:80";
    QTest::newRow("cookie never beats weight") << byCookie + "    nginx.ingress.kubernetes.io/canary-weight: '100'\n" << "" << "never" << 0 << "main:80";
    // weight: canary iff (random % 100) + 1 <= weight
    QTest::newRow("weight draw 30 <= 30") << weight30 << "" << "" << 29 << "canary:80";
    QTest::newRow("weight draw 31 > 30") << weight30 << "" << "" << 30 << "main:80";
    QTest::newRow("weight 0 never") << "" << "" << "" << 0 << "main:80";
    QTest::newRow("weight-total 200") << "    nginx.ingress.kubernetes.io/canary-weight: '100'\n    nginx.ingress.kubernetes.io/canary-weight-total: '200'\n"
                                      << "" << "" << 150 << "main:80";
    QTest::newRow("weight-total below 100 ignored") << "    nginx.ingress.kubernetes.io/canary-weight: '5'\n    nginx.ingress.kubernetes.io/canary-weight-total: '10'\n"
                                                     << "" << "" << 7 << "main:80";
}

void RouteTableTest::canaryDecisions() {
    QFETCH(QString, annotations);
    QFETCH(QString, header);
    QFETCH(QString, cookie);
    QFETCH(int, random);
    QFETCH(QString, backend);
    const std::string yaml = ingress("main", "c.example", "/", "main") +
                             ingress("canary", "c.example", "/", "canary",
                                     "  annotations:\n    nginx.ingress.kubernetes.io/canary: 'true'\n" + annotations.toStdString()) +
                             services({"main", "canary"});
    auto c = compileYaml(yaml);
    auto req = get("c.example", "/");
    if (!header.isEmpty()) req.headers.emplace_back("x-canary", header.toStdString());  // header names are case-insensitive
    if (!cookie.isEmpty()) req.headers.emplace_back("Cookie", "a=b; beta=" + cookie.toStdString());
    const auto d = c.table().route(req, static_cast<std::uint64_t>(random), true);
    QCOMPARE(QString::fromStdString(backendOf(d)), backend);
    QVERIFY(traceContains(d, "canary default/canary"));
    QCOMPARE(d.ingress, std::string("default/main"));
    // The kubernetes profile knows no canary: the older Ingress serves.
    auto k = compileYaml(yaml, claimAll(Profile::Kubernetes));
    QCOMPARE(backendOf(k.table().route(req, static_cast<std::uint64_t>(random))), std::string("main:80"));
}

void RouteTableTest::canaryWithoutMainNeverRoutes() {
    const std::string yaml = ingress("canary", "c.example", "/", "canary",
                                     "  annotations:\n    nginx.ingress.kubernetes.io/canary: 'true'\n    nginx.ingress.kubernetes.io/canary-weight: '100'\n") +
                             services({"canary"});
    auto c = compileYaml(yaml);
    QCOMPARE(c.table().route(get("c.example", "/"), 0).clientStatus(), 404);
    bool warned = false;
    for (const auto& s : c.result.status) warned = warned || (s.ingress == "default/canary" && s.state == routing::IngressStatus::State::Warning);
    QVERIFY(warned);
}

void RouteTableTest::canaryAnnotationsWithoutCanaryDisableIngress() {
    const std::string yaml = ingress("bad", "b.example", "/", "svc", "  annotations:\n    nginx.ingress.kubernetes.io/canary-weight: '10'\n") +
                             services({"svc"});
    auto c = compileYaml(yaml);
    QCOMPARE(c.table().route(get("b.example", "/"), 0).clientStatus(), 404);
    bool disabled = false;
    for (const auto& s : c.result.status) disabled = disabled || (s.ingress == "default/bad" && s.state == routing::IngressStatus::State::Disabled);
    QVERIFY(disabled);
    bool diag = false;
    for (const auto& d : c.result.diagnostics)
        diag = diag || (d.rule == "canary-not-enabled" && d.field == "metadata.annotations[nginx.ingress.kubernetes.io/canary-weight]" &&
                        d.pos && d.pos->line > 0);
    QVERIFY(diag);
}

void RouteTableTest::serviceWeightsSplit() {
    const std::string yaml = R"(
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: split
  annotations:
    nginx.ingress.kubernetes.io/service-weights: |
      app-v1: 75%
spec:
  rules:
  - host: w.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: app-v1, port: {number: 80}}}}
      - {path: /, pathType: Prefix, backend: {service: {name: app-v2, port: {number: 80}}}}
)" + services({"app-v1", "app-v2"});
    for (Profile p : {Profile::IngressNginx, Profile::Kubernetes}) {
        auto c = compileYaml(yaml, claimAll(p));
        int v1 = 0, v2 = 0;
        for (std::uint64_t r = 0; r < 4000; ++r) {
            const auto b = backendOf(c.table().route(get("w.example", "/"), r * 2654435761ULL));
            if (b == "app-v1:80") ++v1;
            else if (b == "app-v2:80") ++v2;
        }
        QCOMPARE(v1 + v2, 4000);
        QVERIFY2(v1 > 2850 && v1 < 3150, qPrintable(QString::number(v1)));  // 75% of 4000 = 3000 (sd ~27)
        // Same random value, same answer.
        QCOMPARE(backendOf(c.table().route(get("w.example", "/"), 12345)), backendOf(c.table().route(get("w.example", "/"), 12345)));
        bool lint = false;
        for (const auto& d : c.result.diagnostics) lint = lint || d.rule == "service-weights-not-ingress-nginx";
        QVERIFY(lint);
    }
}

void RouteTableTest::serviceWeightsInvalidSumDisables() {
    const std::string yaml = R"(
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: split
  annotations:
    nginx.ingress.kubernetes.io/service-weights: |
      app-v1: 60%
      app-v2: 30%
spec:
  rules:
  - host: w.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: app-v1, port: {number: 80}}}}
      - {path: /, pathType: Prefix, backend: {service: {name: app-v2, port: {number: 80}}}}
)" + services({"app-v1", "app-v2"});
    auto c = compileYaml(yaml);
    QCOMPARE(c.table().route(get("w.example", "/"), 0).clientStatus(), 404);
    bool err = false;
    for (const auto& d : c.result.diagnostics) err = err || (d.rule == "service-weights-invalid" && d.severity == Severity::Error);
    QVERIFY(err);
}

void RouteTableTest::ingressClass_data() {
    QTest::addColumn<QString>("meta");  // extra metadata / spec lines
    QTest::addColumn<QString>("extraObjects");
    QTest::addColumn<QString>("arg");
    QTest::addColumn<bool>("claimed");
    const QString nginxClass = "---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\nspec: {controller: k8s.io/ingress-nginx}\n";
    const QString defaultClass = "---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: nginx\n  annotations:\n"
                                 "    ingressclass.kubernetes.io/is-default-class: 'true'\nspec: {controller: k8s.io/ingress-nginx}\n";
    QTest::newRow("ingressClassName nginx") << "CLASS nginx" << nginxClass << "" << true;
    QTest::newRow("ingressClassName other") << "CLASS other" << nginxClass << "" << false;
    QTest::newRow("class of another controller") << "CLASS nginx"
                                                 << "---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\nspec: {controller: example.com/other}\n"
                                                 << "" << false;
    QTest::newRow("legacy annotation") << "ANNOT nginx" << "" << "" << true;
    QTest::newRow("legacy annotation other") << "ANNOT traefik" << "" << "" << false;
    QTest::newRow("no class") << "" << "" << "" << false;
    QTest::newRow("no class, default IngressClass") << "" << defaultClass << "" << true;
    QTest::newRow("no class, --watch-ingress-without-class") << "" << "" << "--watch-ingress-without-class=true" << true;
}

void RouteTableTest::ingressClass() {
    QFETCH(QString, meta);
    QFETCH(QString, extraObjects);
    QFETCH(QString, arg);
    QFETCH(bool, claimed);
    std::string extra;
    std::string yaml = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n";
    if (meta.startsWith("ANNOT")) yaml += "  annotations:\n    kubernetes.io/ingress.class: " + meta.mid(6).toStdString() + "\n";
    yaml += "spec:\n";
    if (meta.startsWith("CLASS")) yaml += "  ingressClassName: " + meta.mid(6).toStdString() + "\n";
    yaml += "  rules:\n  - host: c.example\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n";
    yaml += services({"web"}) + extraObjects.toStdString();
    routing::ControllerSettings s;
    if (!arg.isEmpty()) {
        std::string err;
        QVERIFY(s.applyControllerArg(arg.toStdString(), &err));
    }
    auto c = compileYaml(yaml, s);
    const auto d = c.table().route(get("c.example", "/"), 0, true);
    QCOMPARE(d.contactsBackend(), claimed);
    if (!claimed) {
        QVERIFY(traceContains(d, "ignored Ingress default/web"));
        QCOMPARE(int(c.result.status.at(0).state), int(routing::IngressStatus::State::Ignored));
    }
}

// controller.go createServers: a host of an Ingress with a TLS section gets a certificate (the default one when no
// tls entry lists it) and therefore the HTTPS redirect, even though only another host is listed.
void RouteTableTest::tlsSectionMakesEveryHostOfTheIngressTls() {
    const std::string yaml = R"(
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: two}
spec:
  tls:
  - hosts: [secure.example]
  rules:
  - host: secure.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
  - host: plain.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: other}
spec:
  rules:
  - host: other.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
)" + services({"web"});
    auto c = compileYaml(yaml);
    const auto d = c.table().route(get("plain.example", "/a/"), 0, true);
    QCOMPARE(d.clientStatus(), 308);
    QCOMPARE(d.location, std::string("https://plain.example/a"));
    QVERIFY(traceContains(d, "not listed in default/two spec.tls"));
    QCOMPARE(c.table().route(get("other.example", "/"), 0).clientStatus(), 200);
    QCOMPARE(c.table().certificateFor("plain.example").certificate, std::string("default"));
    // ssl-redirect: 'false' on the Ingress turns it off; the kubernetes profile never redirects.
    auto k = compileYaml(yaml, claimAll(Profile::Kubernetes));
    QCOMPARE(k.table().route(get("plain.example", "/a/"), 0).clientStatus(), 200);
}

void RouteTableTest::traceExplainsDecision() {
    auto c = compileYaml(PATHS);
    const auto d = c.table().route(get("p.example", "/aaa/bbb/c"), 0, true);
    QVERIFY(traceContains(d, "host: p.example -> server p.example (exact)"));
    QVERIFY(traceContains(d, "/aaa/bbb/ is the longest matching prefix"));
    QVERIFY(traceContains(d, "also matched but shorter: /aaa/"));
    QVERIFY(traceContains(d, "location: Prefix /aaa/bbb from default/paths spec.rules[0].http.paths[2]"));
    QVERIFY(traceContains(d, "=> proxy to default/bbb:80"));
    // No trace unless asked for.
    QVERIFY(c.table().route(get("p.example", "/aaa/bbb/c"), 0, false).trace.empty());
}

void RouteTableTest::otherProfileDiffers() {
    auto c = compileYaml(PATHS);
    const auto d = c.table().route(get("p.example", "/slash"), 0, true);
    QCOMPARE(d.clientStatus(), 301);
    QVERIFY2(d.otherProfileDiffers.find("kubernetes profile: 200 -> default/slash:80") != std::string::npos, d.otherProfileDiffers.c_str());
    QVERIFY(c.table().route(get("p.example", "/aaa"), 0, true).otherProfileDiffers.empty());
}

void RouteTableTest::contentHashStable() {
    auto a = compileYaml(PATHS);
    auto b = compileYaml(PATHS);
    QCOMPARE(a.table().contentHash(), b.table().contentHash());
    auto changed = compileYaml(PATHS + ingress("x", "x.example", "/", "root"));
    QVERIFY(a.table().contentHash() != changed.table().contentHash());
}

QTEST_GUILESS_MAIN(RouteTableTest)
#include "route_table_test.moc"
