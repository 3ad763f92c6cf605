#pragma once

// Conformance cases through real traffic: for one case of tests/conformance/cases.yaml or gateway-cases.yaml,
// writes a workspace (the case's Ingresses, or its Gateway API objects under the `gateway` profile, a Deployment of simulated echo pods per Service port, TLS Secrets with certificates for the
// listed dns_names, the controller ConfigMap), starts the real `ingress-lab-cli serve` on port 0 with the case's
// profile and flags, sends the request (or the `load`) with libcurl and checks every `expect` field on what came
// back. Header-only, used by conformance_serve_test.cpp. A runner lives on one thread (it owns a QProcess).
//
// How a case maps onto the lab:
//   services {svc: [80, "http:8080"]}  -> Service svc (selector app=svc) whose port P targets the named container
//                                         port pP, and one Deployment svc-pP (1 replica; 2 for affinity cases) that has
//                                         only that port, so the echo's "pod" field tells which Service port was used.
//   services_without_endpoints          -> the Service with a selector no pod matches.
//   backend_behaviour "responds after N s", load.backend_latency_s -> ingress-lab.dev/latency-ms on the pods.
//   client_ip                           -> the request is sent FROM a loopback address 127.0.0.K (one per distinct
//                                         client_ip of the case), so the proxy sees distinct, stable client addresses.
//   request.host ""                     -> Host: 127.0.0.1 (the controller's IP literal).
//   services {"ns/svc": [8080]}         -> the Service and its Deployment in namespace ns; the backend is "ns/svc:8080".
//   backend_behaviour {latency_s, response_headers} (gateway cases) -> ingress-lab.dev/latency-ms and
//                                         ingress-lab.dev/header.NAME annotations on the pods.
// Gateway cases (profile "gateway"; see gatewayExpectations()): `expect` on the case's `gateway` objects; a conversion
// case also runs its `ingresses` under "ingress-nginx" against `ingress_nginx_expect`. status null = nothing answers:
// the TLS handshake fails, or (plain HTTP, where serve always listens) the proxy answers 404 without a backend.
// A Location compares without a default port (:80/:443 may be present or absent, conformance CompareRoundTrip).
//   expected X-Forwarded-Port 80/443 and ":80"/":443" in an expected Location: the case assumes the controller
//                                         listens on 80/443; serve listens on free ports, so the port the client
//                                         connected to is expected instead.

#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <yaml-cpp/yaml.h>

#include "conformance/runner/test_certs.h"
#include "e2e/conformance_serve_client.h"
#include "e2e/serve_harness.h"

namespace ilab::e2e {

struct ServeCaseOutcome {
    std::string id, category, profile;  // profile: "ingress-nginx" | "kubernetes" | "gateway"
    bool passed = false;
    std::string failure;  // "" when passed
    double seconds = 0;
};

// The categories whose cases are sent through serve (every case of them that has a request).
inline const std::set<std::string>& serveCategories() {
    static const std::set<std::string> cats = {"tls",          "headers", "upstream-errors", "rate-limit",
                                               "affinity",     "ssl-redirect", "cors",      "body-size",
                                               "access-control", "redirect", "rewrite",     "canary"};
    return cats;
}

inline std::string caseStr(const YAML::Node& n, const std::string& def = {}) {
    return n && n.IsScalar() ? n.Scalar() : def;
}

// n[key] when n is a map that has it, else an undefined node (chained lookups on a missing key never throw).
inline YAML::Node caseChild(const YAML::Node& n, const char* key) {
    return n && n.IsMap() && n[key] ? n[key] : YAML::Node(YAML::NodeType::Undefined);
}

// `everyCategory`: also the purely routed categories (path, host, default-backend, ...), which the routing runner
// already covers in-process; set ILAB_CONFORMANCE_SERVE_ALL=1 to send those through serve as well.
inline bool serveInScope(const YAML::Node& c, bool everyCategory = false) {
    return (everyCategory || serveCategories().count(caseStr(c["category"]))) && c["request"] && c["request"].IsMap();
}

// The serve profiles a case runs under (the routing runner's convention; k8s-spec divergences are its business).
// Gateway cases: "gateway", plus "ingress-nginx" for the Ingress side of a conversion case.
inline std::vector<std::string> serveProfiles(const YAML::Node& c) {
    const std::string p = caseStr(c["profile"], "both");
    if (p == "gateway-conformance" || p == "gateway-spec") return {"gateway"};
    if (p == "conversion") return {"gateway", "ingress-nginx"};
    if (p == "both") return {"ingress-nginx", "kubernetes"};
    if (p == "k8s-spec") return {"kubernetes"};
    return {"ingress-nginx"};
}

// KNOWN_GAPS.md lines of the serve runner: "- serve `case-id` (profile): reason" (profile optional). The routing
// runner's "- `case-id`" lines are not these (it ignores these lines, and this ignores its ones).
inline std::map<std::string, std::string> parseServeKnownGaps(const std::string& text) {
    std::map<std::string, std::string> gaps;
    static const std::regex re(R"(^- serve `([^`]+)`(?: \(([^)]*)\))?:?(.*)$)");
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        std::smatch m;
        if (!std::regex_match(line, m, re)) continue;
        gaps[m[2].matched ? m[1].str() + "@" + m[2].str() : m[1].str()] = m[3].str();
    }
    return gaps;
}

class ServeCaseRunner {
public:
    // Requests of a weighted canary split (binomial bound of 4 standard deviations, as the routing runner uses).
    static constexpr int CANARY_SAMPLES = 400;
    // Requests that must all reach the one expected backend when canary_share is 0 or 1.
    static constexpr int ALL_SAMPLES = 50;

