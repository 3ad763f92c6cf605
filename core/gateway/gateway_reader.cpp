#include "core/gateway/gateway_reader.h"

#include "core/common/field_path.h"
#include "core/yaml/node_access.h"

namespace ilab::gateway {

namespace {

using yaml::get;

// Reads fields of one object, reporting wrong YAML types with the field path and position.
struct Reader {
    const model::Resource& res;
    Diagnostics* diags;

    void typeError(const FieldPath& p, const std::string& want) const {
        if (!diags) return;
        Diagnostic d;
        d.severity = Severity::Error;
        d.code = DiagCode::TypeInvalid;
        d.object = res.displayName();
        d.field = p.toString();
        d.detail = "expected " + want;
        d.pos = res.source.find(p.toString());
        d.rule = "decode";
        diags->push_back(std::move(d));
    }
    std::optional<std::string> str(const YAML::Node& n, const char* key, const FieldPath& p) const {
        const YAML::Node v = get(n, key);
        if (!v.IsDefined() || v.IsNull()) return std::nullopt;
        if (!v.IsScalar()) {
            typeError(p.child(key), "string");
            return std::nullopt;
        }
        return v.Scalar();
    }
    std::optional<int> integer(const YAML::Node& n, const char* key, const FieldPath& p) const {
        const auto s = str(n, key, p);
        if (!s) return std::nullopt;
        try {
            std::size_t used = 0;
            const long long v = std::stoll(*s, &used);
            if (used == s->size() && v >= INT32_MIN && v <= INT32_MAX) return static_cast<int>(v);
        } catch (...) {
        }
        typeError(p.child(key), "integer");
        return std::nullopt;
    }
    std::optional<bool> boolean(const YAML::Node& n, const char* key, const FieldPath& p) const {
        const auto s = str(n, key, p);
        if (!s) return std::nullopt;
        if (*s == "true") return true;
        if (*s == "false") return false;
        typeError(p.child(key), "boolean");
        return std::nullopt;
    }
    // Sequence at key (undefined node when absent or of the wrong type).
    YAML::Node seq(const YAML::Node& n, const char* key, const FieldPath& p) const {
        const YAML::Node v = get(n, key);
        if (!v.IsDefined() || v.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
        if (!v.IsSequence()) {
            typeError(p.child(key), "array");
            return YAML::Node(YAML::NodeType::Undefined);
        }
        return v;
    }
    YAML::Node map(const YAML::Node& n, const char* key, const FieldPath& p) const {
        const YAML::Node v = get(n, key);
        if (!v.IsDefined() || v.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
        if (!v.IsMap()) {
            typeError(p.child(key), "object");
            return YAML::Node(YAML::NodeType::Undefined);
        }
        return v;
    }
    std::vector<std::string> strings(const YAML::Node& n, const char* key, const FieldPath& p) const {
        std::vector<std::string> out;
        const YAML::Node s = seq(n, key, p);
        for (std::size_t i = 0; s.IsDefined() && i < s.size(); ++i) {
            if (s[i].IsScalar()) out.push_back(s[i].Scalar());
            else typeError(p.child(key).index(i), "string");
        }
        return out;
    }
    template <class F>
    void each(const YAML::Node& n, const char* key, const FieldPath& p, F&& f) const {
        const YAML::Node s = seq(n, key, p);
        for (std::size_t i = 0; s.IsDefined() && i < s.size(); ++i) {
            if (!s[i].IsMap()) {
                typeError(p.child(key).index(i), "object");
                continue;
            }
            f(s[i], p.child(key).index(i));
        }
    }

    HTTPHeaderFilter headerFilter(const YAML::Node& n, const FieldPath& p) const {
        HTTPHeaderFilter h;
        for (const char* k : {"set", "add"})
            each(n, k, p, [&](const YAML::Node& x, const FieldPath& xp) {
                HTTPHeader hd{str(x, "name", xp).value_or(""), str(x, "value", xp).value_or("")};
                (std::string(k) == "set" ? h.set : h.add).push_back(hd);
            });
        h.remove = strings(n, "remove", p);
        return h;
    }
    std::optional<HTTPPathModifier> pathModifier(const YAML::Node& n, const FieldPath& p) const {
        const YAML::Node m = map(n, "path", p);
        if (!m.IsDefined()) return std::nullopt;
        const FieldPath mp = p.child("path");
        HTTPPathModifier pm;
        pm.type = str(m, "type", mp).value_or("");
        pm.replaceFullPath = str(m, "replaceFullPath", mp);
        pm.replacePrefixMatch = str(m, "replacePrefixMatch", mp);
        return pm;
    }
    BackendObjectReference backendRef(const YAML::Node& n, const FieldPath& p) const {
        BackendObjectReference b;
        b.group = str(n, "group", p).value_or("");
        b.kind = str(n, "kind", p).value_or("Service");
        b.name = str(n, "name", p).value_or("");
        b.ns = str(n, "namespace", p);
        b.port = integer(n, "port", p);
        return b;
    }
    HTTPRouteFilter filter(const YAML::Node& n, const FieldPath& p) const {
        HTTPRouteFilter f;
        f.type = str(n, "type", p).value_or("");
        if (auto m = map(n, "requestHeaderModifier", p); m.IsDefined()) f.requestHeaderModifier = headerFilter(m, p.child("requestHeaderModifier"));
        if (auto m = map(n, "responseHeaderModifier", p); m.IsDefined()) f.responseHeaderModifier = headerFilter(m, p.child("responseHeaderModifier"));
        if (auto m = map(n, "requestRedirect", p); m.IsDefined()) {
            const FieldPath mp = p.child("requestRedirect");
            HTTPRequestRedirectFilter r;
            r.scheme = str(m, "scheme", mp);
            r.hostname = str(m, "hostname", mp);
            r.path = pathModifier(m, mp);
            r.port = integer(m, "port", mp);
            r.statusCode = integer(m, "statusCode", mp);
            f.requestRedirect = r;
        }
        if (auto m = map(n, "urlRewrite", p); m.IsDefined()) {
            const FieldPath mp = p.child("urlRewrite");
            f.urlRewrite = HTTPURLRewriteFilter{str(m, "hostname", mp), pathModifier(m, mp)};
        }
        if (auto m = map(n, "requestMirror", p); m.IsDefined()) {
            const FieldPath mp = p.child("requestMirror");
            HTTPRequestMirrorFilter r;
            if (auto b = map(m, "backendRef", mp); b.IsDefined()) r.backendRef = backendRef(b, mp.child("backendRef"));
            r.percent = integer(m, "percent", mp);
            if (auto fr = map(m, "fraction", mp); fr.IsDefined()) {
                const FieldPath fp = mp.child("fraction");
                Fraction x;
                x.numerator = integer(fr, "numerator", fp).value_or(0);
                x.denominator = integer(fr, "denominator", fp).value_or(100);
                r.fraction = x;
            }
            f.requestMirror = r;
        }
        if (auto m = map(n, "cors", p); m.IsDefined()) {
            const FieldPath mp = p.child("cors");
            HTTPCORSFilter c;
            c.allowOrigins = strings(m, "allowOrigins", mp);
            c.allowMethods = strings(m, "allowMethods", mp);
            c.allowHeaders = strings(m, "allowHeaders", mp);
            c.exposeHeaders = strings(m, "exposeHeaders", mp);
            c.allowCredentials = boolean(m, "allowCredentials", mp).value_or(false);
            c.maxAge = integer(m, "maxAge", mp);
            f.cors = c;
        }
        f.hasExtensionRef = map(n, "extensionRef", p).IsDefined();
        return f;
    }
    std::vector<HTTPHeaderMatch> headerMatches(const YAML::Node& n, const char* key, const FieldPath& p) const {
        std::vector<HTTPHeaderMatch> out;
        each(n, key, p, [&](const YAML::Node& x, const FieldPath& xp) {
            out.push_back({str(x, "type", xp).value_or("Exact"), str(x, "name", xp).value_or(""), str(x, "value", xp).value_or("")});
        });
        return out;
    }
};

model::ObjectMeta metaOf(const model::Resource& r) { return r.meta; }

}  // namespace

bool isGatewayResource(const model::Resource& r) {
    if (r.apiVersion.rfind(std::string(GROUP) + "/", 0) != 0) return false;
    return r.kind == "Gateway" || r.kind == "HTTPRoute" || r.kind == "GatewayClass" || r.kind == "ReferenceGrant";
}

GatewayObjects read(const model::Workspace& ws, Diagnostics* diags) {
    GatewayObjects out;
    for (std::size_t ri = 0; ri < ws.resources.size(); ++ri) {
        const model::Resource& res = ws.resources[ri];
        if (!isGatewayResource(res)) continue;
        const Reader rd{res, diags};
        const YAML::Node spec = get(res.node, "spec");
        const FieldPath sp("spec");
        if (spec.IsDefined() && !spec.IsNull() && !spec.IsMap()) {
            rd.typeError(sp, "object");
            continue;
        }
        if (res.kind == "GatewayClass") {
            out.classes.push_back({metaOf(res), rd.str(spec, "controllerName", sp).value_or("")});
            out.classResource.push_back(ri);
        } else if (res.kind == "Gateway") {
            Gateway g;
            g.meta = metaOf(res);
            g.creationOrder = res.creationOrder;
            g.gatewayClassName = rd.str(spec, "gatewayClassName", sp).value_or("");
            rd.each(spec, "listeners", sp, [&](const YAML::Node& n, const FieldPath& p) {
                Listener l;
                l.name = rd.str(n, "name", p).value_or("");
                l.hostname = rd.str(n, "hostname", p);
                l.port = rd.integer(n, "port", p).value_or(0);
                l.protocol = rd.str(n, "protocol", p).value_or("");
                if (auto t = rd.map(n, "tls", p); t.IsDefined()) {
                    l.hasTls = true;
                    l.tlsMode = rd.str(t, "mode", p.child("tls")).value_or("Terminate");
                    rd.each(t, "certificateRefs", p.child("tls"), [&](const YAML::Node& c, const FieldPath& cp) {
                        SecretObjectReference s;
                        s.group = rd.str(c, "group", cp).value_or("");
                        s.kind = rd.str(c, "kind", cp).value_or("Secret");
                        s.name = rd.str(c, "name", cp).value_or("");
                        s.ns = rd.str(c, "namespace", cp);
                        l.certificateRefs.push_back(s);
                    });
                }
                if (auto a = rd.map(n, "allowedRoutes", p); a.IsDefined()) {
                    const FieldPath ap = p.child("allowedRoutes");
                    if (auto ns = rd.map(a, "namespaces", ap); ns.IsDefined()) {
                        l.namespacesFrom = rd.str(ns, "from", ap.child("namespaces")).value_or("Same");
                        const YAML::Node ml = get(get(ns, "selector"), "matchLabels");
                        if (ml.IsMap())
                            for (auto it = ml.begin(); it != ml.end(); ++it)
                                if (it->first.IsScalar() && it->second.IsScalar()) l.namespaceSelector[it->first.Scalar()] = it->second.Scalar();
                    }
                    rd.each(a, "kinds", ap, [&](const YAML::Node& k, const FieldPath& kp) {
                        l.kinds.emplace_back(rd.str(k, "group", kp).value_or(GROUP), rd.str(k, "kind", kp).value_or(""));
                    });
                }
                g.listeners.push_back(std::move(l));
            });
            out.gateways.push_back(std::move(g));
            out.gatewayResource.push_back(ri);
        } else if (res.kind == "HTTPRoute") {
            HTTPRoute r;
            r.meta = metaOf(res);
            r.creationOrder = res.creationOrder;
            rd.each(spec, "parentRefs", sp, [&](const YAML::Node& n, const FieldPath& p) {
                ParentReference pr;
                pr.group = rd.str(n, "group", p).value_or(GROUP);
                pr.kind = rd.str(n, "kind", p).value_or("Gateway");
                pr.ns = rd.str(n, "namespace", p);
                pr.name = rd.str(n, "name", p).value_or("");
                pr.sectionName = rd.str(n, "sectionName", p);
                pr.port = rd.integer(n, "port", p);
                r.parentRefs.push_back(pr);
            });
            r.hostnames = rd.strings(spec, "hostnames", sp);
            rd.each(spec, "rules", sp, [&](const YAML::Node& n, const FieldPath& p) {
                HTTPRouteRule rule;
                rule.name = rd.str(n, "name", p);
                rd.each(n, "matches", p, [&](const YAML::Node& m, const FieldPath& mp) {
                    HTTPRouteMatch match;
                    if (auto pm = rd.map(m, "path", mp); pm.IsDefined()) {
                        match.hasPath = true;
                        match.path.type = rd.str(pm, "type", mp.child("path")).value_or("PathPrefix");
                        match.path.value = rd.str(pm, "value", mp.child("path")).value_or("/");
                    }
                    match.headers = rd.headerMatches(m, "headers", mp);
                    match.queryParams = rd.headerMatches(m, "queryParams", mp);
                    match.method = rd.str(m, "method", mp);
                    rule.matches.push_back(std::move(match));
                });
                rd.each(n, "filters", p, [&](const YAML::Node& f, const FieldPath& fp) { rule.filters.push_back(rd.filter(f, fp)); });
                rd.each(n, "backendRefs", p, [&](const YAML::Node& b, const FieldPath& bp) {
                    HTTPBackendRef br;
                    br.ref = rd.backendRef(b, bp);
                    br.weight = rd.integer(b, "weight", bp);
                    rd.each(b, "filters", bp, [&](const YAML::Node& f, const FieldPath& fp) { br.filters.push_back(rd.filter(f, fp)); });
                    rule.backendRefs.push_back(std::move(br));
                });
                if (auto t = rd.map(n, "timeouts", p); t.IsDefined()) {
                    rule.timeoutRequest = rd.str(t, "request", p.child("timeouts"));
                    rule.timeoutBackendRequest = rd.str(t, "backendRequest", p.child("timeouts"));
                }
                r.rules.push_back(std::move(rule));
            });
            out.routes.push_back(std::move(r));
            out.routeResource.push_back(ri);
        } else if (res.kind == "ReferenceGrant") {
            ReferenceGrant g;
            g.meta = metaOf(res);
            rd.each(spec, "from", sp, [&](const YAML::Node& n, const FieldPath& p) {
                g.from.push_back({rd.str(n, "group", p).value_or(""), rd.str(n, "kind", p).value_or(""), rd.str(n, "namespace", p).value_or("")});
            });
            rd.each(spec, "to", sp, [&](const YAML::Node& n, const FieldPath& p) {
                g.to.push_back({rd.str(n, "group", p).value_or(""), rd.str(n, "kind", p).value_or(""), rd.str(n, "name", p)});
            });
            out.grants.push_back(std::move(g));
            out.grantResource.push_back(ri);
        }
    }
    return out;
}

}  // namespace ilab::gateway
