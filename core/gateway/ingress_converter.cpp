#include "core/gateway/ingress_converter.h"

#include <algorithm>
#include <map>
#include <set>

#include <QUrl>

namespace ilab::gateway {

namespace {

const std::string NGX = "nginx.ingress.kubernetes.io/";

std::string nameFromHost(const std::string& host) {
    std::string out;
    bool dash = false;
    for (char c : host) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            if (dash && !out.empty()) out += '-';
            dash = false;
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else {
            dash = true;
        }
    }
    return out;
}

std::string q(const std::string& s) {  // YAML single-quoted scalar
    std::string o = "'";
    for (char c : s) o += c == '\'' ? std::string("''") : std::string(1, c);
    return o + "'";
}

std::vector<std::string> splitList(const std::string& v) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : v + ",") {
        if (c == ',') {
            while (!cur.empty() && cur.front() == ' ') cur.erase(cur.begin());
            while (!cur.empty() && cur.back() == ' ') cur.pop_back();
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    return out;
}

const std::set<std::string>& parsedAnnotations() {
    static const std::set<std::string> keys = {
        "canary", "canary-weight", "canary-weight-total", "canary-by-header", "canary-by-header-value", "canary-by-header-pattern",
        "canary-by-cookie", "use-regex", "rewrite-target", "x-forwarded-prefix", "app-root", "permanent-redirect",
        "permanent-redirect-code", "temporal-redirect", "temporal-redirect-code", "from-to-www-redirect", "ssl-redirect",
        "upstream-vhost", "connection-proxy-header", "enable-cors", "cors-allow-origin", "cors-allow-methods", "cors-allow-headers",
        "cors-expose-headers", "cors-allow-credentials", "cors-max-age", "proxy-connect-timeout", "proxy-read-timeout",
        "proxy-send-timeout", "proxy-body-size", "client-body-buffer-size", "whitelist-source-range", "denylist-source-range",
        "backend-protocol", "ssl-passthrough", "affinity", "session-cookie-expires"};
    return keys;
}

struct Backend {
    std::string name;
    std::string port;  // number
    int weight = -1;   // -1 = unset
    bool isResource = false;
    std::string group, kind;
};

struct PathRule {
    std::string type;  // Exact | PathPrefix | RegularExpression
    std::string path;
    std::vector<Backend> backends;
    const model::Ingress* ing = nullptr;  // first non-canary Ingress
    const model::Ingress* canary = nullptr;
    Backend canaryBackend;
};

struct HostGroup {
    std::string ns, host;
    std::string routeName;
    std::vector<PathRule> rules;
    std::set<std::string> secrets;
    bool tls = false;
    bool tlsRedirect = false;
    bool regex = false;
};

std::string durationOf(const std::string& v) {  // nginx seconds -> Gateway duration × 10
    try {
        return std::to_string(std::stoi(v) * 10) + "s";
    } catch (...) {
        return "";
    }
}

}  // namespace