    ServeCaseOutcome run(const YAML::Node& c, const std::string& profile) {
        const auto t0 = std::chrono::steady_clock::now();
        ServeCaseOutcome o;
        o.id = caseStr(c["id"]);
        o.category = caseStr(c["category"]);
        o.profile = profile;
        m_fails.clear();
        m_ports.clear();
        m_certs.clear();
        m_sourceIps.clear();
        try {
            runCase(c, profile);
        } catch (const YAML::Exception& ex) {  // a malformed case fails on its own, never the whole run
            fail(std::string("malformed case: ") + ex.what());
        }
        m_serve.reset();  // stops serve (SIGTERM) and removes its folder
        o.passed = m_fails.empty();
        for (const auto& f : m_fails) o.failure += (o.failure.empty() ? "" : "; ") + f;
        o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return o;
    }

private:
    struct PortRef {
        std::string name;  // "" when the case gives none
        int number = 0;
    };
    std::map<std::string, std::vector<PortRef>> m_ports;          // service -> ports (with endpoints)
    std::map<std::string, testing::TestCertificate> m_certs;     // secret -> certificate written
    std::map<std::string, std::string> m_sourceIps;              // case client_ip -> 127.0.0.K
    std::vector<std::string> m_fails;
    std::unique_ptr<Serve> m_serve;
    bool m_gateway = false;  // a case of gateway-cases.yaml
    int m_loadRequests = 0;  // its load.requests (a share sample size)

    void fail(const std::string& f) { m_fails.push_back(f); }

    // The key/value pairs of a map node (none when the key is absent).
    static std::vector<std::pair<std::string, std::string>> pairs(const YAML::Node& n) {
        std::vector<std::pair<std::string, std::string>> out;
        if (n && n.IsMap())
            for (auto it = n.begin(); it != n.end(); ++it) out.emplace_back(it->first.Scalar(), it->second.Scalar());
        return out;
    }

    static std::vector<PortRef> parsePorts(const YAML::Node& list) {
        std::vector<PortRef> out;
        if (!list || !list.IsSequence()) return out;
        for (const auto& p : list) {
            std::string s = p.Scalar();
            PortRef r;
            if (auto colon = s.find(':'); colon != std::string::npos) {
                r.name = s.substr(0, colon);
                s = s.substr(colon + 1);
            }
            r.number = std::atoi(s.c_str());
            out.push_back(r);
        }
        return out;
    }

    static std::string behaviourAnnotations(const YAML::Node& c, std::string* error) {
        std::string ann;
        if (const auto bm = c["request"]["backend_behaviour"]; bm && bm.IsMap()) {  // gateway cases
            if (bm["latency_s"])
                ann += "        ingress-lab.dev/latency-ms: \"" + std::to_string(std::lround(bm["latency_s"].as<double>() * 1000)) + "\"\n";
            for (const auto& [name, value] : pairs(bm["response_headers"]))
                ann += "        ingress-lab.dev/header." + name + ": \"" + value + "\"\n";
            for (auto it = bm.begin(); it != bm.end(); ++it)
                if (it->first.Scalar() != "latency_s" && it->first.Scalar() != "response_headers")
                    *error = "unsupported backend_behaviour key '" + it->first.Scalar() + "'";
            return ann;
        }
        const std::string b = caseStr(c["request"]["backend_behaviour"]);
        if (!b.empty()) {
            static const std::regex after(R"(^responds after (\d+(?:\.\d+)?) s$)");
            std::smatch m;
            if (std::regex_match(b, m, after))
                ann += "        ingress-lab.dev/latency-ms: \"" + std::to_string(std::lround(std::stod(m[1].str()) * 1000)) + "\"\n";
            else
                *error = "unsupported backend_behaviour '" + b + "'";
        }
        if (const auto l = c["load"]; l && l["backend_latency_s"])
            ann += "        ingress-lab.dev/latency-ms: \"" + std::to_string(std::lround(l["backend_latency_s"].as<double>() * 1000)) + "\"\n";
        return ann;
    }

    // "ns/name" -> {ns, name}; a bare name is in namespace default.
    static std::pair<std::string, std::string> splitNs(const std::string& key) {
        const auto slash = key.find('/');
        if (slash == std::string::npos) return {"default", key};
        return {key.substr(0, slash), key.substr(slash + 1)};
    }

