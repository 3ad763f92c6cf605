#pragma once

// Conformance runner over tests/conformance/cases.yaml (a copy of ../shared/conformance/cases.yaml): builds a
// workspace per case, routes the request with RouteTable, and compares with `expect` (and, for k8s-spec cases,
// `ingress_nginx_divergence` under the ingress-nginx profile). Header-only: included by conformance_test.cpp.

#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <QByteArray>

#include <yaml-cpp/yaml.h>

#include "core/routing/route_table.h"
#include "core/routing/uri.h"
#include "core/yaml/yaml_reader.h"
#include "test_certs.h"

namespace ilab::testing {

struct CaseOutcome {
    std::string id, category, profile;  // profile checked: "ingress-nginx" | "kubernetes"
    bool passed = false;
    std::string failure;                 // "" when passed
};

inline const std::set<std::string>& routedCategories() {
    static const std::set<std::string> cats = {"path", "path-regex", "host", "multi-ingress", "default-backend", "tls",
                                               "ssl-redirect", "canary", "rewrite", "redirect", "cors", "body-size",
                                               "access-control", "ingress-class", "headers", "upstream-errors"};
    return cats;
}

class ConformanceRunner {
public:
    static constexpr int SAMPLES = 4000;

    // Returns false when the case is out of scope (not decidable by route()).
    bool inScope(const YAML::Node& c) const {
        const std::string cat = c["category"].as<std::string>("");
        if (!routedCategories().count(cat)) return false;
        if (!c["request"] || c["request"].IsNull()) return false;
        if (c["request"]["backend_behaviour"]) return false;  // needs a live upstream (timeouts, 502/504)
        return true;
    }

    std::vector<CaseOutcome> run(const YAML::Node& c) {
        std::vector<CaseOutcome> out;
        const std::string profile = c["profile"].as<std::string>("both");
        if (profile == "both" || profile == "ingress-nginx") out.push_back(check(c, routing::Profile::IngressNginx, false));
        if (profile == "both" || profile == "k8s-spec") out.push_back(check(c, routing::Profile::Kubernetes, false));
        if (profile == "k8s-spec" && c["ingress_nginx_divergence"]) out.push_back(check(c, routing::Profile::IngressNginx, true));
        return out;
    }

private:
    std::map<std::string, TestCertificate> m_certCache;

    static std::string str(const YAML::Node& n, const std::string& def = {}) {
        return n && n.IsScalar() ? n.Scalar() : def;
    }

    model::Workspace buildWorkspace(const YAML::Node& c, routing::EndpointMap& eps) {
        model::Workspace ws;
        const std::string id = str(c["id"]);
        yaml::readText(str(c["ingresses"]), id + ".yaml", ws);
        std::string extra;
        auto addServices = [&](const YAML::Node& services, bool withEndpoints) {
            if (!services || !services.IsMap()) return;
            for (auto it = services.begin(); it != services.end(); ++it) {
                const std::string name = it->first.Scalar();
                extra += "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\n  namespace: default\nspec:\n  ports:\n";
                for (const auto& p : it->second) {
                    std::string s = p.Scalar();
                    std::string portName;
                    if (auto colon = s.find(':'); colon != std::string::npos) {
                        portName = s.substr(0, colon);
                        s = s.substr(colon + 1);
                    }
                    extra += "  - port: " + s + "\n";
                    if (!portName.empty()) extra += "    name: " + portName + "\n";
                    if (withEndpoints) {
                        const int port = std::stoi(s);
                        eps[routing::EndpointKey{"default", name, port}] = {{"10.0.0.1", port, name + "-0"}};
                    }
                }
            }
        };
        addServices(c["services"], true);
        addServices(c["services_without_endpoints"], false);
        if (const auto secrets = c["secrets"]; secrets && secrets.IsMap()) {
            for (auto it = secrets.begin(); it != secrets.end(); ++it) {
                std::vector<std::string> names;
                for (const auto& n : it->second["dns_names"]) names.push_back(n.Scalar());
                std::string key;
                for (const auto& n : names) key += n + ",";
                if (!m_certCache.count(key)) m_certCache[key] = makeSelfSignedCertificate(names);
                const auto& cert = m_certCache[key];
                extra += "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: " + it->first.Scalar() +
                         "\n  namespace: default\ntype: kubernetes.io/tls\ndata:\n  tls.crt: " +
                         QByteArray::fromStdString(cert.certPem).toBase64().toStdString() + "\n  tls.key: " +
                         QByteArray::fromStdString(cert.keyPem).toBase64().toStdString() + "\n";
            }
        }
        if (str(c["category"]) == "ingress-class")
            extra += "---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: nginx\nspec:\n  controller: k8s.io/ingress-nginx\n";
        if (!extra.empty()) yaml::readText(extra, id + "-fixtures.yaml", ws);
        return ws;
    }

