// The gateway profile's RequestMirror filter in the routing decision (../shared/gateway.md §4): the mirror backendRef
// resolves like a rule's backendRef (Service port, endpoints, ReferenceGrant), percent and fraction become the share
// of requests copied, a backendRef's own mirror applies only when that backend is chosen, and nothing is mirrored
// when the gateway answers itself. The proxy side (the copy really sent) is tests/core/proxy/mirror_test.cpp.

#include <QTest>

#include "core/gateway/gateway_router.h"
#include "core/routing/route_table.h"
#include "core/yaml/yaml_reader.h"

using namespace ilab;

namespace {

const char* OBJECTS = R"(
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: lab
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /all}}]
    filters:
    - {type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 8080}}}
    - {type: RequestMirror, requestMirror: {backendRef: {name: other, namespace: team, port: 9090}, percent: 25}}
    backendRefs: [{name: web, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /fraction}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 8080}, fraction: {numerator: 1, denominator: 3}}}]
    backendRefs: [{name: web, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /per-backend}}]
    backendRefs:
    - name: web
      port: 80
      weight: 1
      filters: [{type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 8080}}}]
    - {name: web2, port: 80, weight: 1}
  - matches: [{path: {type: PathPrefix, value: /no-endpoints}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 8080}}}]
    backendRefs: [{name: empty, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /redirect}}]
    filters:
    - {type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 8080}}}
    - {type: RequestRedirect, requestRedirect: {hostname: elsewhere.example}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bad}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /missing}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: nosuch, port: 8080}}}]
    backendRefs: [{name: web, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: nogrant}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /nogrant}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: locked, namespace: vault, port: 80}}}]
    backendRefs: [{name: web, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: g, namespace: team}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default}]
  to: [{group: '', kind: Service}]
---
{apiVersion: v1, kind: Service, metadata: {name: web}, spec: {ports: [{port: 80}]}}
---
{apiVersion: v1, kind: Service, metadata: {name: web2}, spec: {ports: [{port: 80}]}}
---
{apiVersion: v1, kind: Service, metadata: {name: empty}, spec: {ports: [{port: 80}]}}
---
{apiVersion: v1, kind: Service, metadata: {name: shadow}, spec: {ports: [{port: 8080}]}}
---
{apiVersion: v1, kind: Service, metadata: {name: other, namespace: team}, spec: {ports: [{port: 9090}]}}
---
{apiVersion: v1, kind: Service, metadata: {name: locked, namespace: vault}, spec: {ports: [{port: 80}]}}
)";

struct Fixture {
    routing::CompileResult compiled;
    std::shared_ptr<const gateway::GatewayRouter> router;
    Fixture() {
        model::Workspace ws;
        yaml::readText(OBJECTS, "mirror.yaml", ws);
        routing::EndpointMap eps;
        eps[routing::EndpointKey{"default", "web", 80}] = {{"10.0.0.1", 80, "web-0"}};
        eps[routing::EndpointKey{"default", "web2", 80}] = {{"10.0.0.2", 80, "web2-0"}};
        eps[routing::EndpointKey{"default", "shadow", 8080}] = {{"10.0.1.1", 8080, "shadow-0"}, {"10.0.1.2", 8080, "shadow-1"}};
        eps[routing::EndpointKey{"team", "other", 9090}] = {{"10.0.2.1", 9090, "other-0"}};
        eps[routing::EndpointKey{"vault", "locked", 80}] = {{"10.0.3.1", 80, "locked-0"}};
        routing::ControllerSettings gs;
        gs.profile = routing::Profile::Gateway;
        gs.compileOtherProfile = false;
        compiled = routing::RouteTable::compile(ws, gs, &eps);
        router = gateway::GatewayRouter::create(ws, &eps, nullptr);
    }
    routing::Decision route(const std::string& path, std::uint64_t random = 0) const {
        routing::RequestView req;
        req.method = "GET";
        req.scheme = "http";
        req.host = "a.example";
        req.target = path;
        req.listenPort = 80;
        return compiled.table->route(req, random, true);
    }
    const gateway::Condition* routeCondition(const std::string& route, const std::string& type) const {
        for (const auto& s : router->status())
            if (s.kind == "HTTPRoute" && s.name == route) return s.find(type);
        return nullptr;
    }
};

std::string traceOf(const routing::Decision& d) {
    std::string t;
    for (const auto& s : d.trace) t += s + " | ";
    return t;
}

}  // namespace

class GatewayMirrorTest : public QObject {
    Q_OBJECT
private slots:
    void mirrorTargetsResolvedInFilterOrder();
    void fractionIsKept();
    void backendRefMirrorOnlyForThatBackend();
    void nothingMirroredWhenTheGatewayAnswers();
    void unresolvableMirrorSendsNoCopy();
};

