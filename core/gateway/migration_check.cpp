#include "core/gateway/migration_check.h"

#include <cmath>
#include <random>
#include <set>

#include "core/gateway/gateway_reader.h"
#include "core/gateway/ingress_converter.h"
#include "core/routing/route_table.h"
#include "core/routing/uri.h"
#include "core/yaml/yaml_reader.h"

namespace ilab::gateway {

namespace {

const std::string NGX = "nginx.ingress.kubernetes.io/";
constexpr int SAMPLES = 400;

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string withoutDefaultPort(std::string loc) {
    for (const auto& [scheme, port] : {std::pair{"http://", ":80"}, std::pair{"https://", ":443"}}) {
        if (loc.rfind(scheme, 0) != 0) continue;
        const auto hostEnd = loc.find_first_of("/?", std::string(scheme).size());
        const auto p = loc.rfind(port, hostEnd);
        if (p != std::string::npos && p + std::string(port).size() == (hostEnd == std::string::npos ? loc.size() : hostEnd))
            loc.erase(p, std::string(port).size());
    }
    return loc;
}

SideOutcome outcome(const routing::RouteTable& t, const routing::RequestView& req) {
    SideOutcome o;
    const routing::Decision d = t.route(req, 7, true);
    o.status = d.clientStatus();
    o.location = withoutDefaultPort(d.location);
    o.upstreamPath = d.contactsBackend() ? d.upstreamPath : "";
    for (const auto& [k, v] : d.responseHeaders)
        if (routing::toLower(k) == "access-control-allow-origin") o.allowOrigin = v;
    o.why = d.trace.empty() ? "" : d.trace.back();
    std::mt19937_64 rng(20261206);
    std::map<std::string, int> counts;
    for (int i = 0; i < SAMPLES; ++i) {
        const routing::Decision x = t.route(req, rng(), false);
        if (x.contactsBackend() && x.backend) counts[x.backend->ns + "/" + x.backend->service + ":" + x.backend->port]++;
    }
    for (const auto& [k, n] : counts) o.backends[k] = static_cast<double>(n) / SAMPLES;
    return o;
}

std::string describeShares(const std::map<std::string, double>& b) {
    if (b.empty()) return "none";
    std::string s;
    for (const auto& [k, v] : b) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.0f%%", v * 100);
        s += (s.empty() ? "" : " + ") + k + (b.size() > 1 || v < 0.999 ? " " + std::string(buf) : "");
    }
    return s;
}

routing::RequestView request(const std::string& method, const std::string& scheme, const std::string& host, const std::string& target) {
    routing::RequestView r;
    r.method = method;
    r.scheme = scheme;
    r.host = host;
    r.target = target;
    r.listenPort = scheme == "https" ? 443 : 80;
    if (scheme == "https") r.sni = host;
    return r;
}

}  // namespace