    static routing::RequestView buildRequest(const YAML::Node& r) {
        routing::RequestView req;
        req.method = str(r["method"], "GET");
        req.scheme = str(r["scheme"], "http");
        req.host = str(r["host"]);
        if (req.host.empty()) req.host = "192.0.2.10";  // "" = sent to the controller's IP
        req.target = str(r["path"], "/");
        req.listenPort = req.scheme == "https" ? 443 : 80;
        if (const auto h = r["headers"]; h && h.IsMap())
            for (auto it = h.begin(); it != h.end(); ++it) req.headers.emplace_back(it->first.Scalar(), it->second.Scalar());
        if (const auto ck = r["cookies"]; ck && ck.IsMap()) {
            std::string cookie;
            for (auto it = ck.begin(); it != ck.end(); ++it)
                cookie += (cookie.empty() ? "" : "; ") + it->first.Scalar() + "=" + it->second.Scalar();
            req.headers.emplace_back("Cookie", cookie);
        }
        if (r["sni"] && !r["sni"].IsNull()) req.sni = r["sni"].Scalar();
        if (r["client_ip"]) req.clientIp = r["client_ip"].Scalar();
        if (r["body_bytes"]) req.contentLength = r["body_bytes"].as<std::uint64_t>();
        return req;
    }

    static std::optional<std::string> header(const std::vector<std::pair<std::string, std::string>>& hs, const std::string& name) {
        std::optional<std::string> v;
        for (const auto& [k, val] : hs)
            if (routing::toLower(k) == routing::toLower(name)) v = val;
        return v;
    }

    static std::string backendText(const routing::Decision& d) {
        if (!d.contactsBackend() || !d.backend) return "null";
        const auto& b = (d.endpoints && d.endpoints->empty() && d.fallbackBackend) ? *d.fallbackBackend : *d.backend;
        return b.service + ":" + b.port;
    }

    static std::string describe(const routing::Decision& d) {
        std::string s = "got status " + std::to_string(d.clientStatus()) + " backend " + backendText(d);
        if (!d.location.empty()) s += " location " + d.location;
        if (!d.upstreamPath.empty()) s += " path " + d.upstreamPath;
        if (d.tlsCertificate) s += " cert " + *d.tlsCertificate;
        return s;
    }

    // Follows redirects (the conformance harness does) on the same table.
    static routing::Decision follow(const routing::RouteTable& table, routing::RequestView req, routing::Decision d) {
        for (int hop = 0; hop < 5 && d.action == routing::Decision::Action::Redirect; ++hop) {
            std::string loc = d.location;
            auto p = loc.find("://");
            if (p == std::string::npos) break;
            req.scheme = loc.substr(0, p);
            std::string rest = loc.substr(p + 3);
            auto slash = rest.find('/');
            req.host = slash == std::string::npos ? rest : rest.substr(0, slash);
            req.target = slash == std::string::npos ? "/" : rest.substr(slash);
            req.listenPort = req.scheme == "https" ? 443 : 80;
            if (req.scheme == "https") req.sni = routing::hostWithoutPort(req.host);
            d = table.route(req, 7, false);
        }
        return d;
    }