void GatewayMirrorTest::mirrorTargetsResolvedInFilterOrder() {
    Fixture f;
    const auto d = f.route("/all/x");
    QVERIFY2(d.contactsBackend(), traceOf(d).c_str());
    QCOMPARE(d.backend->service, std::string("web"));
    QCOMPARE(d.mirrors.size(), std::size_t(2));
    const auto& a = d.mirrors[0];
    QCOMPARE(a.backend.ns, std::string("default"));
    QCOMPARE(a.backend.service, std::string("shadow"));
    QCOMPARE(a.backend.servicePort, 8080);
    QCOMPARE(a.backend.upstreamName, std::string("default-shadow-8080"));
    QVERIFY(a.endpoints);
    QCOMPARE(a.endpoints->size(), std::size_t(2));
    QCOMPARE(a.endpoints->at(1).address, std::string("10.0.1.2"));
    QCOMPARE(a.numerator, 100u);  // no percent: every request
    QCOMPARE(a.denominator, 100u);
    const auto& b = d.mirrors[1];  // cross-namespace, allowed by the ReferenceGrant in `team`
    QCOMPARE(b.backend.ns, std::string("team"));
    QCOMPARE(b.backend.service, std::string("other"));
    QCOMPARE(b.endpoints->size(), std::size_t(1));
    QCOMPARE(b.numerator, 25u);
    QCOMPARE(b.denominator, 100u);
    QVERIFY2(traceOf(d).find("RequestMirror: a copy of 25% of proxied requests goes to Service team/other:9090") != std::string::npos,
             traceOf(d).c_str());
    // The decision does not depend on the random value for the mirrors (the proxy rolls the share per request).
    QVERIFY(f.route("/all/x", 12345).mirrors == d.mirrors);
    QCOMPARE(f.routeCondition("default/r", "ResolvedRefs")->status, std::string("True"));
}

void GatewayMirrorTest::fractionIsKept() {
    Fixture f;
    const auto d = f.route("/fraction");
    QCOMPARE(d.mirrors.size(), std::size_t(1));
    QCOMPARE(d.mirrors[0].numerator, 1u);
    QCOMPARE(d.mirrors[0].denominator, 3u);
}

void GatewayMirrorTest::backendRefMirrorOnlyForThatBackend() {
    Fixture f;
    int withMirror = 0, withoutMirror = 0;
    for (std::uint64_t r = 0; r < 4; ++r) {
        const auto d = f.route("/per-backend", r);
        QVERIFY(d.contactsBackend());
        if (d.backend->service == "web") {
            QCOMPARE(d.mirrors.size(), std::size_t(1));
            QCOMPARE(d.mirrors[0].backend.service, std::string("shadow"));
            ++withMirror;
        } else {
            QCOMPARE(d.backend->service, std::string("web2"));
            QVERIFY(d.mirrors.empty());
            ++withoutMirror;
        }
    }
    QVERIFY(withMirror > 0 && withoutMirror > 0);
}

void GatewayMirrorTest::nothingMirroredWhenTheGatewayAnswers() {
    Fixture f;
    const auto noEndpoints = f.route("/no-endpoints");
    QCOMPARE(noEndpoints.clientStatus(), 503);
    QVERIFY(noEndpoints.mirrors.empty());
    const auto redirect = f.route("/redirect");
    QCOMPARE(redirect.action, routing::Decision::Action::Redirect);
    QVERIFY(redirect.mirrors.empty());
}

void GatewayMirrorTest::unresolvableMirrorSendsNoCopy() {
    Fixture f;
    const auto missing = f.route("/missing");
    QVERIFY(missing.contactsBackend());  // the request itself is served
    QCOMPARE(missing.backend->service, std::string("web"));
    QVERIFY(missing.mirrors.empty());
    QVERIFY2(traceOf(missing).find("Service default/nosuch does not exist") != std::string::npos, traceOf(missing).c_str());
    const auto* c = f.routeCondition("default/bad", "ResolvedRefs");
    QVERIFY(c);
    QCOMPARE(c->status, std::string("False"));
    QCOMPARE(c->reason, std::string("BackendNotFound"));

    const auto nogrant = f.route("/nogrant");
    QVERIFY(nogrant.contactsBackend());
    QVERIFY(nogrant.mirrors.empty());
    const auto* g = f.routeCondition("default/nogrant", "ResolvedRefs");
    QVERIFY(g);
    QCOMPARE(g->status, std::string("False"));
    QCOMPARE(g->reason, std::string("RefNotPermitted"));
}

QTEST_GUILESS_MAIN(GatewayMirrorTest)
#include "gateway_mirror_test.moc"