MigrationReport checkMigration(const model::Workspace& ws, const std::vector<routing::RequestView>& extra) {
    MigrationReport rep;
    const Conversion conv = convertIngresses(ws);
    rep.notes = conv.notes;
    rep.convertedYaml = conv.yaml;
    model::Workspace gws = ws.clone();
    rep.usedWorkspaceGatewayObjects = !read(ws).empty();
    if (!rep.usedWorkspaceGatewayObjects) yaml::readText(conv.yaml, "converted.yaml", gws);

    routing::ControllerSettings ns;
    ns.compileOtherProfile = false;
    ns.claimAllIngresses = false;
    routing::ControllerSettings gs = ns;
    gs.profile = routing::Profile::Gateway;
    const auto nginx = routing::RouteTable::compile(ws, ns);
    const auto gateway = routing::RouteTable::compile(gws, gs);

    // Corpus.
    std::vector<routing::RequestView> corpus;
    std::set<std::string> seen;
    auto add = [&](routing::RequestView r) {
        std::string key = r.method + " " + r.scheme + "://" + r.host + r.target;
        for (const auto& [k, v] : r.headers) key += " " + k + ":" + v;
        if (r.contentLength) key += " body:" + std::to_string(*r.contentLength);
        if (seen.insert(key).second) corpus.push_back(std::move(r));
    };
    for (const auto* ing : ws.all<model::Ingress>()) {
        const auto& a = ing->meta;
        for (const auto& rule : ing->spec.rules) {
            const std::string host = rule.host.value_or("");
            std::string h = host.empty() ? "hostless.example" : host;
            if (h.rfind("*.", 0) == 0) h = "a.b" + h.substr(1);  // two labels: shows wildcard depth
            if (!rule.http) continue;
            for (const auto& p : rule.http->paths) {
                const std::string path = p.path.value_or("/");
                std::vector<std::string> variants = {path, path + "x", path == "/" ? "/sub" : path + "/sub"};
                if (path.size() > 1 && path.back() == '/') variants.push_back(path.substr(0, path.size() - 1));
                else if (path != "/") variants.push_back(path + "/");
                if (upper(path) != path) variants.push_back(upper(path));
                for (const auto& scheme : {"http", "https"})
                    for (const auto& v : variants) {
                        auto r = request("GET", scheme, h, v);
                        add(r);
                        if (a.hasAnnotation(NGX + "canary-by-header")) {
                            const std::string hv = a.annotation(NGX + "canary-by-header-value");
                            for (const std::string& val : {std::string("always"), std::string("never"), hv.empty() ? std::string("other") : hv}) {
                                auto x = r;
                                x.headers.emplace_back(a.annotation(NGX + "canary-by-header"), val);
                                add(x);
                            }
                        }
                        if (a.hasAnnotation(NGX + "canary-by-cookie")) {
                            auto x = r;
                            x.headers.emplace_back("Cookie", a.annotation(NGX + "canary-by-cookie") + "=always");
                            add(x);
                        }
                        // Large body: a request body one byte over ingress-nginx's proxy-body-size (1m unless the
                        // annotation or ConfigMap says otherwise); Gateway API has no body limit (gateway.md row 34).
                        if (v == path && std::string(scheme) == "http") {
                            const routing::Decision base = nginx.table->route(r, 7, false);
                            if (base.maxBodyBytes && *base.maxBodyBytes > 0) {
                                auto x = request("POST", scheme, h, v);
                                x.contentLength = *base.maxBodyBytes + 1;
                                add(x);
                            }
                        }
                        if (a.annotation(NGX + "enable-cors") == "true") {
                            auto x = request("OPTIONS", scheme, h, v);
                            x.headers.emplace_back("Origin", "https://origin.example.com");
                            x.headers.emplace_back("Access-Control-Request-Method", "GET");
                            add(x);
                            auto y = r;
                            y.headers.emplace_back("Origin", "https://origin.example.com");
                            add(y);
                        }
                    }
            }
        }
    }
    add(request("GET", "http", "unknown-host.example", "/"));
    for (const auto& r : extra) add(r);
    rep.requests = static_cast<int>(corpus.size());
    rep.corpus = corpus;

    for (const auto& r : corpus) {
        Difference d;
        d.request = r;
        d.url = r.method + " " + r.scheme + "://" + r.host + r.target;
        for (const auto& [k, v] : r.headers) d.url += " [" + k + ": " + v + "]";
        if (r.contentLength) d.url += " [body: " + std::to_string(*r.contentLength) + " bytes]";
        d.nginx = outcome(*nginx.table, r);
        d.gateway = outcome(*gateway.table, r);
        if (d.nginx.status != d.gateway.status) d.fields.push_back("status");
        bool backendDiffers = false;
        std::set<std::string> keys;
        for (const auto& [k, v] : d.nginx.backends) keys.insert(k);
        for (const auto& [k, v] : d.gateway.backends) keys.insert(k);
        for (const auto& k : keys) {
            const double a = d.nginx.backends.count(k) ? d.nginx.backends.at(k) : 0, b = d.gateway.backends.count(k) ? d.gateway.backends.at(k) : 0;
            if (std::fabs(a - b) > 0.08) backendDiffers = true;  // 400 samples: 4 standard deviations of a 50% share ~ 0.1
        }
        if (backendDiffers) d.fields.push_back("backend");
        if (d.nginx.location != d.gateway.location) d.fields.push_back("location");
        if (!d.nginx.upstreamPath.empty() && !d.gateway.upstreamPath.empty() && d.nginx.upstreamPath != d.gateway.upstreamPath)
            d.fields.push_back("upstreamPath");
        if (d.nginx.allowOrigin != d.gateway.allowOrigin) d.fields.push_back("cors");
        if (d.fields.empty()) continue;
        if (d.fields.front() == "status") d.cause = "status " + std::to_string(d.nginx.status) + " -> " + std::to_string(d.gateway.status);
        else if (d.fields.front() == "backend") d.cause = "backend " + describeShares(d.nginx.backends) + " -> " + describeShares(d.gateway.backends);
        else if (d.fields.front() == "location") d.cause = "redirect Location changes shape";
        else if (d.fields.front() == "upstreamPath") d.cause = "rewritten path changes";
        else d.cause = "CORS Access-Control-Allow-Origin changes";
        if (r.scheme == "https" && d.gateway.status == 404 && d.nginx.status != 404) d.cause = "HTTPS no longer served (no HTTPS listener for the host)";
        else if (r.contentLength && d.nginx.status == 413 && d.gateway.status != 413)
            d.cause = "body size limit no longer enforced (ingress-nginx proxy-body-size answers 413; Gateway API has no limit)";
        rep.differences.push_back(std::move(d));
    }
    return rep;
}

}  // namespace ilab::gateway