    std::string workspaceYaml(const YAML::Node& c, const std::string& profile, std::string* error) {
        std::string y = caseStr(profile == "gateway" ? c["gateway"] : c["ingresses"]);
        if (!y.empty() && y.back() != '\n') y += "\n";
        const std::string podAnnotations = behaviourAnnotations(c, error);
        // The affinity cases come from e2e tests whose Service has 2 endpoints: a cookie only matters with a choice.
        const std::string replicas = caseStr(c["category"]) == "affinity" ? "2" : "1";
        auto addServices = [&](const YAML::Node& services, bool withPods) {
            if (!services || !services.IsMap()) return;
            for (auto it = services.begin(); it != services.end(); ++it) {
                const auto [ns, svc] = splitNs(it->first.Scalar());
                const auto ports = parsePorts(it->second);
                if (withPods) m_ports[ns == "default" ? svc : ns + "/" + svc] = ports;
                y += "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: " + svc + "\n  namespace: " + ns + "\nspec:\n"
                     "  selector:\n    app: " + (withPods ? svc : svc + "-no-pods") + "\n  ports:\n";
                for (const auto& p : ports) {
                    const std::string target = "p" + std::to_string(p.number);
                    y += "  - port: " + std::to_string(p.number) + "\n    targetPort: " + target + "\n";
                    if (!p.name.empty()) y += "    name: " + p.name + "\n";
                    else if (ports.size() > 1) y += "    name: " + target + "\n";
                }
                if (!withPods) continue;
                for (const auto& p : ports) {
                    const std::string target = "p" + std::to_string(p.number);
                    y += "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + svc + "-" + target +
                         "\n  namespace: " + ns + "\nspec:\n  replicas: " + replicas + "\n  selector:\n    matchLabels:\n      app: " + svc +
                         "\n      ilab-port: " + target + "\n  template:\n    metadata:\n      labels:\n        app: " + svc +
                         "\n        ilab-port: " + target + "\n" +
                         (podAnnotations.empty() ? std::string() : "      annotations:\n" + podAnnotations) +
                         "    spec:\n      containers:\n      - name: echo\n        image: echo:1.0\n        ports:\n"
                         "        - name: " + target + "\n          containerPort: 8080\n";
                }
            }
        };
        addServices(c["services"], true);
        addServices(c["services_without_endpoints"], false);
        if (const auto secrets = c["secrets"]; secrets && secrets.IsMap()) {
            for (auto it = secrets.begin(); it != secrets.end(); ++it) {
                std::vector<std::string> names;
                for (const auto& n : it->second["dns_names"]) names.push_back(n.Scalar());
                const auto cert = testing::makeSelfSignedCertificate(names);
                if (cert.certPem.empty()) *error = "could not create a certificate for Secret " + it->first.Scalar();
                m_certs[it->first.Scalar()] = cert;
                const auto [ns, name] = splitNs(it->first.Scalar());
                y += "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: " + name +
                     "\n  namespace: " + ns + "\ntype: kubernetes.io/tls\ndata:\n  tls.crt: " +
                     QByteArray::fromStdString(cert.certPem).toBase64().toStdString() + "\n  tls.key: " +
                     QByteArray::fromStdString(cert.keyPem).toBase64().toStdString() + "\n";
            }
        }
        if (const auto cm = caseChild(caseChild(c, "controller_config"), "configmap"); cm && cm.IsMap()) {
            y += "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ingress-nginx-controller\n  namespace: ingress-nginx\ndata:\n";
            for (auto it = cm.begin(); it != cm.end(); ++it) {
                const std::string v = it->second.Scalar();
                y += "  " + it->first.Scalar() + ": '" + QString::fromStdString(v).replace("'", "''").toStdString() + "'\n";
            }
        }
        if (caseStr(c["category"]) == "ingress-class")
            y += "---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: nginx\nspec:\n  controller: k8s.io/ingress-nginx\n";
        return y;
    }

    QStringList serveArgs(const YAML::Node& c, const std::string& profile) const {
        QStringList args{"--profile", QString::fromStdString(profile)};
        if (profile == "gateway") return args;
        // Cases treat every Ingress as claimed (none of them sets a class outside the ingress-class category).
        if (caseStr(c["category"]) != "ingress-class") args << "--controller-arg=--watch-ingress-without-class=true";
        if (const auto fl = caseChild(caseChild(c, "controller_config"), "flags"); fl && fl.IsMap())
            for (auto it = fl.begin(); it != fl.end(); ++it) {
                std::string flag = it->first.Scalar();
                if (flag.rfind("--", 0) != 0) flag = "--" + flag;
                args << QString::fromStdString("--controller-arg=" + flag + "=" + it->second.Scalar());
            }
        return args;
    }

    std::string sourceIpFor(const std::string& clientIp) {
        if (clientIp.empty()) return {};
        auto it = m_sourceIps.find(clientIp);
        if (it != m_sourceIps.end()) return it->second;
        const std::string ip = "127.0.0." + std::to_string(10 + m_sourceIps.size());
        m_sourceIps[clientIp] = ip;
        return ip;
    }

    ClientRequest buildRequest(const YAML::Node& r) {
        ClientRequest q;
        q.method = caseStr(r["method"], "GET");
        q.scheme = caseStr(r["scheme"], "http");
        q.host = caseStr(r["host"]);
        q.path = caseStr(r["path"], "/");
        if (r["sni"] && !r["sni"].IsNull()) q.sni = r["sni"].Scalar();
        else if (m_gateway && q.scheme == "https" && !q.host.empty()) q.sni = q.host.substr(0, q.host.rfind(':'));  // as a browser does
        for (const auto& h : pairs(r["headers"])) q.headers.push_back(h);
        if (const auto ck = r["cookies"]; ck && ck.IsMap()) {
            std::string cookie;
            for (auto it = ck.begin(); it != ck.end(); ++it)
                cookie += (cookie.empty() ? "" : "; ") + it->first.Scalar() + "=" + it->second.Scalar();
            q.headers.emplace_back("Cookie", cookie);
        }
        if (r["body_bytes"]) q.bodyBytes = r["body_bytes"].as<std::uint64_t>();
        q.sourceIp = sourceIpFor(caseStr(r["client_ip"]));
        return q;
    }