    CaseOutcome check(const YAML::Node& c, routing::Profile profile, bool divergence) {
        CaseOutcome o;
        o.id = str(c["id"]);
        o.category = str(c["category"]);
        o.profile = routing::toString(profile);
        routing::EndpointMap eps;
        model::Workspace ws = buildWorkspace(c, eps);
        routing::ControllerSettings settings;
        settings.profile = profile;
        settings.claimAllIngresses = o.category != "ingress-class";
        settings.compileOtherProfile = false;
        if (const auto cc = c["controller_config"]) {
            if (const auto cm = cc["configmap"]; cm && cm.IsMap())
                for (auto it = cm.begin(); it != cm.end(); ++it) settings.configMap[it->first.Scalar()] = it->second.Scalar();
            if (const auto fl = cc["flags"]; fl && fl.IsMap())
                for (auto it = fl.begin(); it != fl.end(); ++it) {
                    std::string err;
                    std::string flag = it->first.Scalar();
                    if (flag.rfind("--", 0) != 0) flag = "--" + flag;
                    if (!settings.applyControllerArg(flag + "=" + it->second.Scalar(), &err)) {
                        o.failure = "controller flag: " + err;
                        return o;
                    }
                }
        }
        const auto result = routing::RouteTable::compile(ws, settings, &eps);
        const routing::RequestView req = buildRequest(c["request"]);
        std::vector<std::string> fails;

        if (divergence) {
            const YAML::Node div = c["ingress_nginx_divergence"];
            routing::Decision d = result.table->route(req, 7, false);
            if (const auto first = div["first_response"]) {
                if (first["status"] && d.clientStatus() != first["status"].as<int>())
                    fails.push_back("first_response status " + str(first["status"]) + " expected; " + describe(d));
                if (first["location"] && d.location != str(first["location"]))
                    fails.push_back("first_response location " + str(first["location"]) + " expected; " + describe(d));
            }
            const YAML::Node fin = div["final_after_following"] ? div["final_after_following"] : (div["first_response"] ? YAML::Node() : div);
            if (fin && fin.IsMap()) {
                routing::Decision f = follow(*result.table, req, d);
                if (fin["status"] && f.clientStatus() != fin["status"].as<int>())
                    fails.push_back("final status " + str(fin["status"]) + " expected; " + describe(f));
                if (fin["backend"]) {
                    const std::string want = fin["backend"].IsNull() ? "null" : str(fin["backend"]);
                    if (backendText(f) != want) fails.push_back("final backend " + want + " expected; " + describe(f));
                }
                if (fin["location"] && f.location != str(fin["location"]))
                    fails.push_back("final location " + str(fin["location"]) + " expected; " + describe(f));
            }
        } else {
            checkExpect(c["expect"], *result.table, req, fails);
        }
        o.passed = fails.empty();
        for (const auto& f : fails) o.failure += (o.failure.empty() ? "" : "; ") + f;
        return o;
    }

