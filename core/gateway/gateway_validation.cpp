#include "core/gateway/gateway_validation.h"

#include <regex>
#include <set>

#include "core/gateway/gateway_reader.h"

namespace ilab::gateway {

namespace {

const std::regex& hostnameRe() {
    static const std::regex re(R"(^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)");
    return re;
}
const std::regex& pathRe() {
    static const std::regex re(R"(^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$)");
    return re;
}
const std::regex& headerNameRe() {
    static const std::regex re(R"(^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$)");
    return re;
}
const std::regex& corsOriginRe() {
    static const std::regex re(R"(^(([^:/?#]+):)(//([^/?#]*))([?#]*)$|^\*$)");
    return re;
}
const std::regex& sectionNameRe() {
    static const std::regex re(R"(^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)");
    return re;
}

struct Sink {
    const model::Resource& res;
    Diagnostics& out;
    void add(DiagCode code, const FieldPath& p, const std::optional<std::string>& bad, const std::string& detail, bool literal = false) {
        Diagnostic d;
        d.severity = Severity::Error;
        d.code = code;
        d.object = res.displayName();
        d.field = p.toString();
        d.badValue = bad;
        d.isBadValueLiteral = literal;
        d.detail = detail;
        d.pos = res.source.find(p.toString());
        d.rule = "apiserver-gateway";
        out.push_back(std::move(d));
    }
    void tooMany(const FieldPath& p, std::size_t n, std::size_t max) {
        if (n > max) add(DiagCode::TooLong, p, std::nullopt, "must have at most " + std::to_string(max) + " items");
    }
    void hostname(const FieldPath& p, const std::string& h) {
        if (h.size() > 253 || !std::regex_match(h, hostnameRe()))
            add(DiagCode::Invalid, p, h, "should match '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' (lowercase, no IP, no port)");
    }
    void port(const FieldPath& p, const std::optional<int>& v, bool required) {
        if (!v) {
            if (required) add(DiagCode::Required, p, std::nullopt, "");
            return;
        }
        if (*v < 1 || *v > 65535) add(DiagCode::Invalid, p, std::to_string(*v), "should be between 1 and 65535", true);
    }
};

void validatePathModifier(Sink& s, const HTTPPathModifier& pm, const FieldPath& p) {
    if (pm.type != "ReplaceFullPath" && pm.type != "ReplacePrefixMatch")
        s.add(DiagCode::NotSupported, p.child("type"), pm.type, "supported values: \"ReplaceFullPath\", \"ReplacePrefixMatch\"");
    if ((pm.type == "ReplaceFullPath") != pm.replaceFullPath.has_value())
        s.add(DiagCode::Invalid, p, std::nullopt, "replaceFullPath must be specified when type is set to 'ReplaceFullPath' (and only then)");
    if ((pm.type == "ReplacePrefixMatch") != pm.replacePrefixMatch.has_value())
        s.add(DiagCode::Invalid, p, std::nullopt, "replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch' (and only then)");
}

void validateFilters(Sink& s, const std::vector<HTTPRouteFilter>& filters, const HTTPRouteRule* rule, const FieldPath& p) {
    s.tooMany(p, filters.size(), 16);
    static const std::set<std::string> TYPES = {"RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite",
                                                "RequestMirror", "CORS", "ExtensionRef", "ExternalAuth"};
    std::map<std::string, int> seen;
    for (std::size_t i = 0; i < filters.size(); ++i) {
        const auto& f = filters[i];
        const FieldPath fp = p.index(i);
        if (!TYPES.count(f.type)) {
            s.add(f.type.empty() ? DiagCode::Required : DiagCode::NotSupported, fp.child("type"), f.type.empty() ? std::nullopt : std::optional(f.type),
                  "supported values: \"RequestHeaderModifier\", \"ResponseHeaderModifier\", \"RequestRedirect\", \"URLRewrite\", \"RequestMirror\", \"CORS\", \"ExtensionRef\"");
            continue;
        }
        seen[f.type]++;
        auto pair = [&](const char* type, const char* field, bool present) {
            if ((f.type == type) != present)
                s.add(DiagCode::Invalid, fp, std::nullopt,
                      std::string("filter.") + field + (present ? " must be nil if the filter.type is not " : " must be specified for ") + type + " filter.type");
        };
        pair("RequestHeaderModifier", "requestHeaderModifier", f.requestHeaderModifier.has_value());
        pair("ResponseHeaderModifier", "responseHeaderModifier", f.responseHeaderModifier.has_value());
        pair("RequestRedirect", "requestRedirect", f.requestRedirect.has_value());
        pair("URLRewrite", "urlRewrite", f.urlRewrite.has_value());
        pair("RequestMirror", "requestMirror", f.requestMirror.has_value());
        pair("CORS", "cors", f.cors.has_value());
        for (const auto& [hm, name] : {std::pair{&f.requestHeaderModifier, "requestHeaderModifier"}, std::pair{&f.responseHeaderModifier, "responseHeaderModifier"}}) {
            if (!*hm) continue;
            const FieldPath hp = fp.child(name);
            std::set<std::string> names;
            for (const auto& [list, key] : {std::pair{&(*hm)->set, "set"}, std::pair{&(*hm)->add, "add"}}) {
                s.tooMany(hp.child(key), list->size(), 16);
                for (std::size_t k = 0; k < list->size(); ++k) {
                    const std::string n = (*list)[k].name;
                    if (!std::regex_match(n, headerNameRe())) s.add(DiagCode::Invalid, hp.child(key).index(k).child("name"), n, "should be a valid HTTP header name");
                    std::string ln = n;
                    for (auto& c : ln) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                    if (!names.insert(std::string(key) + ln).second)
                        s.add(DiagCode::Duplicate, hp.child(key).index(k).child("name"), n, "header names must be unique (case-insensitive)");
                }
            }
        }
        if (f.requestRedirect) {
            const auto& r = *f.requestRedirect;
            const FieldPath rp = fp.child("requestRedirect");
            if (r.scheme && *r.scheme != "http" && *r.scheme != "https") s.add(DiagCode::NotSupported, rp.child("scheme"), *r.scheme, "supported values: \"http\", \"https\"");
            if (r.statusCode && *r.statusCode != 301 && *r.statusCode != 302 && *r.statusCode != 303 && *r.statusCode != 307 && *r.statusCode != 308)
                s.add(DiagCode::NotSupported, rp.child("statusCode"), std::to_string(*r.statusCode), "supported values: 301, 302, 303, 307, 308", true);
            if (r.hostname) s.hostname(rp.child("hostname"), *r.hostname);
            s.port(rp.child("port"), r.port, false);
            if (r.path) validatePathModifier(s, *r.path, rp.child("path"));
        }
        if (f.urlRewrite) {
            if (f.urlRewrite->hostname) s.hostname(fp.child("urlRewrite").child("hostname"), *f.urlRewrite->hostname);
            if (f.urlRewrite->path) validatePathModifier(s, *f.urlRewrite->path, fp.child("urlRewrite").child("path"));
        }
        if (f.requestMirror) {
            const auto& m = *f.requestMirror;
            if (m.percent && (*m.percent < 0 || *m.percent > 100))
                s.add(DiagCode::Invalid, fp.child("requestMirror").child("percent"), std::to_string(*m.percent), "should be between 0 and 100", true);
            if (m.percent && m.fraction)
                s.add(DiagCode::Invalid, fp.child("requestMirror"), std::nullopt, "Only one of percent or fraction may be specified in HTTPRequestMirrorFilter");
            if (m.fraction) {
                const FieldPath frp = fp.child("requestMirror").child("fraction");
                if (m.fraction->numerator < 0)
                    s.add(DiagCode::Invalid, frp.child("numerator"), std::to_string(m.fraction->numerator), "should be greater than or equal to 0", true);
                if (m.fraction->denominator < 1)
                    s.add(DiagCode::Invalid, frp.child("denominator"), std::to_string(m.fraction->denominator), "should be greater than or equal to 1", true);
                else if (m.fraction->numerator > m.fraction->denominator)
                    s.add(DiagCode::Invalid, frp, std::nullopt, "numerator must be less than or equal to denominator");
            }
            if ((m.backendRef.group.empty() || m.backendRef.group == "core") && m.backendRef.kind == "Service" && !m.backendRef.port)
                s.add(DiagCode::Invalid, fp.child("requestMirror").child("backendRef"), std::nullopt, "Must have port for Service reference");
        }
        if (f.cors) {
            const FieldPath cp = fp.child("cors");
            s.tooMany(cp.child("allowOrigins"), f.cors->allowOrigins.size(), 64);
            for (std::size_t k = 0; k < f.cors->allowOrigins.size(); ++k) {
                const std::string& o = f.cors->allowOrigins[k];
                if (!std::regex_match(o, corsOriginRe())) s.add(DiagCode::Invalid, cp.child("allowOrigins").index(k), o, "must be '*' or 'scheme://host[:port]'");
            }
            if (f.cors->allowOrigins.size() > 1)
                for (const auto& o : f.cors->allowOrigins)
                    if (o == "*") s.add(DiagCode::Invalid, cp.child("allowOrigins"), std::nullopt, "AllowOrigins cannot contain '*' alongside other origins");
            if (f.cors->maxAge && *f.cors->maxAge < 1) s.add(DiagCode::Invalid, cp.child("maxAge"), std::to_string(*f.cors->maxAge), "should be greater than or equal to 1", true);
        }
    }
    for (const char* once : {"RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite", "CORS"})
        if (seen[once] > 1) s.add(DiagCode::Invalid, p, std::nullopt, std::string(once) + " filter cannot be repeated");
    if (seen["RequestRedirect"] && seen["URLRewrite"])
        s.add(DiagCode::Invalid, p, std::nullopt, "May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both");
    if (rule) {
        bool prefixReplace = false;
        for (const auto& f : filters) {
            if (f.requestRedirect && f.requestRedirect->path && f.requestRedirect->path->type == "ReplacePrefixMatch") prefixReplace = true;
            if (f.urlRewrite && f.urlRewrite->path && f.urlRewrite->path->type == "ReplacePrefixMatch") prefixReplace = true;
        }
        if (prefixReplace) {
            const bool one = rule->matches.size() == 1 && (!rule->matches[0].hasPath || rule->matches[0].path.type == "PathPrefix");
            if (!one) s.add(DiagCode::Invalid, p, std::nullopt, "When using ReplacePrefixMatch, exactly one PathPrefix match must be specified");
        }
    }
}

void validateRoute(Sink& s, const HTTPRoute& r) {
    const FieldPath sp("spec");
    s.tooMany(sp.child("parentRefs"), r.parentRefs.size(), 32);
    for (std::size_t i = 0; i < r.parentRefs.size(); ++i) {
        const auto& pr = r.parentRefs[i];
        const FieldPath pp = sp.child("parentRefs").index(i);
        if (pr.name.empty()) s.add(DiagCode::Required, pp.child("name"), std::nullopt, "");
        if (pr.sectionName && !std::regex_match(*pr.sectionName, sectionNameRe())) s.add(DiagCode::Invalid, pp.child("sectionName"), *pr.sectionName, "should be a DNS subdomain");
        s.port(pp.child("port"), pr.port, false);
    }
    s.tooMany(sp.child("hostnames"), r.hostnames.size(), 16);
    for (std::size_t i = 0; i < r.hostnames.size(); ++i) s.hostname(sp.child("hostnames").index(i), r.hostnames[i]);
    s.tooMany(sp.child("rules"), r.rules.size(), 16);
    std::size_t totalMatches = 0;
    for (std::size_t i = 0; i < r.rules.size(); ++i) {
        const auto& rule = r.rules[i];
        const FieldPath rp = sp.child("rules").index(i);
        s.tooMany(rp.child("matches"), rule.matches.size(), 64);
        totalMatches += rule.matches.size();
        for (std::size_t k = 0; k < rule.matches.size(); ++k) {
            const auto& m = rule.matches[k];
            const FieldPath mp = rp.child("matches").index(k);
            if (m.hasPath) {
                const FieldPath pp = mp.child("path");
                const std::string& v = m.path.value;
                if (m.path.type != "Exact" && m.path.type != "PathPrefix" && m.path.type != "RegularExpression")
                    s.add(DiagCode::NotSupported, pp.child("type"), m.path.type, "supported values: \"Exact\", \"PathPrefix\", \"RegularExpression\"");
                if (v.size() > 1024) s.add(DiagCode::TooLong, pp.child("value"), std::nullopt, "may not be more than 1024 bytes");
                if (m.path.type == "Exact" || m.path.type == "PathPrefix") {
                    if (v.empty() || v[0] != '/') s.add(DiagCode::Invalid, pp, std::nullopt, "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']");
                    for (const char* bad : {"//", "/./", "/../", "%2f", "%2F", "#"})
                        if (v.find(bad) != std::string::npos) s.add(DiagCode::Invalid, pp, std::nullopt, std::string("must not contain '") + bad + "' when type one of ['Exact', 'PathPrefix']");
                    for (const char* bad : {"/..", "/."})
                        if (v.size() >= std::string(bad).size() && v.compare(v.size() - std::string(bad).size(), std::string::npos, bad) == 0)
                            s.add(DiagCode::Invalid, pp, std::nullopt, std::string("must not end with '") + bad + "' when type one of ['Exact', 'PathPrefix']");
                    if (!v.empty() && !std::regex_match(v, pathRe()))
                        s.add(DiagCode::Invalid, pp, std::nullopt, "must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']");
                }
            }
            for (const auto& [list, key] : {std::pair{&m.headers, "headers"}, std::pair{&m.queryParams, "queryParams"}}) {
                s.tooMany(mp.child(key), list->size(), 16);
                for (std::size_t h = 0; h < list->size(); ++h) {
                    const auto& hm = (*list)[h];
                    if (hm.type != "Exact" && hm.type != "RegularExpression")
                        s.add(DiagCode::NotSupported, mp.child(key).index(h).child("type"), hm.type, "supported values: \"Exact\", \"RegularExpression\"");
                    if (!std::regex_match(hm.name, headerNameRe())) s.add(DiagCode::Invalid, mp.child(key).index(h).child("name"), hm.name, "should be a valid HTTP header/parameter name");
                }
            }
            static const std::set<std::string> METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
            if (m.method && !METHODS.count(*m.method))
                s.add(DiagCode::NotSupported, mp.child("method"), *m.method, "supported values: \"GET\", \"HEAD\", \"POST\", \"PUT\", \"DELETE\", \"CONNECT\", \"OPTIONS\", \"TRACE\", \"PATCH\"");
        }
        validateFilters(s, rule.filters, &rule, rp.child("filters"));
        bool redirect = false;
        for (const auto& f : rule.filters) redirect = redirect || f.type == "RequestRedirect";
        if (redirect && !rule.backendRefs.empty())
            s.add(DiagCode::Invalid, rp, std::nullopt, "RequestRedirect filter must not be used together with backendRefs");
        s.tooMany(rp.child("backendRefs"), rule.backendRefs.size(), 16);
        for (std::size_t b = 0; b < rule.backendRefs.size(); ++b) {
            const auto& br = rule.backendRefs[b];
            const FieldPath bp = rp.child("backendRefs").index(b);
            if (br.ref.name.empty()) s.add(DiagCode::Required, bp.child("name"), std::nullopt, "");
            if ((br.ref.group.empty() || br.ref.group == "core") && br.ref.kind == "Service" && !br.ref.port)
                s.add(DiagCode::Invalid, bp, std::nullopt, "Must have port for Service reference");
            s.port(bp.child("port"), br.ref.port, false);
            if (br.weight && (*br.weight < 0 || *br.weight > 1000000))
                s.add(DiagCode::Invalid, bp.child("weight"), std::to_string(*br.weight), "should be between 0 and 1000000", true);
            validateFilters(s, br.filters, nullptr, bp.child("filters"));
        }
    }
    if (totalMatches > 128) s.add(DiagCode::TooLong, sp.child("rules"), std::nullopt, "While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128");
}

void validateGateway(Sink& s, const Gateway& g) {
    const FieldPath sp("spec");
    if (g.gatewayClassName.empty()) s.add(DiagCode::Required, sp.child("gatewayClassName"), std::nullopt, "");
    if (g.listeners.empty()) s.add(DiagCode::Required, sp.child("listeners"), std::nullopt, "should have at least 1 items");
    s.tooMany(sp.child("listeners"), g.listeners.size(), 64);
    std::set<std::string> names, combos;
    for (std::size_t i = 0; i < g.listeners.size(); ++i) {
        const auto& l = g.listeners[i];
        const FieldPath lp = sp.child("listeners").index(i);
        if (l.name.empty()) s.add(DiagCode::Required, lp.child("name"), std::nullopt, "");
        else if (!std::regex_match(l.name, sectionNameRe())) s.add(DiagCode::Invalid, lp.child("name"), l.name, "should be a DNS subdomain");
        if (!names.insert(l.name).second) s.add(DiagCode::Invalid, sp.child("listeners"), std::nullopt, "Listener name must be unique within the Gateway");
        s.port(lp.child("port"), l.port ? std::optional(l.port) : std::nullopt, true);
        if (l.protocol.empty()) s.add(DiagCode::Required, lp.child("protocol"), std::nullopt, "");
        if (l.hostname) {
            s.hostname(lp.child("hostname"), *l.hostname);
            if (l.protocol == "TCP" || l.protocol == "UDP")
                s.add(DiagCode::Invalid, sp.child("listeners"), std::nullopt, "hostname must not be specified for protocols ['TCP', 'UDP']");
        }
        if ((l.protocol == "HTTP" || l.protocol == "TCP" || l.protocol == "UDP") && l.hasTls)
            s.add(DiagCode::Invalid, sp.child("listeners"), std::nullopt, "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']");
        if ((l.protocol == "HTTPS" || l.protocol == "TLS") && !l.hasTls)
            s.add(DiagCode::Invalid, sp.child("listeners"), std::nullopt, "tls mode must be set for protocols ['HTTPS', 'TLS']");
        if (l.hasTls) {
            if (l.tlsMode != "Terminate" && l.tlsMode != "Passthrough")
                s.add(DiagCode::NotSupported, lp.child("tls").child("mode"), l.tlsMode, "supported values: \"Terminate\", \"Passthrough\"");
            if (l.tlsMode == "Terminate" && l.certificateRefs.empty())
                s.add(DiagCode::Invalid, lp.child("tls"), std::nullopt, "certificateRefs or options must be specified when mode is Terminate");
            s.tooMany(lp.child("tls").child("certificateRefs"), l.certificateRefs.size(), 64);
        }
        if (l.namespacesFrom != "Same" && l.namespacesFrom != "All" && l.namespacesFrom != "Selector")
            s.add(DiagCode::NotSupported, lp.child("allowedRoutes").child("namespaces").child("from"), l.namespacesFrom, "supported values: \"All\", \"Selector\", \"Same\"");
        if (!combos.insert(std::to_string(l.port) + "/" + l.protocol + "/" + l.hostname.value_or("")).second)
            s.add(DiagCode::Invalid, sp.child("listeners"), std::nullopt, "Combination of port, protocol and hostname must be unique for each listener");
    }
}

}  // namespace

Diagnostics validate(const model::Workspace& ws) {
    Diagnostics out;
    const GatewayObjects objs = read(ws, &out);
    for (std::size_t i = 0; i < objs.routes.size(); ++i) {
        Sink s{ws.resources[objs.routeResource[i]], out};
        validateRoute(s, objs.routes[i]);
    }
    for (std::size_t i = 0; i < objs.gateways.size(); ++i) {
        Sink s{ws.resources[objs.gatewayResource[i]], out};
        validateGateway(s, objs.gateways[i]);
    }
    for (std::size_t i = 0; i < objs.grants.size(); ++i) {
        Sink s{ws.resources[objs.grantResource[i]], out};
        const auto& g = objs.grants[i];
        if (g.from.empty()) s.add(DiagCode::Required, FieldPath("spec").child("from"), std::nullopt, "should have at least 1 items");
        if (g.to.empty()) s.add(DiagCode::Required, FieldPath("spec").child("to"), std::nullopt, "should have at least 1 items");
        s.tooMany(FieldPath("spec").child("from"), g.from.size(), 16);
        s.tooMany(FieldPath("spec").child("to"), g.to.size(), 16);
        for (std::size_t k = 0; k < g.from.size(); ++k)
            if (g.from[k].ns.empty()) s.add(DiagCode::Required, FieldPath("spec").child("from").index(k).child("namespace"), std::nullopt, "");
    }
    for (std::size_t i = 0; i < objs.classes.size(); ++i) {
        Sink s{ws.resources[objs.classResource[i]], out};
        if (objs.classes[i].controllerName.empty()) s.add(DiagCode::Required, FieldPath("spec").child("controllerName"), std::nullopt, "");
    }
    return out;
}

}  // namespace ilab::gateway