Conversion convertIngresses(const model::Workspace& ws, const std::string& cls) {
    Conversion out;
    std::vector<const model::Ingress*> ings;
    for (const auto* i : ws.all<model::Ingress>()) {
        const std::string c = i->spec.ingressClassName.value_or(i->meta.annotation("kubernetes.io/ingress.class"));
        if (c != cls) {
            out.notes.push_back("Ingress " + i->meta.qualifiedName() + ": class '" + c + "' is not '" + cls + "', skipped");
            continue;
        }
        ings.push_back(i);
    }
    std::sort(ings.begin(), ings.end(), [](auto* a, auto* b) { return a->meta.name < b->meta.name; });
    std::map<std::string, std::vector<HostGroup>> byNs;  // ns -> host groups (in first-seen order)
    std::map<std::string, std::vector<std::string>> defaultRoutes;  // ns -> route documents
    auto note = [&](const model::Ingress& i, const std::string& s) { out.notes.push_back("Ingress " + i.meta.qualifiedName() + ": " + s); };
    auto toBackend = [&](const model::IngressBackend& b) {
        Backend x;
        if (b.service) {
            x.name = b.service->name;
            if (b.service->port.number) x.port = std::to_string(*b.service->port.number);
            else if (b.service->port.name) {
                const model::Service* svc = ws.service("default", b.service->name);
                if (svc)
                    for (const auto& p : svc->ports)
                        if (p.name == *b.service->port.name) x.port = std::to_string(p.port);
            }
        } else if (b.resource) {
            x.isResource = true;
            x.name = b.resource->name;
            x.kind = b.resource->kind;
            x.group = b.resource->apiGroup.value_or("");
        }
        return x;
    };
    for (const auto* i : ings) {
        for (const auto& [k, v] : i->meta.annotations)
            if (k.rfind(NGX, 0) == 0 && !parsedAnnotations().count(k.substr(NGX.size()))) note(*i, "Unsupported annotation " + k);
        for (const char* k : {"canary-by-cookie", "canary-by-header-pattern", "proxy-body-size", "client-body-buffer-size", "whitelist-source-range",
                              "denylist-source-range", "affinity", "custom-headers"})
            if (i->meta.hasAnnotation(NGX + k)) note(*i, std::string("annotation ") + NGX + k + " is not converted by the standard emitter");
        const bool isCanary = i->meta.annotation(NGX + "canary") == "true";
        auto& groups = byNs[i->meta.ns];
        if (i->spec.defaultBackend && !isCanary) {
            const Backend b = toBackend(*i->spec.defaultBackend);
            defaultRoutes[i->meta.ns].push_back("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: " + i->meta.name +
                                                "-default-backend\n  namespace: " + i->meta.ns + "\nspec:\n  parentRefs:\n  - name: " + cls +
                                                "\n  rules:\n  - backendRefs:\n    - name: " + b.name + "\n      port: " + b.port + "\n");
        }
        for (const auto& rule : i->spec.rules) {
            const std::string host = rule.host.value_or("");
            auto it = std::find_if(groups.begin(), groups.end(), [&](const HostGroup& g) { return g.host == host; });
            if (it == groups.end()) {
                HostGroup g;
                g.ns = i->meta.ns;
                g.host = host;
                g.routeName = i->meta.name + "-" + (host.empty() ? "all-hosts" : nameFromHost(host));
                groups.push_back(g);
                it = groups.end() - 1;
            }
            if (!i->spec.tls.empty() && !host.empty()) {
                it->tls = true;
                for (const auto& t : i->spec.tls) it->secrets.insert(t.secretName.value_or(""));
                if (i->meta.annotation(NGX + "ssl-redirect", "true") != "false") it->tlsRedirect = true;
            }
            if (!isCanary && !host.empty() && (i->meta.annotation(NGX + "use-regex") == "true" || i->meta.hasAnnotation(NGX + "rewrite-target")))
                it->regex = true;
            if (!rule.http) continue;
            for (const auto& p : rule.http->paths) {
                const std::string pt = p.pathType.value_or("Prefix");
                const std::string type = pt == "Exact" ? "Exact" : "PathPrefix";
                const std::string path = p.path.value_or("/");
                auto pr = std::find_if(it->rules.begin(), it->rules.end(), [&](const PathRule& r) { return r.type == type && r.path == path; });
                if (pr == it->rules.end()) {
                    it->rules.push_back(PathRule{type, path, {}, nullptr, nullptr, {}});
                    pr = it->rules.end() - 1;
                }
                const Backend b = toBackend(p.backend);
                if (isCanary) {
                    pr->canary = i;
                    pr->canaryBackend = b;
                } else {
                    if (!pr->ing) pr->ing = i;
                    auto same = std::find_if(pr->backends.begin(), pr->backends.end(), [&](const Backend& x) { return x.name == b.name && x.port == b.port; });
                    if (same == pr->backends.end()) pr->backends.push_back(b);
                }
            }
        }
    }

    for (auto& [ns, groups] : byNs) {
        // Gateway
        std::string gw = "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: " + cls + "\n  namespace: " + ns +
                         "\nspec:\n  gatewayClassName: " + cls + "\n  listeners:\n";
        std::set<std::string> listenerNames;
        for (const auto& g : groups) {
            const std::string base = g.host.empty() ? "" : nameFromHost(g.host);
            const std::string hn = g.host.empty() ? "http" : base + "-http";
            if (listenerNames.insert(hn).second) {
                gw += "  - name: " + hn + "\n";
                if (!g.host.empty()) gw += "    hostname: " + q(g.host) + "\n";
                gw += "    port: 80\n    protocol: HTTP\n";
            } else {
                out.notes.push_back("listener name " + hn + " used by two hosts: only the first is kept (NameFromHost collision)");
            }
            if (g.tls && listenerNames.insert(base + "-https").second) {
                gw += "  - name: " + base + "-https\n    hostname: " + q(g.host) + "\n    port: 443\n    protocol: HTTPS\n    tls:\n      certificateRefs:\n";
                for (const auto& s : g.secrets) gw += "      - group: ''\n        kind: Secret\n        name: " + q(s) + "\n";
            }
            if (!g.tls && !g.host.empty())
                out.notes.push_back("Ingress NGINX serves TLS traffic for host " + g.host +
                                    " with a self-signed certificate. This behavior will not be translated and the host will not be accessible via HTTPS.");
        }
        if (groups.empty()) continue;  // only defaultBackend Ingresses: no Gateway
        out.yaml += "---\n" + gw;
        ++out.gateways;
        for (const auto& g : groups) {
            auto ruleText = [&](const PathRule& r, bool httpSide) {
                std::string t;
                const model::Ingress* ing = r.ing ? r.ing : r.canary;
                auto annotation = [&](const std::string& k) { return ing ? ing->meta.annotation(NGX + k) : std::string(); };
                auto has = [&](const std::string& k) { return ing && ing->meta.hasAnnotation(NGX + k); };
                const std::string type = g.regex ? "RegularExpression" : r.type;
                const std::string value = g.regex ? "(?i)" + r.path + ".*" : r.path;
                auto match = [&](const std::string& header) {
                    return "  - matches:\n    - path:\n        type: " + type + "\n        value: " + q(value) + "\n" + header;
                };
                std::vector<std::pair<std::string, std::vector<Backend>>> variants;  // header block -> backends
                std::vector<Backend> main = r.backends;
                if (r.canary) {
                    const auto& ca = r.canary->meta;
                    int total = 100;
                    try {
                        if (ca.hasAnnotation(NGX + "canary-weight-total") && std::stoi(ca.annotation(NGX + "canary-weight-total")) > 0)
                            total = std::stoi(ca.annotation(NGX + "canary-weight-total"));
                    } catch (...) {
                    }
                    int w = 0;
                    try {
                        w = std::max(0, std::stoi(ca.annotation(NGX + "canary-weight", "0")));
                    } catch (...) {
                    }
                    w = std::min(w, total);
                    const bool hasWeight = ca.hasAnnotation(NGX + "canary-weight");
                    const std::string header = ca.annotation(NGX + "canary-by-header");
                    if (!header.empty()) {
                        const std::string val = ca.annotation(NGX + "canary-by-header-value");
                        Backend c = r.canaryBackend;
                        variants.push_back({"      headers:\n      - name: " + q(header) + "\n        value: " + q(val.empty() ? "always" : val) + "\n", {c}});
                        if (val.empty()) variants.push_back({"      headers:\n      - name: " + q(header) + "\n        value: 'never'\n", main});
                    }
                    if (hasWeight || header.empty()) {
                        for (auto& b : main) b.weight = total - w;
                        Backend c = r.canaryBackend;
                        c.weight = w;
                        main.push_back(c);
                    }
                }
                std::string filters;
                std::string redirect;
                if (httpSide) {
                    redirect = "      requestRedirect:\n        scheme: https\n        statusCode: 308\n";
                } else if (has("permanent-redirect") || has("temporal-redirect")) {
                    const bool temporal = has("temporal-redirect");
                    const QUrl u(QString::fromStdString(annotation(temporal ? "temporal-redirect" : "permanent-redirect")));
                    int code = temporal ? 302 : 301;
                    const std::string codeText = annotation(temporal ? "temporal-redirect-code" : "permanent-redirect-code");
                    if (!codeText.empty()) {
                        try {
                            const int c = std::stoi(codeText);
                            if (c == 301 || c == 302 || c == 303 || c == 307 || (c == 308 && !temporal)) code = c;
                            else out.notes.push_back("redirect code " + codeText + " is not supported by Gateway API, using " + std::to_string(code));
                        } catch (...) {
                        }
                    }
                    redirect = "      requestRedirect:\n";
                    if (!u.scheme().isEmpty()) redirect += "        scheme: " + u.scheme().toStdString() + "\n";
                    if (!u.host().isEmpty()) redirect += "        hostname: " + q(u.host().toStdString()) + "\n";
                    if (u.port() > 0) redirect += "        port: " + std::to_string(u.port()) + "\n";
                    redirect += "        path:\n          type: ReplaceFullPath\n          replaceFullPath: " +
                                q(u.path().isEmpty() ? "/" : u.path().toStdString()) + "\n        statusCode: " + std::to_string(code) + "\n";
                }
                if (!redirect.empty()) filters += "    - type: RequestRedirect\n" + redirect;
                if (redirect.empty() && has("rewrite-target"))
                    filters += "    - type: URLRewrite\n      urlRewrite:\n        path:\n          type: ReplaceFullPath\n          replaceFullPath: " +
                               q(annotation("rewrite-target")) + "\n";
                if (redirect.empty() && annotation("enable-cors") == "true") {
                    auto list = [&](const std::string& k, const std::string& def) {
                        std::string s;
                        for (const auto& x : splitList(has(k) ? annotation(k) : def)) s += "        - " + q(x) + "\n";
                        return s;
                    };
                    filters += "    - type: CORS\n      cors:\n        allowOrigins:\n" + list("cors-allow-origin", "*") + "        allowMethods:\n" +
                               list("cors-allow-methods", "GET, PUT, POST, DELETE, PATCH, OPTIONS") + "        allowHeaders:\n" +
                               list("cors-allow-headers", "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization");
                    if (has("cors-expose-headers")) filters += "        exposeHeaders:\n" + list("cors-expose-headers", "");
                    filters += "        allowCredentials: " + std::string(annotation("cors-allow-credentials") == "false" ? "false" : "true") +
                               "\n        maxAge: " + (has("cors-max-age") ? annotation("cors-max-age") : std::string("1728000")) + "\n";
                }
                if (redirect.empty() && has("upstream-vhost"))
                    filters += "    - type: RequestHeaderModifier\n      requestHeaderModifier:\n        set:\n        - name: Host\n          value: " +
                               q(annotation("upstream-vhost")) + "\n";
                std::string timeout;
                int maxT = 0;
                for (const char* k : {"proxy-connect-timeout", "proxy-read-timeout", "proxy-send-timeout"})
                    if (has(k)) try {
                            maxT = std::max(maxT, std::stoi(annotation(k)));
                        } catch (...) {
                        }
                if (maxT > 0 && redirect.empty()) timeout = "    timeouts:\n      request: " + durationOf(std::to_string(maxT)) + "\n";
                auto backendsText = [&](const std::vector<Backend>& bs) {
                    if (!redirect.empty() || bs.empty()) return std::string();
                    std::string s = "    backendRefs:\n";
                    for (const auto& b : bs) {
                        if (b.isResource) s += "    - group: " + q(b.group) + "\n      kind: " + b.kind + "\n      name: " + b.name + "\n";
                        else s += "    - name: " + b.name + "\n      port: " + (b.port.empty() ? "0" : b.port) + "\n";
                        if (b.weight >= 0) s += "      weight: " + std::to_string(b.weight) + "\n";
                    }
                    return s;
                };
                for (const auto& [hdr, bs] : variants) t += match(hdr) + (filters.empty() ? "" : "    filters:\n" + filters) + backendsText(bs) + timeout;
                t += match("") + (filters.empty() ? "" : "    filters:\n" + filters) + backendsText(main) + timeout;
                return t;
            };
            auto slashRules = [&](bool httpSide) {
                std::string t;
                for (const auto& r : g.rules) {
                    if (g.regex || r.path.size() < 2 || r.path.back() != '/') continue;
                    const std::string bare = r.path.substr(0, r.path.size() - 1);
                    bool covered = false;
                    for (const auto& o : g.rules) {
                        if (o.path == bare) covered = true;
                        if (o.type == "PathPrefix" && o.path != r.path) {
                            std::string p = o.path;
                            while (p.size() > 1 && p.back() == '/') p.pop_back();
                            if (p == "/" || bare.rfind(p + "/", 0) == 0 || bare == p) covered = true;
                        }
                    }
                    if (covered) continue;
                    t += "  - matches:\n    - path:\n        type: Exact\n        value: " + q(bare) + "\n    filters:\n    - type: RequestRedirect\n"
                         "      requestRedirect:\n" + std::string(httpSide ? "        scheme: https\n" : "") +
                         "        path:\n          type: ReplaceFullPath\n          replaceFullPath: " + q(r.path) + "\n        statusCode: 301\n";
                }
                return t;
            };
            std::string rules;
            std::string appRoot;
            for (const auto& r : g.rules) {
                if (r.ing && r.ing->meta.hasAnnotation(NGX + "app-root")) appRoot = r.ing->meta.annotation(NGX + "app-root");
                rules += ruleText(r, false);
            }
            rules += slashRules(false);
            if (!appRoot.empty())
                rules += "  - matches:\n    - path:\n        type: Exact\n        value: /\n    filters:\n    - type: RequestRedirect\n      requestRedirect:\n"
                         "        path:\n          type: ReplaceFullPath\n          replaceFullPath: " + q(appRoot) + "\n        statusCode: 302\n";
            const std::string base = nameFromHost(g.host);
            std::string doc = "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: " + g.routeName +
                              "\n  namespace: " + ns + "\nspec:\n  parentRefs:\n  - name: " + cls + "\n";
            if (g.tlsRedirect) doc += "    port: 443\n    sectionName: " + base + "-https\n";
            if (!g.host.empty()) doc += "  hostnames:\n  - " + q(g.host) + "\n";
            out.yaml += doc + "  rules:\n" + rules;
            ++out.routes;
            if (g.tlsRedirect) {
                std::string http;
                for (const auto& r : g.rules) {
                    const bool off = r.ing && r.ing->meta.annotation(NGX + "ssl-redirect") == "false";
                    http += off ? ruleText(r, false) : ruleText(r, true);
                }
                http += slashRules(true);
                out.yaml += "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: " + g.routeName + "-http\n  namespace: " + ns +
                            "\nspec:\n  parentRefs:\n  - name: " + cls + "\n    port: 80\n  hostnames:\n  - " + q(g.host) + "\n  rules:\n" + http;
                ++out.routes;
            }
        }
    }
    for (const auto& [ns, docs] : defaultRoutes)
        for (const auto& d : docs) {
            out.yaml += "---\n" + d;
            ++out.routes;
            if (!byNs.count(ns) || byNs[ns].empty()) out.notes.push_back("namespace " + ns + ": a defaultBackend-only Ingress gives no Gateway; the route attaches to nothing");
        }
    out.notes.push_back("Gateway API does not support configuring URL normalization (RFC 3986, Section 6)");
    return out;
}

}  // namespace ilab::gateway
