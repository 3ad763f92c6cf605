// The `gateway` routing profile: compile (listeners, attachment, hostname intersection, precedence order,
// backend resolution) and route (../shared/gateway.md §1-§7).

#include "core/gateway/gateway_router.h"

#include <algorithm>
#include <regex>
#include <tuple>
#include <unordered_map>

#include <QByteArray>

#include "core/gateway/gateway_reader.h"
#include "core/routing/uri.h"

namespace ilab::gateway {

namespace {

using routing::Decision;
using routing::RequestView;

std::string lower(std::string s) { return routing::toLower(std::move(s)); }

// One RequestMirror filter after resolution (in the order of the filters it comes from).
struct CMirror {
    bool resolved = false;
    routing::MirrorTarget target;
    std::string problem;  // why not resolved, for the trace
};

// One backendRef after resolution: either a target or the status it answers (500 unresolvable/unpermitted).
struct CBackend {
    int weight = 1;
    routing::BackendRef ref;
    std::shared_ptr<const std::vector<routing::Endpoint>> endpoints;
    int errorStatus = 0;    // 500 when the reference does not resolve
    std::string problem;    // reason for the trace
    std::vector<HTTPRouteFilter> filters;
    std::vector<CMirror> mirrors;  // of `filters`' RequestMirror entries, in order
};

struct CRule {
    std::vector<HTTPRouteFilter> filters;
    std::vector<CMirror> mirrors;  // of `filters`' RequestMirror entries, in order
    std::vector<CBackend> backends;
    int totalWeight = 0;
    int timeoutMs = 0;  // timeouts.request (0 = unset)
};

struct CRoute {
    std::string name;  // ns/name
    std::string ns;
    std::vector<std::string> hostnames;
    std::vector<CRule> rules;
    std::vector<HTTPRouteRule> source;
};

struct CMatch {
    int route = -1, rule = -1, match = -1;
    HTTPRouteMatch m;
    std::shared_ptr<const std::regex> regex;
    int kindRank = 1;  // 0 Exact, 1 PathPrefix, 2 RegularExpression
    int prefixLen = 0;
};

// A route attached to a listener with its effective hostnames there ({} = any).
struct Attachment {
    int route = -1;
    std::vector<std::string> hostnames;
};

struct CListener {
    std::string gateway;  // ns/name
    std::string name;
    std::string hostname;  // lowercase, "" = any
    int port = 0;
    std::string protocol;
    bool usable = true;    // not conflicted, certificate resolved
    std::string certificate;  // ns/secret
    std::string pemCert, pemKey;
    std::vector<Attachment> attachments;
    std::vector<CMatch> matches;  // sorted by precedence (without the hostname step)

