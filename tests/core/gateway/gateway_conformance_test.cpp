// Runs every case of tests/conformance/gateway-cases.yaml (a copy of ../shared/conformance/gateway-cases.yaml)
// through the real RouteTable::compile / route with the `gateway` profile:
//   gateway-conformance cases: the `gateway` objects, `expect`;
//   conversion cases: the converted objects (`gateway`) against `expect` under the gateway profile, and the
//   original Ingresses against `ingress_nginx_expect` under the ingress-nginx profile; the fields in `differs`
//   must really differ between the two outcomes and every other compared field must agree.
// Cases that need a live upstream (backend_behaviour) or counted load (accepted/rejected) are left to serve.
// Fails on a failure tests/conformance/GATEWAY_KNOWN_GAPS.md does not list, and on a listed case that passes.

#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <set>

#include <QByteArray>
#include <QFile>
#include <QTest>

#include <yaml-cpp/yaml.h>

#include "conformance/runner/conformance_runner.h"
#include "conformance/runner/test_certs.h"
#include "core/gateway/gateway_router.h"
#include "core/gateway/ingress_converter.h"
#include "core/routing/route_table.h"
#include "core/routing/uri.h"
#include "core/yaml/yaml_reader.h"
#include "support/gap_tally.h"
#include "support/test_paths.h"

using namespace ilab;