    // --- what the echo pod saw ---
    struct Echo {
        bool valid = false;
        std::string service, pod, path, method, ns;
        QJsonObject headers;  // lower-case name -> value (repeated headers joined with ", ")
    };
    static Echo parseEcho(const ClientResponse& resp) {
        Echo e;
        const QJsonDocument d = QJsonDocument::fromJson(QByteArray::fromStdString(resp.body));
        if (!d.isObject()) return e;
        const QJsonObject o = d.object();
        if (!o.contains("pod") || !o.contains("service") || !o.value("headers").isObject()) return e;
        e.valid = true;
        e.service = o.value("service").toString().toStdString();
        e.pod = o.value("pod").toString().toStdString();
        e.path = o.value("path").toString().toStdString();
        e.method = o.value("method").toString().toStdString();
        e.ns = o.value("namespace").toString().toStdString();
        e.headers = o.value("headers").toObject();
        return e;
    }
    static std::optional<std::string> echoHeader(const Echo& e, const std::string& name) {
        const QString key = QString::fromStdString(ClientResponse::lower(name));
        if (!e.headers.contains(key)) return std::nullopt;
        return e.headers.value(key).toString().toStdString();
    }

    // "service:port" the echo pod belongs to (pods are named <service>-p<port>-<hash>-<n>), or "" if unknown.
    std::string echoBackend(const Echo& e) const {
        if (!e.valid) return {};
        const std::string svc = e.ns.empty() || e.ns == "default" ? e.service : e.ns + "/" + e.service;
        const auto it = m_ports.find(svc);
        if (it == m_ports.end()) return svc + ":?";
        for (const auto& p : it->second)
            if (e.pod.rfind(e.service + "-p" + std::to_string(p.number) + "-", 0) == 0) return svc + ":" + std::to_string(p.number);
        return svc + ":?";
    }
    bool backendMatches(const std::string& got, const std::string& want) const {
        if (got == want) return true;
        const auto colon = want.rfind(':');
        if (colon == std::string::npos) return false;
        const std::string svc = want.substr(0, colon), port = want.substr(colon + 1);
        const auto it = m_ports.find(svc);
        if (it == m_ports.end()) return false;
        for (const auto& p : it->second)
            if (p.name == port && got == svc + ":" + std::to_string(p.number)) return true;
        return false;
    }

    // The upstream of this request as the access log names it ([namespace-service-port]), and its address.
    std::pair<std::string, std::string> accessLogUpstream(const ClientRequest& q, long status) {
        // Plain concatenation: the path may hold %-escapes that QString::arg would take for placeholders.
        const QString needle = QString::fromStdString("\"" + q.method + " " + q.path + " HTTP/1.1\" " + std::to_string(status) + " ");
        if (!m_serve->waitForOutput(needle, 5000)) return {"(no access-log line)", "-"};
        const QString out = QString::fromUtf8(m_serve->output);
        const QString line = out.mid(out.lastIndexOf(needle)).section('\n', 0, 0);
        const QRegularExpression re("\\[([^\\]]*)\\] \\[([^\\]]*)\\] (\\S+)");
        const auto m = re.match(line);
        if (!m.hasMatch()) return {"(unparsed access-log line)", "-"};
        return {m.captured(1).toStdString(), m.captured(3).toStdString()};
    }

    std::string describe(const ClientResponse& r, const Echo& e) const {
        if (!r.error.empty()) return "curl: " + r.error;
        std::string s = "got " + std::to_string(r.status);
        if (e.valid) s += " from pod " + e.pod;
        if (auto l = r.header("Location")) s += " location " + *l;
        return s;
    }

    // reverse: a Location from serve -> the case's terms (serve's ports become :80/:443).
    std::string portAdjusted(std::string v, bool isLocation, bool reverse = false) const {
        auto swap = [&](const std::string& from, int to) {
            for (std::size_t p = v.find(from); p != std::string::npos; p = v.find(from, p + 1)) {
                const std::size_t after = p + from.size();
                if (after == v.size() || v[after] == '/' || v[after] == '?') v.replace(p, from.size(), ":" + std::to_string(to));
            }
        };
        if (reverse) {
            swap(":" + std::to_string(m_serve->httpPort), 80);
            swap(":" + std::to_string(m_serve->httpsPort), 443);
            return v;
        }
        if (isLocation) {
            swap(":80", m_serve->httpPort);
            swap(":443", m_serve->httpsPort);
        } else if (v == "80") {
            v = std::to_string(m_serve->httpPort);
        } else if (v == "443") {
            v = std::to_string(m_serve->httpsPort);
        }
        return v;
    }