    // Host index (gateway.md §1.3 step 4). For a Host the best hostname class is exactly one set of routes: those with
    // that exact hostname; else those with the longest matching wildcard ("*.b.c" before "*.c"); else those without
    // hostnames. Each set's matches are precomputed in precedence order (a filtered copy of `matches`), so a decision
    // looks up one map entry per label of the Host and scans only that set's matches, never every attached route
    // (gateway_routing_bench: 1,000 routes on one listener).
    std::unordered_map<std::string, int> exactHosts;     // hostname -> matchLists index
    std::unordered_map<std::string, int> wildcardHosts;  // ".b.c" (pattern "*.b.c" without the "*") -> matchLists index
    int anyHost = -1;                                    // routes without hostnames -> matchLists index
    std::vector<std::vector<std::uint32_t>> matchLists;  // indices into `matches`, in precedence order
};

int durationMs(const std::string& s) {
    static const std::regex re(R"(^([0-9]{1,5}(h|m|s|ms)){1,4}$)");
    if (!std::regex_match(s, re)) return 0;
    static const std::regex part(R"(([0-9]{1,5})(h|ms|m|s))");
    long long ms = 0;
    for (auto it = std::sregex_iterator(s.begin(), s.end(), part); it != std::sregex_iterator(); ++it) {
        const long long v = std::stoll((*it)[1]);
        const std::string u = (*it)[2];
        ms += u == "h" ? v * 3600000 : u == "m" ? v * 60000 : u == "s" ? v * 1000 : v;
    }
    return ms > 0x7fffffff ? 0x7fffffff : static_cast<int>(ms);
}

bool isWildcard(const std::string& h) { return h.size() > 2 && h[0] == '*' && h[1] == '.'; }

// Listener choice among `cands` for `host`: exact, then wildcard with the longest suffix, then empty.
int pickListener(const std::vector<CListener>& ls, const std::vector<int>& cands, const std::string& host) {
    int best = -1;
    int bestScore = -1;
    for (int i : cands) {
        const CListener& l = ls[i];
        int score = -1;
        if (l.hostname.empty()) score = 0;
        else if (!isWildcard(l.hostname) && l.hostname == host) score = 1000000;
        else if (isWildcard(l.hostname) && hostnameMatches(l.hostname, host)) score = 1 + static_cast<int>(l.hostname.size());
        if (score > bestScore) {
            bestScore = score;
            best = i;
        }
    }
    return best;
}

std::string joinList(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

bool contains(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// origin "scheme://host[:port]" -> (scheme, host, port)
bool parseOrigin(const std::string& o, std::string& scheme, std::string& host, int& port) {
    const auto p = o.find("://");
    if (p == std::string::npos) return false;
    scheme = lower(o.substr(0, p));
    std::string rest = o.substr(p + 3);
    if (!rest.empty() && rest.back() == '/') rest.pop_back();
    const auto colon = rest.rfind(':');
    port = scheme == "https" ? 443 : 80;
    if (colon != std::string::npos && rest.find(']') == std::string::npos) {
        try {
            port = std::stoi(rest.substr(colon + 1));
        } catch (...) {
            return false;
        }
        rest = rest.substr(0, colon);
    }
    host = lower(rest);
    return !host.empty();
}

bool originAllowed(const HTTPCORSFilter& c, const std::string& origin) {
    std::string s, h;
    int port = 0;
    if (!parseOrigin(origin, s, h, port)) return contains(c.allowOrigins, "*");
    for (const auto& entry : c.allowOrigins) {
        if (entry == "*") return true;
        std::string es, eh;
        int ep = 0;
        if (!parseOrigin(entry, es, eh, ep)) continue;
        if (es != s || ep != port) continue;
        if (hostnameMatches(eh, h)) return true;
    }
    return false;
}

std::string pathOf(const std::string& target) {
    const auto q = target.find('?');
    return q == std::string::npos ? target : target.substr(0, q);
}

// RFC 3986 dot-segment removal (Envoy's default normalize_path), nothing else.
std::string removeDots(const std::string& path) {
    if (path.find("/.") == std::string::npos) return path;
    std::vector<std::string> out;
    std::size_t i = 1;
    bool trailing = false;
    while (i <= path.size()) {
        auto j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        const std::string seg = path.substr(i, j - i);
        trailing = j == path.size() && (seg == "." || seg == "..");
        if (seg == ".") {
        } else if (seg == "..") {
            if (!out.empty()) out.pop_back();
        } else {
            out.push_back(seg);
        }
        i = j + 1;
    }
    std::string r;
    for (const auto& s : out) r += "/" + s;
    if (r.empty() || trailing) r += "/";
    return r;
}

std::vector<std::pair<std::string, std::string>> queryParams(const std::string& target) {
    std::vector<std::pair<std::string, std::string>> out;
    const auto q = target.find('?');
    if (q == std::string::npos) return out;
    std::string qs = target.substr(q + 1);
    std::size_t i = 0;
    while (i <= qs.size()) {
        auto j = qs.find('&', i);
        if (j == std::string::npos) j = qs.size();
        const std::string kv = qs.substr(i, j - i);
        if (!kv.empty()) {
            const auto eq = kv.find('=');
            auto dec = [](const std::string& x) { return QByteArray::fromPercentEncoding(QByteArray::fromStdString(x)).toStdString(); };
            out.emplace_back(dec(kv.substr(0, eq)), eq == std::string::npos ? "" : dec(kv.substr(eq + 1)));
        }
        i = j + 1;
    }
    return out;
}

bool pathMatches(const CMatch& cm, const std::string& path) {
    const std::string& v = cm.m.path.value;
    if (cm.kindRank == 0) return path == v;
    if (cm.kindRank == 2) return cm.regex && std::regex_match(path, *cm.regex);
    std::string p = v;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    if (p == "/") return true;
    if (path.compare(0, p.size(), p) != 0) return false;
    return path.size() == p.size() || path[p.size()] == '/';
}

}  // namespace

bool hostnameMatches(const std::string& pattern, const std::string& host) {
    if (pattern.empty()) return true;
    if (!isWildcard(pattern)) return pattern == host;
    const std::string suffix = pattern.substr(1);  // ".x.y"
    return host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string intersectHostnames(const std::string& listener, const std::string& route, bool* intersects) {
    *intersects = true;
    if (listener.empty()) return route;
    if (route.empty()) return listener;
    if (!isWildcard(listener) && !isWildcard(route)) {
        *intersects = listener == route;
        return *intersects ? route : "";
    }
    if (isWildcard(listener) && !isWildcard(route)) {
        *intersects = hostnameMatches(listener, route);
        return *intersects ? route : "";
    }
    if (!isWildcard(listener) && isWildcard(route)) {
        *intersects = hostnameMatches(route, listener);
        return *intersects ? listener : "";
    }
    // both wildcards: the longer (more specific) one, if it lies inside the other
    if (listener == route) return route;
    if (hostnameMatches(route, listener.substr(2))) return listener;
    if (hostnameMatches(listener, route.substr(2))) return route;
    *intersects = false;
    return "";
}

std::string replacePrefix(const std::string& path, const std::string& matchedPrefix, const std::string& replacement) {
    std::string p = matchedPrefix;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    const std::string rest = p == "/" ? path : (path.size() >= p.size() ? path.substr(p.size()) : std::string());
    std::string r = replacement;
    while (!r.empty() && r.back() == '/') r.pop_back();
    std::string out = r + (p == "/" && !rest.empty() && rest[0] != '/' ? "/" + rest : rest);
    if (out.empty()) out = "/";
    if (out[0] != '/') out = "/" + out;
    return out;
}

struct GatewayRouter::Impl {
    std::vector<CListener> listeners;
    std::vector<CRoute> routes;
    std::vector<ObjectStatus> status;
    std::map<std::string, routing::BackendRef> upstreams;
    std::uint64_t hash = 0;
};

GatewayRouter::GatewayRouter(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
GatewayRouter::~GatewayRouter() = default;
const std::vector<ObjectStatus>& GatewayRouter::status() const { return m_impl->status; }
const std::map<std::string, routing::BackendRef>& GatewayRouter::upstreams() const { return m_impl->upstreams; }
std::uint64_t GatewayRouter::contentHash() const { return m_impl->hash; }
std::size_t GatewayRouter::listenerCountForTest() const { return m_impl->listeners.size(); }

namespace {

bool granted(const GatewayObjects& objs, const std::string& fromKind, const std::string& fromNs, const std::string& toNs,
             const std::string& toGroup, const std::string& toKind, const std::string& toName) {
    for (const auto& g : objs.grants) {
        if (g.meta.ns != toNs) continue;
        bool fromOk = false, toOk = false;
        for (const auto& f : g.from)
            if (f.group == GROUP && f.kind == fromKind && f.ns == fromNs) fromOk = true;
        for (const auto& t : g.to)
            if (t.group == toGroup && t.kind == toKind && (!t.name || t.name->empty() || *t.name == toName)) toOk = true;
        if (fromOk && toOk) return true;
    }
    return false;
}

std::map<std::string, std::string> namespaceLabels(const model::Workspace& ws, const std::string& ns) {
    std::map<std::string, std::string> labels{{"kubernetes.io/metadata.name", ns}};
    for (const auto& r : ws.resources)
        if (r.kind == "Namespace" && r.meta.name == ns)
            for (const auto& [k, v] : r.meta.labels) labels[k] = v;
    return labels;
}

}  // namespace

GatewayRouterConstSharedPtr GatewayRouter::create(const model::Workspace& ws, const routing::EndpointMap* endpointsIn,
                                                  Diagnostics* diags) {
    auto impl = std::make_unique<Impl>();
    const GatewayObjects objs = read(ws, diags);
    std::optional<routing::EndpointMap> staticEps;
    if (!endpointsIn) staticEps = routing::staticEndpoints(ws);
    const routing::EndpointMap& eps = endpointsIn ? *endpointsIn : *staticEps;

    // Listeners; a (port, protocol, hostname) used twice in one Gateway is Conflicted and not served.
    std::map<std::string, int> gatewayIndex;  // "ns/name" -> first listener index
    std::vector<std::pair<std::size_t, std::size_t>> listenerSource;  // (gateway, listener) per compiled listener
    for (std::size_t gi = 0; gi < objs.gateways.size(); ++gi) {
        const Gateway& g = objs.gateways[gi];
        std::map<std::string, int> seen;
        for (std::size_t li = 0; li < g.listeners.size(); ++li) {
            const Listener& l = g.listeners[li];
            CListener c;
            c.gateway = g.meta.qualifiedName();
            c.name = l.name;
            c.hostname = lower(l.hostname.value_or(""));
            c.port = l.port;
            c.protocol = l.protocol;
            ObjectStatus st{"Listener", c.gateway, c.name, {}};
            const std::string key = std::to_string(l.port) + "/" + l.protocol + "/" + c.hostname;
            if (auto it = seen.find(key); it != seen.end()) {
                c.usable = false;
                impl->listeners[static_cast<std::size_t>(it->second)].usable = false;
                st.conditions.push_back({"Conflicted", "True", "HostnameConflict", "another listener has port, protocol and hostname " + key});
            }
            seen[key] = static_cast<int>(impl->listeners.size());
            if (l.protocol != "HTTP" && l.protocol != "HTTPS") {
                c.usable = false;
                st.conditions.push_back({"Accepted", "False", "UnsupportedProtocol", "only HTTP and HTTPS listeners route HTTPRoutes"});
            }
            if (l.protocol == "HTTPS") {
                std::string reason;
                if (l.certificateRefs.empty()) reason = "InvalidCertificateRef";
                for (const auto& ref : l.certificateRefs) {
                    const std::string ns = ref.ns.value_or(g.meta.ns);
                    if (!(ref.group.empty() || ref.group == "core") || ref.kind != "Secret") {
                        reason = "InvalidCertificateRef";
                        break;
                    }
                    if (ns != g.meta.ns && !granted(objs, "Gateway", g.meta.ns, ns, "", "Secret", ref.name)) {
                        reason = "RefNotPermitted";
                        break;
                    }
                    const model::Secret* s = ws.secret(ns, ref.name);
                    if (!s || !s->data.count("tls.crt") || !s->data.count("tls.key")) {
                        reason = "InvalidCertificateRef";
                        break;
                    }
                    if (c.certificate.empty()) {
                        c.certificate = ns + "/" + ref.name;
                        c.pemCert = s->data.at("tls.crt");
                        c.pemKey = s->data.at("tls.key");
                    }
                }
                if (!reason.empty()) {
                    c.usable = false;
                    c.certificate.clear();
                    st.conditions.push_back({"ResolvedRefs", "False", reason, "certificateRefs do not resolve; the listener is not programmed"});
                    st.conditions.push_back({"Programmed", "False", "Invalid", ""});
                }
            }
            if (st.conditions.empty()) st.conditions.push_back({"Programmed", "True", "Programmed", ""});
            impl->status.push_back(std::move(st));
            impl->listeners.push_back(std::move(c));
            listenerSource.emplace_back(gi, li);
        }
    }

    // Routes: backends resolved, then attached to listeners.
    for (std::size_t ri = 0; ri < objs.routes.size(); ++ri) {
        const HTTPRoute& r = objs.routes[ri];
        CRoute cr;
        cr.name = r.meta.qualifiedName();
        cr.ns = r.meta.ns;
        for (const auto& h : r.hostnames) cr.hostnames.push_back(lower(h));
        cr.source = r.rules;
        ObjectStatus st{"HTTPRoute", cr.name, "", {}};
        std::string refProblem, refReason;
        auto noteRefProblem = [&](const std::string& reason, const std::string& why) {
            if (refReason.empty()) {
                refReason = reason;
                refProblem = why;
            }
        };
        // A backendRef (of a rule or of a RequestMirror filter) -> Service port and its endpoints, or the
        // ResolvedRefs reason and why not (../shared/gateway.md §3: kind, ReferenceGrant, Service, port).
        auto resolve = [&](const BackendObjectReference& ref, routing::BackendRef& out,
                           std::shared_ptr<const std::vector<routing::Endpoint>>& endpoints, std::string& reason,
                           std::string& why) -> bool {
            const std::string ns = ref.ns.value_or(r.meta.ns);
            auto fail = [&](const char* rs, std::string w) {
                reason = rs;
                why = std::move(w);
                return false;
            };
            if (!(ref.group.empty() || ref.group == "core") || ref.kind != "Service")
                return fail("InvalidKind", "backendRef kind " + (ref.group.empty() ? "" : ref.group + "/") + ref.kind + " is not supported");
            if (ns != r.meta.ns && !granted(objs, "HTTPRoute", r.meta.ns, ns, "", "Service", ref.name))
                return fail("RefNotPermitted", "no ReferenceGrant in namespace " + ns + " allows HTTPRoute " + cr.name + " to Service " + ref.name);
            const model::Service* svc = ws.service(ns, ref.name);
            const model::ServicePort* sp = nullptr;
            if (svc && ref.port)
                for (const auto& p : svc->ports)
                    if (p.port == *ref.port) sp = &p;
            if (!svc) return fail("BackendNotFound", "Service " + ns + "/" + ref.name + " does not exist");
            if (!ref.port) return fail("BackendNotFound", "backendRef to Service " + ref.name + " has no port");
            if (!sp) return fail("BackendNotFound", "Service " + ns + "/" + ref.name + " has no port " + std::to_string(*ref.port));
            out.ns = ns;
            out.service = ref.name;
            out.port = std::to_string(*ref.port);
            out.servicePort = *ref.port;
            out.upstreamName = ns + "-" + ref.name + "-" + out.port;
            auto it = eps.find(routing::EndpointKey{ns, ref.name, *ref.port});
            endpoints = std::make_shared<const std::vector<routing::Endpoint>>(it == eps.end() ? std::vector<routing::Endpoint>{} : it->second);
            impl->upstreams[out.upstreamName] = out;
            return true;
        };
        // A RequestMirror filter's target; an unresolvable backendRef makes the route ResolvedRefs=False like any
        // other ref, and no copy is sent (the primary request is unaffected).
        auto mirrorOf = [&](const HTTPRequestMirrorFilter& f) {
            CMirror m;
            std::string reason, why;
            m.resolved = resolve(f.backendRef, m.target.backend, m.target.endpoints, reason, why);
            if (!m.resolved) {
                m.problem = reason + ": " + why;
                noteRefProblem(reason, why);
            }
            if (f.fraction && f.fraction->denominator >= 1 && f.fraction->numerator >= 0) {
                m.target.denominator = static_cast<std::uint32_t>(f.fraction->denominator);
                m.target.numerator = static_cast<std::uint32_t>(std::min(f.fraction->numerator, f.fraction->denominator));
            } else if (f.percent) {
                m.target.numerator = static_cast<std::uint32_t>(std::clamp(*f.percent, 0, 100));
            }
            return m;
        };
        for (const auto& rule : r.rules) {
            CRule c;
            c.filters = rule.filters;
            if (rule.timeoutRequest) c.timeoutMs = durationMs(*rule.timeoutRequest);
            for (const auto& f : rule.filters)
                if (f.type == "RequestMirror" && f.requestMirror) c.mirrors.push_back(mirrorOf(*f.requestMirror));
            for (const auto& b : rule.backendRefs) {
                CBackend cb;
                cb.weight = b.effectiveWeight();
                cb.filters = b.filters;
                for (const auto& f : b.filters)
                    if (f.type == "RequestMirror" && f.requestMirror) cb.mirrors.push_back(mirrorOf(*f.requestMirror));
                std::string reason, why;
                if (!resolve(b.ref, cb.ref, cb.endpoints, reason, why)) {
                    cb.errorStatus = 500;
                    cb.problem = reason + ": " + why;
                    noteRefProblem(reason, why);
                }
                c.totalWeight += cb.weight;
                c.backends.push_back(std::move(cb));
            }
            cr.rules.push_back(std::move(c));
        }
        if (!refReason.empty()) st.conditions.push_back({"ResolvedRefs", "False", refReason, refProblem});
        else st.conditions.push_back({"ResolvedRefs", "True", "ResolvedRefs", ""});

        // Attachment.
        bool accepted = false;
        std::string rejectReason = "NoMatchingParent", rejectWhy = "no parentRef names a Gateway of the workspace";
        const int routeIndex = static_cast<int>(impl->routes.size());
        for (const auto& pr : r.parentRefs) {
            if (pr.group != GROUP || pr.kind != "Gateway") continue;
            const std::string gw = pr.ns.value_or(r.meta.ns) + "/" + pr.name;
            for (std::size_t li = 0; li < impl->listeners.size(); ++li) {
                CListener& l = impl->listeners[li];
                if (l.gateway != gw) continue;
                if (pr.sectionName && *pr.sectionName != l.name) continue;
                if (pr.port && *pr.port != l.port) continue;
                const auto [gi, sli] = listenerSource[li];
                const Listener& src = objs.gateways[gi].listeners[sli];
                const std::string gwNs = objs.gateways[gi].meta.ns;
                bool nsOk = src.namespacesFrom == "All" || (src.namespacesFrom == "Same" && gwNs == r.meta.ns);
                if (src.namespacesFrom == "Selector") {
                    const auto labels = namespaceLabels(ws, r.meta.ns);
                    nsOk = true;
                    for (const auto& [k, v] : src.namespaceSelector)
                        if (!labels.count(k) || labels.at(k) != v) nsOk = false;
                }
                bool kindOk = src.kinds.empty();
                for (const auto& [g, k] : src.kinds)
                    if (g == GROUP && k == "HTTPRoute") kindOk = true;
                if (!nsOk || !kindOk) {
                    rejectReason = "NotAllowedByListeners";
                    rejectWhy = "listener " + l.name + " does not allow routes from namespace " + r.meta.ns;
                    continue;
                }
                Attachment a;
                a.route = routeIndex;
                bool any = false;
                if (cr.hostnames.empty()) {
                    if (!l.hostname.empty()) a.hostnames.push_back(l.hostname);
                    any = true;
                } else {
                    for (const auto& h : cr.hostnames) {
                        bool ok = false;
                        const std::string x = intersectHostnames(l.hostname, h, &ok);
                        if (ok) {
                            a.hostnames.push_back(x);
                            any = true;
                        }
                    }
                }
                if (!any) {
                    rejectReason = "NoMatchingListenerHostname";
                    rejectWhy = "no hostname of the route intersects listener " + l.name + "'s hostname " + l.hostname;
                    continue;
                }
                accepted = true;
                l.attachments.push_back(std::move(a));
            }
        }
        if (accepted) st.conditions.insert(st.conditions.begin(), {"Accepted", "True", "Accepted", ""});
        else st.conditions.insert(st.conditions.begin(), {"Accepted", "False", rejectReason, rejectWhy});
        impl->status.push_back(std::move(st));
        impl->routes.push_back(std::move(cr));
    }

    // Per listener, every match of every attached route, in precedence order (§2.3; the hostname step is per request).
    bool allTimestamps = true;
    for (const auto& r : objs.routes)
        if (!r.meta.creationTimestamp) allTimestamps = false;
    for (auto& l : impl->listeners) {
        for (std::size_t ai = 0; ai < l.attachments.size(); ++ai) {
            const int ri = l.attachments[ai].route;
            const auto& rules = impl->routes[static_cast<std::size_t>(ri)].source;
            for (std::size_t k = 0; k < rules.size(); ++k) {
                std::vector<HTTPRouteMatch> ms = rules[k].matches;
                if (ms.empty()) ms.push_back(HTTPRouteMatch{});
                for (std::size_t mi = 0; mi < ms.size(); ++mi) {
                    CMatch cm;
                    cm.route = ri;
                    cm.rule = static_cast<int>(k);
                    cm.match = static_cast<int>(mi);
                    cm.m = ms[mi];
                    cm.kindRank = cm.m.path.type == "Exact" ? 0 : cm.m.path.type == "RegularExpression" ? 2 : 1;
                    cm.prefixLen = static_cast<int>(cm.m.path.value.size());
                    if (cm.kindRank == 2) {
                        try {
                            cm.regex = std::make_shared<const std::regex>(cm.m.path.value, std::regex::ECMAScript);
                        } catch (const std::regex_error&) {
                            // (?i) and other RE2 flags are not ECMAScript: case-insensitive when asked for.
                            std::string v = cm.m.path.value;
                            bool icase = false;
                            if (v.rfind("(?i)", 0) == 0) {
                                v = v.substr(4);
                                icase = true;
                            }
                            try {
                                cm.regex = std::make_shared<const std::regex>(v, icase ? std::regex::ECMAScript | std::regex::icase : std::regex::ECMAScript);
                            } catch (const std::regex_error&) {
                                cm.regex.reset();
                            }
                        }
                    }
                    l.matches.push_back(std::move(cm));
                }
            }
        }
        const auto& routesSrc = objs.routes;
        auto key = [&](const CMatch& c) {
            const auto& r = routesSrc[static_cast<std::size_t>(c.route)];
            const bool regexRank = c.kindRank == 2;
            return std::make_tuple(c.kindRank, regexRank ? 0 : -c.prefixLen, regexRank ? 0 : (c.m.method ? 0 : 1),
                                   regexRank ? 0 : -static_cast<int>(c.m.headers.size()),
                                   regexRank ? 0 : -static_cast<int>(c.m.queryParams.size()),
                                   allTimestamps ? *r.meta.creationTimestamp : std::string(), r.creationOrder,
                                   r.meta.qualifiedName(), c.rule, c.match);
        };
        std::stable_sort(l.matches.begin(), l.matches.end(), [&](const CMatch& a, const CMatch& b) { return key(a) < key(b); });

        // Host index: the lists each route belongs to, then every match appended (in sorted order) to its route's lists.
        std::vector<std::vector<int>> routeLists(impl->routes.size() + 1);
        int lists = 0;
        auto join = [&](int& slot, int route) {
            if (slot < 0) slot = lists++;
            auto& rl = routeLists[static_cast<std::size_t>(route)];
            if (std::find(rl.begin(), rl.end(), slot) == rl.end()) rl.push_back(slot);
        };
        for (const auto& a : l.attachments) {
            if (a.hostnames.empty()) join(l.anyHost, a.route);
            for (const auto& h : a.hostnames) {
                if (isWildcard(h)) join(l.wildcardHosts.try_emplace(h.substr(1), -1).first->second, a.route);
                else join(l.exactHosts.try_emplace(h, -1).first->second, a.route);
            }
        }
        l.matchLists.resize(static_cast<std::size_t>(lists));
        for (std::size_t mi = 0; mi < l.matches.size(); ++mi)
            for (const int k : routeLists[static_cast<std::size_t>(l.matches[mi].route)])
                l.matchLists[static_cast<std::size_t>(k)].push_back(static_cast<std::uint32_t>(mi));
    }

    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&h](const std::string& s) {
        for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ull;
        h = (h ^ 0xff) * 1099511628211ull;
    };
    for (const auto& r : ws.resources)
        if (isGatewayResource(r) || r.kind == "Service" || r.kind == "Secret") mix(YAML::Dump(r.node));
    for (const auto& [k, v] : eps) {
        mix(k.ns + "/" + k.service + ":" + std::to_string(k.servicePort));
        for (const auto& e : v) mix(e.address + ":" + std::to_string(e.port));
    }
    impl->hash = h;
    return std::make_shared<const GatewayRouter>(std::move(impl));
}

routing::TlsChoice GatewayRouter::certificateFor(const std::string& sniIn) const {
    routing::TlsChoice out;
    std::string sni = lower(sniIn);
    if (!sni.empty() && sni.back() == '.') sni.pop_back();
    std::vector<int> cands;
    for (std::size_t i = 0; i < m_impl->listeners.size(); ++i)
        if (m_impl->listeners[i].protocol == "HTTPS") cands.push_back(static_cast<int>(i));
    std::vector<int> usable;
    for (int i : cands)
        if (m_impl->listeners[static_cast<std::size_t>(i)].usable) usable.push_back(i);
    const int li = pickListener(m_impl->listeners, usable, sni);
    if (li < 0) {
        out.refuse = true;
        out.trace.push_back("no programmed HTTPS listener serves SNI '" + sni +
                            "': handshake refused (unrecognized_name; Gateway API has no default certificate)");
        return out;
    }
    const CListener& l = m_impl->listeners[static_cast<std::size_t>(li)];
    out.certificate = l.certificate;
    out.pemCert = l.pemCert;
    out.pemKey = l.pemKey;
    out.trace.push_back("SNI '" + sni + "' -> listener " + l.gateway + "/" + l.name + " -> certificate " + l.certificate);
    return out;
}

void GatewayRouter::route(const RequestView& req, std::uint64_t randomValue, bool wantTrace, Decision& d) const {
    d.clear();
    const Impl& m = *m_impl;
    auto trace = [&](const std::string& s) {
        if (wantTrace) d.trace.push_back(s);
    };
    d.upstreamPath = req.target;
    d.upstreamHost = req.hostHeader.empty() ? req.host : req.hostHeader;
    const bool https = req.scheme == "https";
    const std::string protocol = https ? "HTTPS" : "HTTP";
    std::string host = lower(routing::hostWithoutPort(req.host));
    if (!host.empty() && host.back() == '.') host.pop_back();

    // 1. Listeners on the port the client connected to (a proxy on a non-standard port acts as 80/443).
    std::vector<int> cands;
    bool portKnown = false;
    for (std::size_t i = 0; i < m.listeners.size(); ++i)
        if (m.listeners[i].protocol == protocol && m.listeners[i].port == req.listenPort) portKnown = true;
    const int port = portKnown ? req.listenPort : (https ? 443 : 80);
    for (std::size_t i = 0; i < m.listeners.size(); ++i)
        if (m.listeners[i].protocol == protocol && m.listeners[i].port == port && m.listeners[i].usable) cands.push_back(static_cast<int>(i));
    const int li = pickListener(m.listeners, cands, host);
    if (li < 0) {
        d.action = Decision::Action::Respond;
        d.status = 404;
        trace("no " + protocol + " listener on port " + std::to_string(port) + " matches host '" + host + "': 404");
        return;
    }
    const CListener& l = m.listeners[static_cast<std::size_t>(li)];
    trace("listener " + l.gateway + "/" + l.name + " (" + protocol + " " + std::to_string(l.port) +
          (l.hostname.empty() ? ", any hostname" : ", hostname " + l.hostname) + ") selected by host '" + host + "'");
    if (https) {
        d.tlsCertificate = l.certificate;
        if (req.sni && !req.sni->empty()) {
            std::string sni = lower(*req.sni);
            if (sni.back() == '.') sni.pop_back();
            const int sl = pickListener(m.listeners, cands, sni);
            if (sl >= 0 && sl != li) {
                const CListener& s = m.listeners[static_cast<std::size_t>(sl)];
                d.tlsCertificate = s.certificate;
                d.action = Decision::Action::Respond;
                d.status = 421;
                trace("SNI '" + sni + "' selected listener " + s.name + " but Host '" + host + "' belongs to listener " + l.name +
                      ": 421 Misdirected Request");
                return;
            }
        }
    }

    // 2. Routes attached to that listener whose effective hostnames match; keep the best hostname class: the exact
    // hostname, else the longest matching wildcard, else the routes without hostnames (the host index).
    const std::vector<std::uint32_t>* candidates = nullptr;
    if (auto it = l.exactHosts.find(host); it != l.exactHosts.end()) candidates = &l.matchLists[static_cast<std::size_t>(it->second)];
    for (std::size_t dot = host.find('.', 1); !candidates && dot != std::string::npos; dot = host.find('.', dot + 1)) {
        if (dot + 1 >= host.size()) break;
        if (auto it = l.wildcardHosts.find(host.substr(dot)); it != l.wildcardHosts.end())
            candidates = &l.matchLists[static_cast<std::size_t>(it->second)];
    }
    if (!candidates && l.anyHost >= 0) candidates = &l.matchLists[static_cast<std::size_t>(l.anyHost)];
    if (!candidates) {
        d.action = Decision::Action::Respond;
        d.status = 404;
        trace("no route attached to listener " + l.name + " has a hostname matching '" + host + "': 404");
        return;
    }

    // 3. The first match in precedence order.
    const std::string path = removeDots(pathOf(req.target));
    if (path.size() != pathOf(req.target).size()) {  // the backend sees the normalised path
        const auto q = req.target.find('?');
        d.upstreamPath = path + (q == std::string::npos ? "" : req.target.substr(q));
    }
    std::vector<std::pair<std::string, std::string>> query;
    bool queryParsed = false;
    const CMatch* won = nullptr;
    for (const std::uint32_t mi : *candidates) {
        const CMatch& cm = l.matches[mi];
        if (!pathMatches(cm, path)) continue;
        if (cm.m.method && *cm.m.method != req.method) continue;
        bool ok = true;
        std::vector<std::string> seen;
        for (const auto& hm : cm.m.headers) {
            const std::string n = lower(hm.name);
            if (contains(seen, n)) continue;  // equivalent names: only the first counts
            seen.push_back(n);
            const auto v = req.header(hm.name);
            if (!v) ok = false;
            else if (hm.type == "RegularExpression") {
                try {
                    ok = ok && std::regex_search(*v, std::regex(hm.value));
                } catch (const std::regex_error&) {
                    ok = false;
                }
            } else if (*v != hm.value) ok = false;
            if (!ok) break;
        }
        if (!ok) continue;
        if (!cm.m.queryParams.empty() && !queryParsed) {
            query = queryParams(req.target);
            queryParsed = true;
        }
        for (const auto& qm : cm.m.queryParams) {
            std::optional<std::string> v;
            for (const auto& [k, val] : query)
                if (k == qm.name) {
                    v = val;
                    break;
                }
            if (!v || *v != qm.value) {
                ok = false;
                break;
            }
        }
        if (!ok) continue;
        won = &cm;
        break;
    }
    if (!won) {
        d.action = Decision::Action::Respond;
        d.status = 404;
        trace("no rule of the routes attached to " + l.name + " matches " + req.method + " " + path + ": 404");
        return;
    }
    const CRoute& route = m.routes[static_cast<std::size_t>(won->route)];
    const CRule& rule = route.rules[static_cast<std::size_t>(won->rule)];
    d.ingress = route.name;
    d.matchedPath = won->m.path.value;
    {
        std::string desc = "HTTPRoute " + route.name + " rules[" + std::to_string(won->rule) + "].matches[" + std::to_string(won->match) +
                           "] won: " + won->m.path.type + " " + won->m.path.value;
        if (won->m.method) desc += ", method " + *won->m.method;
        if (!won->m.headers.empty()) desc += ", " + std::to_string(won->m.headers.size()) + " header match(es)";
        if (!won->m.queryParams.empty()) desc += ", " + std::to_string(won->m.queryParams.size()) + " query match(es)";
        desc += " (precedence: host, Exact before PathPrefix, longer prefix, method, more headers, more query params, oldest route, "
                "name, rule order)";
        trace(desc);
    }

    // 4. Filters, in order.
    auto applyFilters = [&](const std::vector<HTTPRouteFilter>& filters, const std::vector<CMirror>& mirrors) -> bool {  // false = answered
        std::size_t mirrorIndex = 0;
        for (const auto& f : filters) {
            if (f.type == "CORS" && f.cors) {
                const auto origin = req.header("Origin");
                const bool preflight = req.method == "OPTIONS" && origin && req.header("Access-Control-Request-Method");
                const bool allowed = origin && originAllowed(*f.cors, *origin);
                const HTTPCORSFilter& c = *f.cors;
                if (preflight) {
                    d.action = Decision::Action::Respond;
                    d.status = 200;
                    if (allowed) {
                        d.responseHeaders.emplace_back("Access-Control-Allow-Origin", *origin);
                        if (c.allowCredentials) d.responseHeaders.emplace_back("Access-Control-Allow-Credentials", "true");
                        const std::string reqMethod = req.header("Access-Control-Request-Method").value_or("");
                        if (contains(c.allowMethods, "*")) d.responseHeaders.emplace_back("Access-Control-Allow-Methods", c.allowCredentials ? reqMethod : "*");
                        else if (!c.allowMethods.empty()) d.responseHeaders.emplace_back("Access-Control-Allow-Methods", joinList(c.allowMethods));
                        const auto reqHeaders = req.header("Access-Control-Request-Headers");
                        if (contains(c.allowHeaders, "*")) {
                            if (reqHeaders) d.responseHeaders.emplace_back("Access-Control-Allow-Headers", c.allowCredentials ? *reqHeaders : "*");
                        } else if (!c.allowHeaders.empty()) {
                            d.responseHeaders.emplace_back("Access-Control-Allow-Headers", joinList(c.allowHeaders));
                        }
                        if (!c.exposeHeaders.empty()) d.responseHeaders.emplace_back("Access-Control-Expose-Headers", joinList(c.exposeHeaders));
                        d.responseHeaders.emplace_back("Access-Control-Max-Age", std::to_string(c.maxAge.value_or(5)));
                        trace("CORS preflight from allowed origin " + *origin + ": answered by the gateway (never proxied)");
                    } else {
                        trace("CORS preflight from origin " + origin.value_or("") + " that is not allowed: answered without CORS headers, not proxied");
                    }
                    return false;
                }
                if (allowed) {
                    d.responseHeaders.emplace_back("Access-Control-Allow-Origin", *origin);
                    if (c.allowCredentials) d.responseHeaders.emplace_back("Access-Control-Allow-Credentials", "true");
                    if (!c.exposeHeaders.empty()) d.responseHeaders.emplace_back("Access-Control-Expose-Headers", joinList(c.exposeHeaders));
                    trace("CORS: origin " + *origin + " allowed (Allow-Origin echoes it)");
                }
            } else if (f.type == "RequestRedirect" && f.requestRedirect) {
                const auto& r = *f.requestRedirect;
                const std::string scheme = r.scheme.value_or(req.scheme);
                const std::string hostOut = r.hostname.value_or(routing::hostWithoutPort(req.host));
                int portOut = r.port ? *r.port : (r.scheme ? (scheme == "https" ? 443 : 80) : l.port);
                std::string p = pathOf(req.target);
                if (r.path) {
                    if (r.path->type == "ReplaceFullPath") p = r.path->replaceFullPath.value_or("/");
                    else if (r.path->type == "ReplacePrefixMatch") p = replacePrefix(p, won->m.path.value, r.path->replacePrefixMatch.value_or(""));
                }
                const auto q = req.target.find('?');
                std::string loc = scheme + "://" + hostOut;
                if (!((scheme == "http" && portOut == 80) || (scheme == "https" && portOut == 443))) loc += ":" + std::to_string(portOut);
                loc += p;
                if (q != std::string::npos) loc += req.target.substr(q);
                d.action = Decision::Action::Redirect;
                d.status = r.statusCode.value_or(302);
                d.location = loc;
                trace("RequestRedirect: " + std::to_string(d.status) + " " + loc);
                return false;
            } else if ((f.type == "RequestHeaderModifier" && f.requestHeaderModifier)) {
                const auto& hm = *f.requestHeaderModifier;
                auto setHeader = [&](const std::string& n, const std::string& v) {
                    for (auto& [k, val] : d.upstreamHeaders)
                        if (lower(k) == lower(n)) {
                            val = v;
                            return;
                        }
                    d.upstreamHeaders.emplace_back(n, v);
                };
                for (const auto& h : hm.set) setHeader(h.name, h.value);
                for (const auto& h : hm.add) {
                    std::optional<std::string> cur;
                    for (const auto& [k, val] : d.upstreamHeaders)
                        if (lower(k) == lower(h.name)) cur = val;
                    if (!cur) cur = req.header(h.name);
                    setHeader(h.name, cur ? *cur + "," + h.value : h.value);
                }
                for (const auto& n : hm.remove) d.upstreamHeadersRemoved.push_back(n);
                trace("RequestHeaderModifier: " + std::to_string(hm.set.size()) + " set, " + std::to_string(hm.add.size()) + " add, " +
                      std::to_string(hm.remove.size()) + " remove");
            } else if (f.type == "ResponseHeaderModifier" && f.responseHeaderModifier) {
                const auto& hm = *f.responseHeaderModifier;
                for (const auto& h : hm.set) {
                    d.responseHeaders.emplace_back(h.name, h.value);
                    d.responseHeadersRemoved.push_back(h.name);  // set replaces the upstream's value
                }
                for (const auto& h : hm.add) d.responseHeaders.emplace_back(h.name, h.value);
                for (const auto& n : hm.remove) d.responseHeadersRemoved.push_back(n);
                trace("ResponseHeaderModifier: " + std::to_string(hm.set.size()) + " set, " + std::to_string(hm.add.size()) + " add, " +
                      std::to_string(hm.remove.size()) + " remove on the response");
            } else if (f.type == "URLRewrite" && f.urlRewrite) {
                const auto& u = *f.urlRewrite;
                if (u.hostname) {
                    d.upstreamHost = *u.hostname;
                    d.upstreamHeaders.emplace_back("Host", *u.hostname);
                }
                if (u.path) {
                    const auto q = req.target.find('?');
                    std::string p = pathOf(req.target);
                    if (u.path->type == "ReplaceFullPath") p = u.path->replaceFullPath.value_or("/");
                    else if (u.path->type == "ReplacePrefixMatch") p = replacePrefix(p, won->m.path.value, u.path->replacePrefixMatch.value_or(""));
                    d.upstreamPath = p + (q == std::string::npos ? "" : req.target.substr(q));
                }
                trace("URLRewrite: upstream " + d.upstreamHost + " " + d.upstreamPath);
            } else if (f.type == "RequestMirror" && f.requestMirror) {
                Q_ASSERT(mirrorIndex < mirrors.size());
                const CMirror& cm = mirrors[mirrorIndex++];
                if (!cm.resolved) {
                    trace("RequestMirror: backendRef " + f.requestMirror->backendRef.name + " does not resolve (" + cm.problem +
                          "): no copy is sent");
                    continue;
                }
                d.mirrors.push_back(cm.target);
                if (wantTrace) {
                    const auto& t = cm.target;
                    std::string share = t.numerator == t.denominator ? std::string("every proxied request")
                                        : t.denominator == 100 ? std::to_string(t.numerator) + "% of proxied requests"
                                                               : std::to_string(t.numerator) + "/" + std::to_string(t.denominator) + " of proxied requests";
                    trace("RequestMirror: a copy of " + share + " goes to Service " + t.backend.ns + "/" + t.backend.service + ":" +
                          t.backend.port + " (" + std::to_string(t.endpoints ? t.endpoints->size() : 0) +
                          " endpoint(s); its response is ignored)");
                }
            } else if (f.type == "ExtensionRef" || f.hasExtensionRef) {
                d.action = Decision::Action::Respond;
                d.status = 500;
                trace("ExtensionRef filter cannot be resolved by this tool: it must not be skipped, 500");
                return false;
            }
        }
        return true;
    };
    if (!applyFilters(rule.filters, rule.mirrors)) {
        d.mirrors.clear();  // answered by the gateway (preflight, redirect, ExtensionRef): nothing is proxied
        return;
    }

    // 5. Backend by weight.
    if (rule.backends.empty()) {
        d.action = Decision::Action::Respond;
        d.mirrors.clear();  // copies go only with a proxied request
        d.status = 500;
        trace("the rule has no backendRefs (and no redirect): 500");
        return;
    }
    if (rule.totalWeight <= 0) {
        d.action = Decision::Action::Respond;
        d.mirrors.clear();  // copies go only with a proxied request
        d.status = 500;
        trace("every backendRef of the rule has weight 0: 500 (unspecified; Envoy Gateway's choice)");
        return;
    }
    std::uint64_t pick = randomValue % static_cast<std::uint64_t>(rule.totalWeight);
    const CBackend* chosen = nullptr;
    for (const auto& b : rule.backends) {
        if (pick < static_cast<std::uint64_t>(b.weight)) {
            chosen = &b;
            break;
        }
        pick -= static_cast<std::uint64_t>(b.weight);
    }
    if (!chosen) chosen = &rule.backends.back();
    if (rule.backends.size() > 1) trace("weighted choice among " + std::to_string(rule.backends.size()) + " backendRefs (total weight " + std::to_string(rule.totalWeight) + ")");
    if (chosen->errorStatus) {
        d.action = Decision::Action::Respond;
        d.mirrors.clear();  // copies go only with a proxied request
        d.status = chosen->errorStatus;
        d.upstreamHeaders.clear();
        trace("backendRef does not resolve (" + chosen->problem + "): 500");
        return;
    }
    if (!applyFilters(chosen->filters, chosen->mirrors)) {
        d.mirrors.clear();  // answered by the gateway (preflight, redirect, ExtensionRef): nothing is proxied
        return;
    }
    d.backend = chosen->ref;
    d.endpoints = chosen->endpoints;
    if (rule.timeoutMs > 0) d.timeouts.readMs = rule.timeoutMs;
    if (!chosen->endpoints || chosen->endpoints->empty()) {
        d.action = Decision::Action::Respond;
        d.mirrors.clear();  // copies go only with a proxied request
        d.status = 503;
        trace("Service " + chosen->ref.ns + "/" + chosen->ref.service + " has no ready endpoints: 503");
        return;
    }
    d.action = Decision::Action::Proxy;
    d.status = 0;
    trace("proxied to Service " + chosen->ref.ns + "/" + chosen->ref.service + ":" + chosen->ref.port + " path " + d.upstreamPath);
}

}  // namespace ilab::gateway