namespace {

std::string str(const YAML::Node& n, const std::string& def = {}) { return n && n.IsScalar() ? n.Scalar() : def; }

std::string lowerNoSpace(std::string s) {
    std::string o;
    for (char c : s)
        if (c != ' ') o += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
}

std::set<std::string> tokens(const std::string& v) {
    std::set<std::string> out;
    std::string cur;
    for (char c : lowerNoSpace(v) + ",") {
        if (c == ',') {
            if (!cur.empty()) out.insert(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    return out;
}

bool isListHeader(const std::string& name) {
    const std::string n = routing::toLower(name);
    return n == "access-control-allow-methods" || n == "access-control-allow-headers" || n == "access-control-expose-headers";
}

// "http://h:80/x" and "http://h/x" are equal (conformance/utils/http CompareRoundTrip).
std::string withoutDefaultPort(const std::string& loc) {
    std::string s = loc;
    for (const char* d : {":80/", ":443/"}) {
        const auto scheme = s.find("://");
        const auto p = s.find(d, scheme == std::string::npos ? 0 : scheme + 3);
        if (p != std::string::npos && s.find('/', scheme + 3) == p + std::string(d).size() - 1) {
            if ((std::string(d) == ":80/" && s.rfind("http://", 0) == 0) || (std::string(d) == ":443/" && s.rfind("https://", 0) == 0))
                s.erase(p, std::string(d).size() - 1);
        }
    }
    return s;
}

struct Outcome {
    int status = 0;
    std::string backend;  // "null" or "[ns/]svc:port"
    std::string location, upstreamPath;
    bool noListener = false;
};

class GatewayRunner {
public:
    model::Workspace workspace(const YAML::Node& c, const std::string& objects, routing::EndpointMap& eps) {
        model::Workspace ws;
        const std::string id = str(c["id"]);
        yaml::readText(objects, id + ".yaml", ws);
        std::string extra;
        if (const auto s = c["services"]; s && s.IsMap())
            for (auto it = s.begin(); it != s.end(); ++it) {
                std::string ns = "default", name = it->first.Scalar();
                if (auto slash = name.find('/'); slash != std::string::npos) {
                    ns = name.substr(0, slash);
                    name = name.substr(slash + 1);
                }
                extra += "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\nspec:\n  ports:\n";
                for (const auto& p : it->second) {
                    std::string v = p.Scalar();
                    std::string portName;
                    if (auto colon = v.find(':'); colon != std::string::npos) {
                        portName = v.substr(0, colon);
                        v = v.substr(colon + 1);
                    }
                    extra += "  - port: " + v + "\n";
                    if (!portName.empty()) extra += "    name: " + portName + "\n";
                    eps[routing::EndpointKey{ns, name, std::stoi(v)}] = {{"10.0.0.1", std::stoi(v), name + "-0"}};
                }
            }
        if (const auto secrets = c["secrets"]; secrets && secrets.IsMap())
            for (auto it = secrets.begin(); it != secrets.end(); ++it) {
                std::string ns = "default", name = it->first.Scalar();
                if (auto slash = name.find('/'); slash != std::string::npos) {
                    ns = name.substr(0, slash);
                    name = name.substr(slash + 1);
                }
                std::vector<std::string> names;
                for (const auto& n : it->second["dns_names"]) names.push_back(n.Scalar());
                std::string key;
                for (const auto& n : names) key += n + ",";
                if (!m_certs.count(key)) m_certs[key] = testing::makeSelfSignedCertificate(names);
                extra += "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
                         "\ntype: kubernetes.io/tls\ndata:\n  tls.crt: " + QByteArray::fromStdString(m_certs[key].certPem).toBase64().toStdString() +
                         "\n  tls.key: " + QByteArray::fromStdString(m_certs[key].keyPem).toBase64().toStdString() + "\n";
            }
        if (!extra.empty()) yaml::readText(extra, id + "-fixtures.yaml", ws);
        return ws;
    }

    static routing::RequestView request(const YAML::Node& r) {
        routing::RequestView req;
        req.method = str(r["method"], "GET");
        req.scheme = str(r["scheme"], "http");
        req.host = str(r["host"]);
        req.target = str(r["path"], "/");
        req.listenPort = r["port"] ? r["port"].as<int>() : (req.scheme == "https" ? 443 : 80);
        if (const auto h = r["headers"]; h && h.IsMap())
            for (auto it = h.begin(); it != h.end(); ++it) req.headers.emplace_back(it->first.Scalar(), it->second.Scalar());
        if (r["sni"] && !r["sni"].IsNull()) req.sni = r["sni"].Scalar();
        else if (req.scheme == "https") req.sni = routing::hostWithoutPort(req.host);
        if (r["client_ip"]) req.clientIp = r["client_ip"].Scalar();
        return req;
    }

    static std::string backendText(const routing::Decision& d) {
        if (!d.contactsBackend() || !d.backend) return "null";
        const auto& b = (d.endpoints && d.endpoints->empty() && d.fallbackBackend) ? *d.fallbackBackend : *d.backend;
        return (b.ns == "default" ? "" : b.ns + "/") + b.service + ":" + b.port;
    }

    // Checks `e` against one compiled table; fills `out` with the main outcome (for the `differs` comparison).
    void check(const YAML::Node& e, const routing::CompileResult& compiled, const routing::RequestView& req, bool gatewaySide,
               std::vector<std::string>& fails, Outcome& out) {
        static const std::set<std::string> handled = {
            "backend", "status", "status_any_of", "location", "rewritten_path", "upstream_headers", "upstream_headers_absent",
            "response_headers", "response_headers_absent", "response_header_any_of", "tls_certificate", "route_status",
            "listener_status", "tls_handshake", "connection", "shares", "tolerance", "source", "mirrored_to"};
        for (auto it = e.begin(); it != e.end(); ++it)
            if (!handled.count(it->first.Scalar())) fails.push_back("unsupported expectation " + it->first.Scalar());
        const routing::RouteTable& table = *compiled.table;
        const routing::Decision d = table.route(req, 7, true);
        out.status = d.clientStatus();
        out.backend = backendText(d);
        out.location = d.location;
        out.upstreamPath = d.contactsBackend() ? d.upstreamPath : "";
        auto describe = [&] {
            std::string s = "got status " + std::to_string(d.clientStatus()) + " backend " + backendText(d);
            if (!d.location.empty()) s += " location " + d.location;
            if (!d.trace.empty()) s += " [" + d.trace.back() + "]";
            return s;
        };
        // status null: nothing answers (no listener for the request, or no certificate for the TLS handshake).
        if (e["status"] && e["status"].IsNull()) {
            bool nothing = false;
            if (req.scheme == "https") nothing = table.certificateFor(req.sni.value_or("")).certificate.empty();
            if (!nothing && gatewaySide) nothing = d.ingress.empty() && d.clientStatus() == 404 && !d.trace.empty() &&
                                                   d.trace.front().rfind("no ", 0) == 0;
            out.noListener = nothing;
            if (!nothing) fails.push_back("expected no response (no listener / no certificate); " + describe());
        } else if (e["status"] && d.clientStatus() != e["status"].as<int>()) {
            fails.push_back("status " + str(e["status"]) + " expected; " + describe());
        }
        if (const auto any = e["status_any_of"]) {
            bool ok = false;
            for (const auto& s : any) ok = ok || s.as<int>() == d.clientStatus();
            if (!ok) fails.push_back("status in status_any_of expected; " + describe());
        }
        const YAML::Node b = e["backend"];
        if (b && b.IsSequence()) {
            std::map<std::string, int> counts;
            const int n = 4000;
            std::mt19937_64 rng(20261206);
            for (int i = 0; i < n; ++i) counts[backendText(table.route(req, rng(), false))]++;
            std::set<std::string> allowed;
            for (const auto& x : b) allowed.insert(x.Scalar());
            for (const auto& [k, v] : counts)
                if (!allowed.count(k)) fails.push_back(std::to_string(v) + " samples went to " + k + ", not a listed backend");
            if (const auto sh = e["shares"])
                for (auto it = sh.begin(); it != sh.end(); ++it) {
                    const double want = it->second.as<double>();
                    const double got = static_cast<double>(counts[it->first.Scalar()]) / n;
                    const double tol = 4.0 * std::sqrt(want * (1 - want) / n) + 1e-9;
                    if (std::fabs(got - want) > tol)
                        fails.push_back("share of " + it->first.Scalar() + " " + std::to_string(got) + " not within " + std::to_string(tol) + " of " + std::to_string(want));
                }
            out.backend = "split";
        } else if (b) {
            const std::string want = b.IsNull() ? "null" : b.Scalar();
            if (backendText(d) != want) fails.push_back("backend " + want + " expected; " + describe());
        }
        if (e["location"] && withoutDefaultPort(d.location) != withoutDefaultPort(str(e["location"])))
            fails.push_back("location " + str(e["location"]) + " expected; " + describe());
        if (e["rewritten_path"] && d.upstreamPath != str(e["rewritten_path"]))
            fails.push_back("rewritten path " + str(e["rewritten_path"]) + " expected, got " + d.upstreamPath);
        // What the backend sees: the request's headers, replaced/removed by the decision.
        auto upstream = [&](const std::string& name) -> std::optional<std::string> {
            for (const auto& r : d.upstreamHeadersRemoved)
                if (routing::toLower(r) == routing::toLower(name)) return std::nullopt;
            std::optional<std::string> v;
            for (const auto& [k, val] : d.upstreamHeaders)
                if (routing::toLower(k) == routing::toLower(name)) v = val;
            if (!v && routing::toLower(name) == "host") v = d.upstreamHost;
            return v ? v : req.header(name);
        };
        if (const auto uh = e["upstream_headers"])
            for (auto it = uh.begin(); it != uh.end(); ++it) {
                const auto v = upstream(it->first.Scalar());
                if (!v || *v != it->second.Scalar())
                    fails.push_back("upstream header " + it->first.Scalar() + ": " + it->second.Scalar() + " expected, got " + v.value_or("(absent)"));
            }
        if (const auto ua = e["upstream_headers_absent"])
            for (const auto& n : ua)
                if (upstream(n.Scalar())) fails.push_back("upstream header " + n.Scalar() + " must be absent");
        auto response = [&](const std::string& name) -> std::optional<std::string> {
            std::optional<std::string> v;
            for (const auto& [k, val] : d.responseHeaders)
                if (routing::toLower(k) == routing::toLower(name)) v = val;
            return v;
        };
        if (const auto rh = e["response_headers"])
            for (auto it = rh.begin(); it != rh.end(); ++it) {
                const auto v = response(it->first.Scalar());
                const bool ok = v && (isListHeader(it->first.Scalar()) ? tokens(*v) == tokens(it->second.Scalar()) : *v == it->second.Scalar());
                if (!ok) fails.push_back("response header " + it->first.Scalar() + ": " + it->second.Scalar() + " expected, got " + v.value_or("(absent)"));
            }
        if (const auto ra = e["response_headers_absent"])
            for (const auto& n : ra)
                if (response(n.Scalar())) fails.push_back("response header " + n.Scalar() + " must be absent");
        if (const auto ao = e["response_header_any_of"])
            for (auto it = ao.begin(); it != ao.end(); ++it) {
                const auto v = response(it->first.Scalar());
                bool ok = false;
                for (const auto& x : it->second) ok = ok || (v && tokens(*v) == tokens(x.Scalar()));
                if (!ok) fails.push_back("response header " + it->first.Scalar() + " not one of the accepted values, got " + v.value_or("(absent)"));
            }
        if (const auto tc = e["tls_certificate"]) {
            const std::string want = tc["secret"] ? "default/" + str(tc["secret"]) : "default";
            const std::string got = table.certificateFor(req.sni.value_or("")).certificate;
            if (got != want) fails.push_back("certificate " + want + " expected, got '" + got + "'");
        }
        if (e["tls_handshake"] && req.scheme == "https" && !table.certificateFor(req.sni.value_or("")).refuse)
            fails.push_back("TLS handshake must be refused (no listener for the name), got certificate '" +
                            table.certificateFor(req.sni.value_or("")).certificate + "'");
        // mirrored_to: the Services (as `backend` names them) that get a copy of this request, in filter order; a copy
        // needs a resolved target with endpoints the proxy can send it to.
        if (const auto mt = e["mirrored_to"]) {
            std::vector<std::string> want, got;
            for (const auto& x : mt) want.push_back(x.Scalar());
            if (d.contactsBackend())
                for (const auto& m : d.mirrors) {
                    const auto& b = m.backend;
                    std::string name = (b.ns == "default" ? "" : b.ns + "/") + b.service + ":" + b.port;
                    if (!m.endpoints || m.endpoints->empty()) name += " (no endpoints)";
                    if (m.numerator != m.denominator)
                        name += " (" + std::to_string(m.numerator) + "/" + std::to_string(m.denominator) + " of requests)";
                    got.push_back(name);
                }
            if (got != want) {
                auto join = [](const std::vector<std::string>& v) {
                    std::string t;
                    for (const auto& x : v) t += (t.empty() ? "" : ", ") + x;
                    return "[" + t + "]";
                };
                fails.push_back("mirrored_to " + join(want) + " expected, got " + join(got) + "; " + describe());
            }
        }
        auto checkStatus = [&](const YAML::Node& want, const std::string& kind) {
            if (!want || !compiled.table) return;
            const auto* gw = gatewayStatus(compiled);
            for (auto it = want.begin(); it != want.end(); ++it) {
                const std::string name = it->first.Scalar();
                const gateway::ObjectStatus* found = nullptr;
                if (gw)
                    for (const auto& s : *gw)
                        if (s.kind == kind && (kind == "Listener" ? s.section == name : s.name.substr(s.name.find('/') + 1) == name)) found = &s;
                for (auto ct = it->second.begin(); ct != it->second.end(); ++ct) {
                    const std::string type = ct->first.Scalar();
                    if (type == "reason") continue;
                    const auto* cond = found ? found->find(type) : nullptr;
                    const std::string reason = str(it->second["reason"]);
                    const bool reasonIsWord = reason.find(' ') == std::string::npos;
                    if (!cond || cond->status != ct->second.Scalar() || (reasonIsWord && cond->reason != reason)) {
                        // A route whose parent Gateway does not exist has no status at all in the workspace.
                        if (!found && kind == "HTTPRoute" && ct->second.Scalar() == "False" && !reasonIsWord) continue;
                        fails.push_back(kind + " " + name + " " + type + "=" + ct->second.Scalar() + " (" + reason + ") expected, got " +
                                        (cond ? cond->status + " (" + cond->reason + ")" : std::string("(none)")));
                    }
                }
            }
        };
        checkStatus(e["route_status"], "HTTPRoute");
        checkStatus(e["listener_status"], "Listener");
    }

    static const std::vector<gateway::ObjectStatus>* gatewayStatus(const routing::CompileResult& r) {
        const auto& impl = r.table->impl();
        (void)impl;
        return m_lastStatus;
    }
    static inline const std::vector<gateway::ObjectStatus>* m_lastStatus = nullptr;

    std::map<std::string, testing::TestCertificate> m_certs;
};

}  // namespace

class GatewayConformanceTest : public QObject {
    Q_OBJECT
private slots:
    void hostnameHelpers();
    void hostIndexKeepsHostnamePrecedence_data();
    void hostIndexKeepsHostnamePrecedence();
    void runnerDetectsWrongExpectations();
    void allCases();

private:
    // Runs one case; returns "" when it passes.
    std::string runCase(GatewayRunner& runner, const YAML::Node& c, bool convert = false);
};

void GatewayConformanceTest::hostnameHelpers() {
    bool ok = false;
    QCOMPARE(gateway::intersectHostnames("*.example.com", "foo.example.com", &ok), std::string("foo.example.com"));
    QVERIFY(ok);
    QCOMPARE(gateway::intersectHostnames("foo.example.com", "*.example.com", &ok), std::string("foo.example.com"));
    gateway::intersectHostnames("foo.example.com", "bar.example.com", &ok);
    QVERIFY(!ok);
    QCOMPARE(gateway::intersectHostnames("*.example.com", "*.foo.example.com", &ok), std::string("*.foo.example.com"));
    QVERIFY(gateway::hostnameMatches("*.example.com", "a.b.example.com"));
    QVERIFY(!gateway::hostnameMatches("*.example.com", "example.com"));
    // GW HTTPPathModifier table.
    QCOMPARE(gateway::replacePrefix("/foo/bar", "/foo", "/xyz"), std::string("/xyz/bar"));
    QCOMPARE(gateway::replacePrefix("/foo/bar", "/foo", "/xyz/"), std::string("/xyz/bar"));
    QCOMPARE(gateway::replacePrefix("/foo/bar", "/foo/", "/xyz"), std::string("/xyz/bar"));
    QCOMPARE(gateway::replacePrefix("/foo/", "/foo", "/xyz"), std::string("/xyz/"));
    QCOMPARE(gateway::replacePrefix("/foo/bar", "/foo", ""), std::string("/bar"));
    QCOMPARE(gateway::replacePrefix("/foo/", "/foo", ""), std::string("/"));
    QCOMPARE(gateway::replacePrefix("/foo", "/foo", "/"), std::string("/"));
}

// The host index (per listener: exact hostname, wildcard suffix, hostname-less routes) must give exactly the
// §1.3 step 4 order: routes with the exact hostname hide every wildcard and hostname-less route even with a longer
// path; among wildcards the longest matching one wins; wildcards span several labels but never the bare suffix;
// only then path precedence; a route that lists several hostnames is found under each of them.
void GatewayConformanceTest::hostIndexKeepsHostnamePrecedence_data() {
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("route");  // "" = 404
    QTest::newRow("exact hides wildcard with longer path") << "foo.example.com" << "/api/long/x" << "default/exact";
    QTest::newRow("exact with port") << "foo.example.com:8080" << "/api/long/deeper" << "default/exact";
    QTest::newRow("exact, uppercase Host") << "FOO.example.com" << "/api/x" << "default/exact";
    QTest::newRow("exact host, no exact rule matches: 404") << "foo.example.com" << "/other" << "";
    QTest::newRow("second hostname of a route") << "shop.example.org" << "/" << "default/multi";
    QTest::newRow("longest wildcard") << "a.deep.example.com" << "/api/x" << "default/deep";
    QTest::newRow("wildcard spans labels") << "a.b.example.com" << "/api/long/x" << "default/wild";
    QTest::newRow("wildcard, longer path wins inside the class") << "bar.example.com" << "/api/long/x" << "default/wild";
    QTest::newRow("wildcard of a multi-host route") << "x.example.org" << "/" << "default/multi";
    QTest::newRow("bare suffix is not a wildcard match") << "example.com" << "/api/x" << "default/any";
    QTest::newRow("unknown host falls to hostname-less") << "unknown.test" << "/api/x" << "default/any";
    QTest::newRow("empty host") << "" << "/api/x" << "default/any";
}

void GatewayConformanceTest::hostIndexKeepsHostnamePrecedence() {
    QFETCH(QString, host);
    QFETCH(QString, path);
    QFETCH(QString, route);
    const char* yaml = R"(
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: lab
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: any}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{path: {type: PathPrefix, value: /api/long/deeper}}], backendRefs: [{name: svc, port: 80}]},
          {matches: [{path: {type: PathPrefix, value: /}}], backendRefs: [{name: svc, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: wild}
spec:
  parentRefs: [{name: gw}]
  hostnames: ["*.example.com"]
  rules: [{matches: [{path: {type: PathPrefix, value: /api/long}}], backendRefs: [{name: svc, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: awild}
spec:
  parentRefs: [{name: gw}]
  hostnames: ["*.example.com"]
  rules: [{matches: [{path: {type: PathPrefix, value: /api}}], backendRefs: [{name: svc, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: deep}
spec:
  parentRefs: [{name: gw}]
  hostnames: ["*.deep.example.com"]
  rules: [{matches: [{path: {type: PathPrefix, value: /}}], backendRefs: [{name: svc, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: exact}
spec:
  parentRefs: [{name: gw}]
  hostnames: [foo.example.com]
  rules: [{matches: [{path: {type: PathPrefix, value: /api}}], backendRefs: [{name: svc, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: multi}
spec:
  parentRefs: [{name: gw}]
  hostnames: [shop.example.org, "*.example.org"]
  rules: [{backendRefs: [{name: svc, port: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec: {ports: [{port: 80}]}
)";
    model::Workspace ws;
    yaml::readText(yaml, "index.yaml", ws);
    routing::EndpointMap eps;
    eps[routing::EndpointKey{"default", "svc", 80}] = {{"10.0.0.1", 80, "svc-0"}};
    routing::ControllerSettings gs;
    gs.profile = routing::Profile::Gateway;
    gs.compileOtherProfile = false;
    const auto compiled = routing::RouteTable::compile(ws, gs, &eps);
    routing::RequestView req;
    req.method = "GET";
    req.scheme = "http";
    req.host = host.toStdString();
    req.target = path.toStdString();
    req.listenPort = 80;
    const routing::Decision d = compiled.table->route(req, 0, true);
    std::string trace;
    for (const auto& t : d.trace) trace += t + " | ";
    QVERIFY2(d.ingress == route.toStdString(), (d.ingress + " won; " + trace).c_str());
    QCOMPARE(d.clientStatus(), route.isEmpty() ? 404 : 200);
}

// convert = route our own conversion of `ingresses` (core/gateway/ingress_converter) instead of the case's `gateway`.
std::string GatewayConformanceTest::runCase(GatewayRunner& runner, const YAML::Node& c, bool convert) {
    std::vector<std::string> fails;
    const routing::RequestView req = GatewayRunner::request(c["request"]);
    routing::ControllerSettings gs;
    gs.profile = routing::Profile::Gateway;
    gs.compileOtherProfile = false;
    routing::EndpointMap geps;
    std::string objects = str(c["gateway"]);
    if (convert) {
        routing::EndpointMap ignored;
        objects = gateway::convertIngresses(runner.workspace(c, str(c["ingresses"]), ignored)).yaml;
    }
    const model::Workspace gws = runner.workspace(c, objects, geps);
    if (convert) {  // the same objects (kind + namespace/name) as ingress2gateway emits
        routing::EndpointMap ignored;
        const model::Workspace expected = runner.workspace(c, str(c["gateway"]), ignored);
        std::set<std::string> want, got;
        for (const auto& r : expected.resources)
            if (r.kind == "Gateway" || r.kind == "HTTPRoute") want.insert(r.displayName());
        for (const auto& r : gws.resources)
            if (r.kind == "Gateway" || r.kind == "HTTPRoute") got.insert(r.displayName());
        for (const auto& w : want)
            if (!got.count(w)) fails.push_back("converter: " + w + " missing");
        for (const auto& g : got)
            if (!want.count(g)) fails.push_back("converter: unexpected " + g);
    }
    const auto gcompiled = routing::RouteTable::compile(gws, gs, &geps);
    const auto router = gateway::GatewayRouter::create(gws, &geps, nullptr);
    GatewayRunner::m_lastStatus = &router->status();
    Outcome gOut, nOut;
    std::vector<std::string> gFails;
    runner.check(c["expect"], gcompiled, req, true, gFails, gOut);
    for (const auto& f : gFails) fails.push_back("gateway: " + f);
    if (str(c["profile"]) == "conversion") {
        routing::ControllerSettings ns;
        ns.profile = routing::Profile::IngressNginx;
        ns.claimAllIngresses = true;
        ns.compileOtherProfile = false;
        routing::EndpointMap neps;
        const model::Workspace nws = runner.workspace(c, str(c["ingresses"]), neps);
        const auto ncompiled = routing::RouteTable::compile(nws, ns, &neps);
        std::vector<std::string> nFails;
        runner.check(c["ingress_nginx_expect"], ncompiled, req, false, nFails, nOut);
        for (const auto& f : nFails) fails.push_back("ingress-nginx: " + f);
        // `differs`: the listed outcome fields differ, the others agree (for status/backend/location, which both sides decide).
        std::set<std::string> differs;
        for (const auto& d : c["differs"]) differs.insert(d.Scalar());
        const bool bothAnswered = !gOut.noListener && c["expect"]["status"] && !c["expect"]["status"].IsNull();
        if (bothAnswered) {
            const bool statusDiffers = gOut.status != nOut.status;
            if (statusDiffers != (differs.count("status") > 0))
                fails.push_back(std::string("differs: status ") + (statusDiffers ? "differs but is not listed" : "is listed but agrees"));
            if (gOut.backend != "split" && nOut.backend != "split" && !differs.count("shares")) {
                const bool backendDiffers = gOut.backend != nOut.backend;
                if (backendDiffers != (differs.count("backend") > 0))
                    fails.push_back(std::string("differs: backend ") + (backendDiffers ? "differs but is not listed" : "is listed but agrees"));
            }
            const bool locationDiffers = withoutDefaultPort(gOut.location) != withoutDefaultPort(nOut.location);
            if (locationDiffers != (differs.count("location") > 0))
                fails.push_back(std::string("differs: location ") + (locationDiffers ? "differs but is not listed" : "is listed but agrees"));
        }
    }
    std::string out;
    for (const auto& f : fails) out += (out.empty() ? "" : "; ") + f;
    return out;
}

// The runner must be able to fail: wrong expectations are reported.
void GatewayConformanceTest::runnerDetectsWrongExpectations() {
    const char* text =
        "id: self-test\ncategory: matching\nprofile: gateway-conformance\n"
        "gateway: |\n"
        "  apiVersion: gateway.networking.k8s.io/v1\n  kind: Gateway\n  metadata: {name: gw}\n"
        "  spec:\n    gatewayClassName: x\n    listeners: [{name: http, port: 80, protocol: HTTP}]\n"
        "  ---\n  apiVersion: gateway.networking.k8s.io/v1\n  kind: HTTPRoute\n  metadata: {name: r}\n"
        "  spec:\n    parentRefs: [{name: gw}]\n    rules:\n    - matches: [{path: {type: PathPrefix, value: /foo}}]\n"
        "      backendRefs: [{name: svc, port: 80}]\n"
        "services: {svc: [80]}\n"
        "request: {method: GET, scheme: http, host: t.example, path: /foo/bar}\n"
        "expect: {backend: other:80, status: 404, rewritten_path: /x, mirrored_to: [other:80]}\n";
    GatewayRunner runner;
    const std::string failure = runCase(runner, YAML::Load(text));
    QVERIFY2(failure.find("backend other:80 expected") != std::string::npos, failure.c_str());
    QVERIFY2(failure.find("status 404 expected") != std::string::npos, failure.c_str());
    QVERIFY2(failure.find("rewritten path /x expected") != std::string::npos, failure.c_str());
    QVERIFY2(failure.find("mirrored_to [other:80] expected, got []") != std::string::npos, failure.c_str());
    YAML::Node ok = YAML::Load(text);
    ok["expect"] = YAML::Load("{backend: svc:80, status: 200, rewritten_path: /foo/bar}");
    const std::string none = runCase(runner, ok);
    QVERIFY2(none.empty(), none.c_str());
}

void GatewayConformanceTest::allCases() {
    const QString casesPath = testing::sourceDir() + QStringLiteral("/tests/conformance/gateway-cases.yaml");
    YAML::Node cases;
    try {
        cases = YAML::LoadFile(casesPath.toStdString());
    } catch (const YAML::Exception& e) {
        QFAIL(e.what());
    }
    QVERIFY(cases.IsSequence());
    QFile gf(testing::sourceDir() + QStringLiteral("/tests/conformance/GATEWAY_KNOWN_GAPS.md"));
    QVERIFY2(gf.open(QIODevice::ReadOnly), "tests/conformance/GATEWAY_KNOWN_GAPS.md is missing");
    const auto gaps = testing::parseKnownGaps(gf.readAll().toStdString());
    GatewayRunner runner;
    testing::GapTally tally(gaps, "GATEWAY_KNOWN_GAPS.md", "gateway");
    int ran = 0;
    for (const auto& c : cases) {
        const std::string id = str(c["id"]);
        if (c["request"]["backend_behaviour"] || c["expect"]["accepted"]) continue;  // needs traffic: serve
        ++ran;
        for (const bool convert : {false, true}) {
            if (convert && str(c["profile"]) != "conversion") continue;
            const std::string failure = runCase(runner, c, convert);
            tally.record((convert ? "migrate/" : "") + str(c["profile"]) + "/" + str(c["category"]),
                         (convert ? "convert:" : "") + id, "", failure.empty(), failure);
        }
    }
    const auto [passed, total] = tally.printCounts();
    std::printf("total: %d/%d\n", passed, total);
    tally.finish();
    QVERIFY(ran > 80);
    QVERIFY2(tally.unexpected().empty(), tally.unexpectedSummary().c_str());
    QVERIFY2(tally.stale().empty(), tally.staleSummary().c_str());
}

QTEST_GUILESS_MAIN(GatewayConformanceTest)
#include "gateway_conformance_test.moc"