    static void checkExpect(const YAML::Node& e, const routing::RouteTable& table, const routing::RequestView& req,
                            std::vector<std::string>& fails) {
        static const std::set<std::string> handled = {"backend", "status", "location", "rewritten_path", "upstream_headers",
                                                      "upstream_headers_absent", "upstream_headers_not_equal", "upstream_method",
                                                      "response_headers", "response_headers_absent", "tls_certificate",
                                                      "canary_share", "tolerance", "note"};
        for (auto it = e.begin(); it != e.end(); ++it)
            if (!handled.count(it->first.Scalar())) fails.push_back("unsupported expectation " + it->first.Scalar());
        const routing::Decision d = table.route(req, 7, false);
        if (e["status"] && d.clientStatus() != e["status"].as<int>())
            fails.push_back("status " + str(e["status"]) + " expected; " + describe(d));
        const YAML::Node b = e["backend"];
        if (b && b.IsSequence()) {
            // Weighted split: N seeded samples; the share reaching the canary (second entry) must be within a
            // binomial tolerance of canary_share (4 standard deviations; exact for 0 and 1).
            const std::string mainB = b[0].Scalar(), canaryB = b[1].Scalar();
            std::mt19937_64 rng(20261126);
            int canary = 0, other = 0;
            for (int i = 0; i < SAMPLES; ++i) {
                const routing::Decision x = table.route(req, rng(), false);
                const std::string got = backendText(x);
                if (got == canaryB) ++canary;
                else if (got != mainB) ++other;
            }
            if (other) fails.push_back(std::to_string(other) + " samples went to neither " + mainB + " nor " + canaryB);
            if (e["canary_share"]) {
                const double p = e["canary_share"].as<double>();
                const double share = static_cast<double>(canary) / SAMPLES;
                const double tol = 4.0 * std::sqrt(p * (1 - p) / SAMPLES) + 1e-9;
                if (std::fabs(share - p) > tol)
                    fails.push_back("canary share " + std::to_string(share) + " not within " + std::to_string(tol) + " of " + std::to_string(p));
            }
        } else if (b) {
            const std::string want = b.IsNull() ? "null" : b.Scalar();
            if (backendText(d) != want) fails.push_back("backend " + want + " expected; " + describe(d));
            if (e["canary_share"] && !b.IsNull()) {
                std::mt19937_64 rng(42);
                for (int i = 0; i < 500; ++i) {
                    const routing::Decision x = table.route(req, rng(), false);
                    if (backendText(x) != want) {
                        fails.push_back("sample " + std::to_string(i) + " went to " + backendText(x) + ", all must reach " + want);
                        break;
                    }
                }
            }
        }
        if (e["location"] && d.location != str(e["location"]))
            fails.push_back("location " + str(e["location"]) + " expected; " + describe(d));
        if (e["rewritten_path"] && d.upstreamPath != str(e["rewritten_path"]))
            fails.push_back("rewritten path " + str(e["rewritten_path"]) + " expected; " + describe(d));
        if (e["upstream_method"] && str(e["upstream_method"]) != req.method)
            fails.push_back("upstream method " + str(e["upstream_method"]) + " expected");
        if (const auto uh = e["upstream_headers"])
            for (auto it = uh.begin(); it != uh.end(); ++it) {
                auto v = header(d.upstreamHeaders, it->first.Scalar());
                if (!v || *v != it->second.Scalar())
                    fails.push_back("upstream header " + it->first.Scalar() + ": " + it->second.Scalar() + " expected, got " + v.value_or("(absent)"));
            }
        if (const auto ua = e["upstream_headers_absent"])
            for (const auto& n : ua)
                if (header(d.upstreamHeaders, n.Scalar())) fails.push_back("upstream header " + n.Scalar() + " must be absent");
        if (const auto ne = e["upstream_headers_not_equal"])
            for (auto it = ne.begin(); it != ne.end(); ++it) {
                auto v = header(d.upstreamHeaders, it->first.Scalar());
                if (v && *v == it->second.Scalar()) fails.push_back("upstream header " + it->first.Scalar() + " must not be " + *v);
            }
        if (const auto rh = e["response_headers"])
            for (auto it = rh.begin(); it != rh.end(); ++it) {
                auto v = header(d.responseHeaders, it->first.Scalar());
                if (!v || *v != it->second.Scalar())
                    fails.push_back("response header " + it->first.Scalar() + ": " + it->second.Scalar() + " expected, got " + v.value_or("(absent)"));
            }
        if (const auto ra = e["response_headers_absent"])
            for (const auto& n : ra)
                if (header(d.responseHeaders, n.Scalar())) fails.push_back("response header " + n.Scalar() + " must be absent");
        if (const auto tc = e["tls_certificate"]) {
            std::string want = tc["secret"] ? "default/" + str(tc["secret"]) : (tc["default_certificate"] ? "default" : "?");
            if (d.tlsCertificate.value_or("(none)") != want)
                fails.push_back("certificate " + want + " expected, got " + d.tlsCertificate.value_or("(none)"));
        }
    }
};

// KNOWN_GAPS.md: lines "- `case-id` (profile): reason" (profile optional = every profile).
inline std::map<std::string, std::string> parseKnownGaps(const std::string& text) {
    std::map<std::string, std::string> gaps;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        if (line.rfind("- `", 0) != 0) continue;
        const auto close = line.find('`', 3);
        if (close == std::string::npos) continue;
        std::string key = line.substr(3, close - 3);
        std::string rest = line.substr(close + 1);
        if (rest.rfind(" (", 0) == 0) {
            const auto p = rest.find(')');
            if (p != std::string::npos) {
                key += "@" + rest.substr(2, p - 2);
                rest = rest.substr(p + 1);
            }
        }
        gaps[key] = rest;
    }
    return gaps;
}

}  // namespace ilab::testing