    // --- certificate checks (OpenSSL on the PEM libcurl reports) ---
    static X509* parsePem(const std::string& pem) {
        BIO* b = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
        X509* x = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
        BIO_free(b);
        return x;
    }
    static std::string nameEntry(X509_NAME* n, int nid) {
        char buf[512] = {0};
        if (X509_NAME_get_text_by_NID(n, nid, buf, sizeof buf) < 0) return {};
        return buf;
    }
    static std::vector<std::string> dnsSans(X509* x) {
        std::vector<std::string> out;
        auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
        if (!names) return out;
        for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
            const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
            if (g->type == GEN_DNS)
                out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(g->d.dNSName)), ASN1_STRING_length(g->d.dNSName));
        }
        GENERAL_NAMES_free(names);
        return out;
    }

    void checkCertificate(const YAML::Node& tc, const ClientResponse& r) {
        if (r.certificatePem.empty()) {
            fail("no server certificate reported for the TLS handshake");
            return;
        }
        X509* got = parsePem(r.certificatePem);
        if (!got) {
            fail("the presented certificate does not parse");
            return;
        }
        const std::string subjectCn = nameEntry(X509_get_subject_name(got), NID_commonName);
        const std::string issuerCn = nameEntry(X509_get_issuer_name(got), NID_commonName);
        const std::string what = "presented certificate CN=" + subjectCn + " issuer CN=" + issuerCn;
        if (tc["secret"]) {
            const std::string secret = caseStr(tc["secret"]);
            const auto it = m_certs.find(secret);
            X509* want = it == m_certs.end() ? nullptr : parsePem(it->second.certPem);
            if (!want) fail("case names Secret " + secret + " that it does not define");
            else if (X509_cmp(got, want) != 0) fail("certificate of Secret " + secret + " expected; " + what);
            if (want) X509_free(want);
        }
        if (tc["default_certificate"] && tc["default_certificate"].as<bool>(false)) {
            for (const auto& [name, cert] : m_certs) {
                X509* other = parsePem(cert.certPem);
                if (other && X509_cmp(got, other) == 0) fail("the default certificate expected, got the one of Secret " + name);
                if (other) X509_free(other);
            }
        }
        if (tc["issuer_cn"] && issuerCn != caseStr(tc["issuer_cn"])) fail("issuer CN " + caseStr(tc["issuer_cn"]) + " expected; " + what);
        if (tc["subject_o"]) {
            const std::string o = nameEntry(X509_get_subject_name(got), NID_organizationName);
            if (o != caseStr(tc["subject_o"])) fail("subject O " + caseStr(tc["subject_o"]) + " expected, got " + o);
        }
        if (tc["dns_names"]) {
            std::vector<std::string> want;
            for (const auto& n : tc["dns_names"]) want.push_back(n.Scalar());
            const auto sans = dnsSans(got);
            if (sans != want) {
                std::string g;
                for (const auto& s : sans) g += (g.empty() ? "" : ",") + s;
                fail("certificate DNS names differ from the case's; got " + g);
            }
        }
        if (tc["verifies_hostname"]) {
            const std::string h = caseStr(tc["verifies_hostname"]);
            if (X509_check_host(got, h.c_str(), h.size(), 0, nullptr) != 1) fail("certificate does not verify for " + h + "; " + what);
        }
        X509_free(got);
    }

    // --- the case ---
    void runCase(const YAML::Node& c, const std::string& profile) {
        static const std::set<std::string> handled = {
            "backend", "status", "location", "rewritten_path", "upstream_method", "upstream_headers", "upstream_headers_absent",
            "upstream_headers_not_equal", "upstream_headers_match", "response_headers", "response_headers_absent",
            "set_cookie_contains", "set_cookie_not_contains", "set_cookie_matches", "canary_share", "tolerance", "tls_certificate", "accepted",
            "rejected", "accepted_status", "reject_status", "note",
            // gateway-cases.yaml (gatewayExpectations())
            "status_any_of", "response_header_any_of", "shares", "tls_handshake", "connection", "mirrored_to", "route_status",
            "listener_status", "source"};
        m_gateway = caseStr(c["profile"]).rfind("gateway-", 0) == 0 || caseStr(c["profile"]) == "conversion";
        const YAML::Node e = m_gateway && profile != "gateway" ? c["ingress_nginx_expect"] : c["expect"];
        if (!e || !e.IsMap()) {
            fail("case has no expect map");
            return;
        }
        for (auto it = e.begin(); it != e.end(); ++it)
            if (!handled.count(it->first.Scalar())) fail("unsupported expectation " + it->first.Scalar());

        std::string error;
        const std::string yaml = workspaceYaml(c, profile, &error);
        if (!error.empty()) {
            fail(error);
            return;
        }
        m_serve = std::make_unique<Serve>();
        m_serve->writeFile("case.yaml", QByteArray::fromStdString(yaml));
        if (!m_serve->start({"case.yaml"}, serveArgs(c, profile))) {
            fail("serve did not start: " + m_serve->output.toStdString());
            return;
        }
        CaseClient client(m_serve->httpPort, m_serve->httpsPort);
        const ClientRequest q = buildRequest(c["request"]);
        m_loadRequests = c["load"] ? c["load"]["requests"].as<int>(0) : 0;
        if (c["load"] && (!m_gateway || e["accepted"] || e["rejected"])) runLoad(c["load"], e, q);
        else checkRequest(e, q, client);  // a gateway case's load only sizes its share sample
        if (const int rc = m_serve->stop(); rc != 0) fail("serve did not exit cleanly after SIGTERM (exit " + std::to_string(rc) + ")");
    }

    // mirrored_to: each listed Service got a RequestMirror copy that its pod answered, and no other Service got one,
    // as serve counts them on its admin listener (ilab_mirror_requests_total, result "answered" = the mirror backend
    // answered the copy). Copies go out beside the client's request, so the counter is polled until they are in.
    void checkMirrors(const YAML::Node& want) {
        std::set<std::string> wanted;  // ns-service-port, as upstream names are written
        for (const auto& w : want) {
            const std::string s = w.Scalar();
            const auto colon = s.rfind(':');
            const auto [ns, svc] = splitNs(s.substr(0, colon));
            wanted.insert(ns + "-" + svc + "-" + (colon == std::string::npos ? std::string() : s.substr(colon + 1)));
        }
        static const std::regex line(R"re(^ilab_mirror_requests_total\{.*,mirror="([^"]*)",result="([^"]*)"\} (\d+)$)re");
        std::map<std::string, std::map<std::string, long>> seen;  // mirror -> result -> count
        CaseClient admin(m_serve->adminPort, 0);
        ClientRequest q;
        q.path = "/metrics";
        for (int attempt = 0; attempt < 100; ++attempt) {  // up to ~10 s for the copies to finish
            seen.clear();
            const ClientResponse r = admin.send(q);
            std::size_t pos = 0;
            while (pos < r.body.size()) {
                std::size_t end = r.body.find('\n', pos);
                if (end == std::string::npos) end = r.body.size();
                std::smatch m;
                const std::string l = r.body.substr(pos, end - pos);
                if (std::regex_match(l, m, line)) seen[m[1].str()][m[2].str()] += std::stol(m[3].str());
                pos = end + 1;
            }
            bool done = true;
            for (const auto& w : wanted)
                if (seen[w]["answered"] + seen[w]["failed"] == 0) done = false;
            if (done) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        for (const auto& w : wanted)
            if (seen[w]["answered"] < 1)
                fail("mirrored_to: no copy to " + w + " was answered by its pod (answered " + std::to_string(seen[w]["answered"]) +
                     ", failed " + std::to_string(seen[w]["failed"]) + ")");
        for (const auto& [mirror, results] : seen)
            if (!wanted.count(mirror) && (results.count("answered") || results.count("failed")))
                fail("mirrored_to: a copy went to " + mirror + ", which the case does not list");
    }

    void checkRequest(const YAML::Node& e, const ClientRequest& q, CaseClient& client) {
        const ClientResponse r = client.send(q);
        const Echo echo = parseEcho(r);
        if (e["status"] && e["status"].IsNull()) {
            checkNothingAnswers(e, q, r, echo);
            return;
        }
        if (!r.error.empty()) {
            fail("request failed: " + r.error);
            return;
        }
        if (e["status"] && r.status != e["status"].as<long>()) fail("status " + caseStr(e["status"]) + " expected; " + describe(r, echo));
        if (const auto any = e["status_any_of"]) {
            bool ok = false;
            for (const auto& st : any) ok = ok || st.as<long>() == r.status;
            if (!ok) fail("status in status_any_of expected; " + describe(r, echo));
        }
        if (e["mirrored_to"]) checkMirrors(e["mirrored_to"]);

        const YAML::Node b = e["backend"];
        if (b && b.IsSequence() && e["shares"]) {
            checkShares(e, q, client, r, echo);
        } else if (b && b.IsSequence()) {
            checkSplit(e, q, client, r, echo);
        } else if (b) {
            const std::string want = b.IsNull() ? "null" : b.Scalar();
            std::string got = echoBackend(echo);
            if (got.empty()) {
                // Not answered by a pod (a proxy-made error, say 504): the access log tells whether one was contacted.
                const auto [upstream, address] = accessLogUpstream(q, r.status);
                got = address == "-" ? "null" : "upstream [" + upstream + "] at " + address;
                if (want != "null" && address != "-") {
                    const auto colon = want.rfind(':');
                    const auto [ns, svc] = splitNs(want.substr(0, colon));
                    if (upstream == ns + "-" + svc + "-" + want.substr(colon + 1)) got = want;
                }
            }
            if (!backendMatches(got, want)) fail("backend " + want + " expected; got " + (got.empty() ? "null" : got) + " (" + describe(r, echo) + ")");
            if (e["canary_share"] && !b.IsNull()) {
                for (int i = 0; i < ALL_SAMPLES; ++i) {
                    const ClientResponse x = client.send(q);
                    const std::string g = echoBackend(parseEcho(x));
                    if (!backendMatches(g, want)) {
                        fail("request " + std::to_string(i) + " went to " + (g.empty() ? "no pod (" + describe(x, Echo{}) + ")" : g) +
                             ", all must reach " + want);
                        break;
                    }
                }
            }
        }
        if (e["location"] && m_gateway) {
            const std::string want = withoutDefaultPort(caseStr(e["location"]));
            const auto got = r.header("Location");
            if (!got || withoutDefaultPort(portAdjusted(*got, false, true)) != want)
                fail("location " + caseStr(e["location"]) + " expected, got " + got.value_or("(absent)"));
        } else if (e["location"]) {
            const std::string want = portAdjusted(caseStr(e["location"]), true);
            const auto got = r.header("Location");
            if (got.value_or("(absent)") != want) fail("location " + want + " expected, got " + got.value_or("(absent)"));
        }
        if (e["rewritten_path"] && (!echo.valid || echo.path != caseStr(e["rewritten_path"])))
            fail("upstream path " + caseStr(e["rewritten_path"]) + " expected, got " + (echo.valid ? echo.path : "(no pod answered)"));
        if (e["upstream_method"] && (!echo.valid || echo.method != caseStr(e["upstream_method"])))
            fail("upstream method " + caseStr(e["upstream_method"]) + " expected, got " + (echo.valid ? echo.method : "(no pod answered)"));
        const bool needEcho = e["upstream_headers"] || e["upstream_headers_absent"] || e["upstream_headers_not_equal"] || e["upstream_headers_match"];
        if (needEcho && !echo.valid) fail("upstream headers expected, but no pod answered (" + describe(r, echo) + ")");
        if (needEcho && echo.valid) {
            for (const auto& [name, value] : pairs(e["upstream_headers"])) {
                const std::string want = ClientResponse::lower(name) == "x-forwarded-port" ? portAdjusted(value, false) : value;
                const auto v = echoHeader(echo, name);
                if (v.value_or("\x01") != want) fail("upstream header " + name + ": " + want + " expected, got " + v.value_or("(absent)"));
            }
            if (const auto ua = e["upstream_headers_absent"])
                for (const auto& n : ua)
                    if (auto v = echoHeader(echo, n.Scalar())) fail("upstream header " + n.Scalar() + " must be absent, got " + *v);
            for (const auto& [name, value] : pairs(e["upstream_headers_not_equal"])) {
                const auto v = echoHeader(echo, name);
                if (v && *v == value) fail("upstream header " + name + " must not be " + *v);
            }
            for (const auto& [name, pattern] : pairs(e["upstream_headers_match"])) {
                const auto v = echoHeader(echo, name);
                if (!v || !std::regex_search(*v, std::regex(pattern)))
                    fail("upstream header " + name + " must match " + pattern + ", got " + v.value_or("(absent)"));
            }
        }
        for (const auto& [name, value] : pairs(e["response_headers"])) {
            const auto v = r.header(name);
            const bool ok = v && (m_gateway && isListHeader(name) ? tokens(*v) == tokens(value) : *v == value);
            if (!ok) fail("response header " + name + ": " + value + " expected, got " + v.value_or("(absent)"));
        }
        if (const auto ao = e["response_header_any_of"]; ao && ao.IsMap())
            for (auto it = ao.begin(); it != ao.end(); ++it) {
                const auto v = r.header(it->first.Scalar());
                bool ok = false;
                for (const auto& x : it->second) ok = ok || (v && tokens(*v) == tokens(x.Scalar()));
                if (!ok) fail("response header " + it->first.Scalar() + " not one of the accepted values, got " + v.value_or("(absent)"));
            }
        if (const auto ra = e["response_headers_absent"])
            for (const auto& n : ra)
                if (auto v = r.header(n.Scalar())) fail("response header " + n.Scalar() + " must be absent, got " + *v);
        std::string cookies;
        for (const auto& v : r.headerValues("Set-Cookie")) cookies += (cookies.empty() ? "" : " | ") + v;
        if (const auto sc = e["set_cookie_contains"])
            for (const auto& s : sc)
                if (cookies.find(s.Scalar()) == std::string::npos)
                    fail("Set-Cookie must contain '" + s.Scalar() + "', got " + (cookies.empty() ? "(no Set-Cookie)" : cookies));
        if (const auto sn = e["set_cookie_not_contains"])
            for (const auto& s : sn)
                if (cookies.find(s.Scalar()) != std::string::npos) fail("Set-Cookie must not contain '" + s.Scalar() + "', got " + cookies);
        if (const auto sm = e["set_cookie_matches"])
            for (const auto& s : sm)
                if (!std::regex_search(cookies, std::regex(s.Scalar())))
                    fail("Set-Cookie must match '" + s.Scalar() + "', got " + (cookies.empty() ? "(no Set-Cookie)" : cookies));
        if (e["tls_certificate"]) checkCertificate(e["tls_certificate"], r);
    }

    // --- gateway-cases.yaml expectations ---
    // "http://h:80/x" and "http://h/x" are equal (conformance/utils/http CompareRoundTrip).
    static std::string withoutDefaultPort(std::string s) {
        for (const auto& [scheme, port] : {std::pair<std::string, std::string>{"http://", ":80"}, {"https://", ":443"}}) {
            if (s.rfind(scheme, 0) != 0) continue;
            const auto end = s.find_first_of("/?", scheme.size());
            const std::string authority = s.substr(scheme.size(), end == std::string::npos ? std::string::npos : end - scheme.size());
            if (authority.size() > port.size() && authority.compare(authority.size() - port.size(), port.size(), port) == 0)
                s.erase(scheme.size() + authority.size() - port.size(), port.size());
        }
        return s;
    }
    static bool isListHeader(const std::string& name) {
        const std::string n = ClientResponse::lower(name);
        return n == "access-control-allow-methods" || n == "access-control-allow-headers" || n == "access-control-expose-headers";
    }
    // Comma-separated tokens, case-insensitive, whitespace ignored (HTTPRouteCORS compares them as sets).
    static std::set<std::string> tokens(const std::string& v) {
        std::set<std::string> out;
        std::string cur;
        for (char ch : v + ",") {
            if (ch == ',') {
                if (!cur.empty()) out.insert(cur);
                cur.clear();
            } else if (ch != ' ' && ch != '\t') {
                cur += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            }
        }
        return out;
    }

    // status null: nothing may answer. HTTPS: the TLS handshake must fail (no listener/certificate for the name).
    // Plain HTTP: serve always listens on its HTTP port, so "no listener" is the proxy's own 404 without a backend
    // (what the routing runner accepts too).
    void checkNothingAnswers(const YAML::Node& e, const ClientRequest& q, const ClientResponse& r, const Echo& echo) {
        if (q.scheme == "https") {
            if (r.error.empty()) fail("the TLS handshake must fail (" + caseStr(e["tls_handshake"], "no listener") + "); " + describe(r, echo));
            return;
        }
        if (!r.error.empty()) return;  // refused: nothing answered
        if (r.status != 404 || echo.valid) fail("no answer (no listener) expected; " + describe(r, echo));
        else if (accessLogUpstream(q, r.status).second != "-") fail("no listener expected, but the proxy contacted an upstream");
    }

    // `backend: [a, b, ...]` + `shares {backend: fraction}` (+ a numeric `tolerance`): max(load.requests, 400) requests;
    // every one reaches a listed backend and each share is within max(tolerance, 4 binomial standard deviations).
    void checkShares(const YAML::Node& e, const ClientRequest& q, CaseClient& client, const ClientResponse& first, const Echo& firstEcho) {
        std::set<std::string> allowed;
        for (const auto& x : e["backend"]) allowed.insert(x.Scalar());
        const int n = std::max(CANARY_SAMPLES, m_loadRequests);
        std::map<std::string, int> counts;
        auto count = [&](const ClientResponse& x, const Echo& ex) {
            std::string got = echoBackend(ex);
            if (got.empty()) got = describe(x, ex);
            for (const auto& a : allowed)
                if (backendMatches(got, a)) got = a;
            counts[got]++;
        };
        count(first, firstEcho);
        for (int i = 1; i < n; ++i) {
            const ClientResponse x = client.send(q);
            count(x, parseEcho(x));
        }
        for (const auto& [k, v] : counts)
            if (!allowed.count(k)) fail(std::to_string(v) + " of " + std::to_string(n) + " requests went to " + k + ", not a listed backend");
        const double tolerance = e["tolerance"].as<double>(0.0);  // often prose ("+/-0.05 ..."): then 4 sigma alone
        for (auto it = e["shares"].begin(); it != e["shares"].end(); ++it) {
            const double want = it->second.as<double>();
            const double got = static_cast<double>(counts[it->first.Scalar()]) / n;
            const double tol = std::max(tolerance, 4.0 * std::sqrt(want * (1 - want) / n)) + 1e-9;
            if (std::fabs(got - want) > tol)
                fail("share of " + it->first.Scalar() + " " + std::to_string(got) + " over " + std::to_string(n) + " requests not within " +
                     std::to_string(tol) + " of " + std::to_string(want));
        }
    }

    // Weighted split: CANARY_SAMPLES requests; the share reaching the canary (second entry) must be within 4 binomial
    // standard deviations of canary_share.
    void checkSplit(const YAML::Node& e, const ClientRequest& q, CaseClient& client, const ClientResponse& first, const Echo& firstEcho) {
        const YAML::Node b = e["backend"];
        const std::string mainB = b[0].Scalar(), canaryB = b[1].Scalar();
        int canary = 0, other = 0;
        std::string otherExample;
        auto count = [&](const ClientResponse& x, const Echo& ex) {
            const std::string got = echoBackend(ex);
            if (backendMatches(got, canaryB)) ++canary;
            else if (!backendMatches(got, mainB)) {
                ++other;
                if (otherExample.empty()) otherExample = got.empty() ? describe(x, ex) : got;
            }
        };
        count(first, firstEcho);
        for (int i = 1; i < CANARY_SAMPLES; ++i) {
            const ClientResponse x = client.send(q);
            count(x, parseEcho(x));
        }
        if (other) fail(std::to_string(other) + " of " + std::to_string(CANARY_SAMPLES) + " requests reached neither " + mainB + " nor " + canaryB + " (e.g. " + otherExample + ")");
        if (e["canary_share"]) {
            const double p = e["canary_share"].as<double>();
            const double share = static_cast<double>(canary) / CANARY_SAMPLES;
            const double tol = 4.0 * std::sqrt(p * (1 - p) / CANARY_SAMPLES) + 1e-9;
            if (std::fabs(share - p) > tol)
                fail("canary share " + std::to_string(share) + " over " + std::to_string(CANARY_SAMPLES) + " requests not within " + std::to_string(tol) + " of " + std::to_string(p));
        }
    }

    // `load`: requests spread over `concurrency` connections, each sending one every spacing_ms; counts accepted
    // (accepted_status, default 200) and rejected (reject_status, default 503) answers.
    void runLoad(const YAML::Node& load, const YAML::Node& e, const ClientRequest& base) {
        const int n = load["requests"].as<int>(1);
        const int conc = std::max(1, load["concurrency"].as<int>(1));
        const int spacing = load["spacing_ms"].as<int>(0);
        std::vector<std::string> paths, ips;
        for (const auto& p : load["paths_round_robin"]) paths.push_back(p.Scalar());
        for (const auto& p : load["client_ips_round_robin"]) ips.push_back(sourceIpFor(p.Scalar()));
        const std::string oneIp = load["client_ip"] ? sourceIpFor(caseStr(load["client_ip"])) : base.sourceIp;
        std::vector<ClientResponse> results(static_cast<std::size_t>(n));
        auto worker = [&](int t) {
            CaseClient client(m_serve->httpPort, m_serve->httpsPort);
            for (int i = t; i < n; i += conc) {
                if (i != t && spacing > 0) std::this_thread::sleep_for(std::chrono::milliseconds(spacing));  // the case's pacing
                ClientRequest q = base;
                if (!paths.empty()) q.path = paths[static_cast<std::size_t>(i) % paths.size()];
                q.sourceIp = ips.empty() ? oneIp : ips[static_cast<std::size_t>(i) % ips.size()];
                results[static_cast<std::size_t>(i)] = client.send(q);
            }
        };
        std::vector<std::thread> threads;
        for (int t = 1; t < conc; ++t) threads.emplace_back(worker, t);
        worker(0);
        for (auto& t : threads) t.join();
        const long acceptedStatus = e["accepted_status"].as<long>(200), rejectStatus = e["reject_status"].as<long>(503);
        int accepted = 0, rejected = 0;
        std::map<std::string, int> others;
        for (const auto& r : results) {
            if (!r.error.empty()) others["curl: " + r.error]++;
            else if (r.status == acceptedStatus) ++accepted;
            else if (r.status == rejectStatus) ++rejected;
            else others["status " + std::to_string(r.status)]++;
        }
        if (e["accepted"] && accepted != e["accepted"].as<int>())
            fail("accepted " + caseStr(e["accepted"]) + " expected, got " + std::to_string(accepted) + " (rejected " + std::to_string(rejected) + ")");
        if (e["rejected"] && rejected != e["rejected"].as<int>())
            fail("rejected " + caseStr(e["rejected"]) + " expected, got " + std::to_string(rejected) + " (accepted " + std::to_string(accepted) + ")");
        for (const auto& [what, count] : others) fail(std::to_string(count) + " answers were neither accepted nor rejected: " + what);
    }
};

}  // namespace ilab::e2e
