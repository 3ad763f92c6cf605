// RouteTable::compile: workspace + controller settings -> immutable indexed table (style.md B.5-B.9).
// Follows ingress-nginx's controller.go (createServers, getBackendServers, mergeAlternativeBackends,
// updateServerLocations) for the ingress-nginx profile and the Ingress API spec for the kubernetes profile.

#include <algorithm>
#include <cctype>
#include <ctime>
#include <set>
#include <sstream>

#include "core/common/field_path.h"
#include "core/routing/certificate_sans.h"
#include "core/gateway/gateway_router.h"
#include "core/routing/route_table_impl.h"
#include "core/routing/uri.h"

namespace ilab::routing {

using namespace detail;

namespace {

constexpr const char* GENERATE_SELF_SIGNED = "ingress-lab.dev/generate-self-signed";

// RFC 3339 -> seconds since epoch (UTC); nullopt when unparsable.
std::optional<std::int64_t> parseTimestamp(const std::string& s) {
    std::tm tm{};
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec) != 6) return std::nullopt;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return static_cast<std::int64_t>(timegm(&tm));
}

struct Claimed {
    const model::Resource* res;
    const model::Ingress* ing;
    std::int64_t time;  // creation time; untimestamped Ingresses come after all timestamped ones, in document order
};

std::uint64_t fnv(std::uint64_t h, const std::string& s) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    h ^= 0xff;
    h *= 1099511628211ULL;
    return h;
}

class Compiler {
public:
    Compiler(const model::Workspace& ws, const ControllerSettings& settings, const EndpointMap* endpoints,
             CompileResult& out, bool withDiagnostics)
        : m_ws(ws), m_eps(endpoints), m_out(out), m_diags(withDiagnostics ? &out.diagnostics : nullptr) {
        m_impl = std::make_unique<RouteTable::Impl>();
        m_impl->settings = settings;
        m_nginx = settings.profile == Profile::IngressNginx;
    }

    std::unique_ptr<RouteTable::Impl> run() {
        mergeConfig();
        selectIngresses();
        parseAnnotations();
        buildGlobalDefault();
        buildServers();
        addPaths();
        finishServers();
        if (m_nginx) mergeCanaries();
        buildCertificates();
        for (const auto& p : m_impl->ingresses) {  // the annotations are final now
            PolicyHot& hot = m_impl->policyHot.emplace_back(PolicyHot::of(p.ann));
            hot.nameOffset = static_cast<std::uint32_t>(m_impl->policyNames.size());
            hot.nameLength = static_cast<std::uint32_t>(p.name.size());
            m_impl->policyNames += p.name;
        }
        for (auto& srv : m_impl->servers) {
            srv.hot.clear();
            for (const auto& loc : srv.locations) {
                LocationHot& hot = srv.hot.emplace_back();
                hot.ingress = loc.ingress;
                hot.target = loc.target;
                hot.pathOffset = static_cast<std::uint32_t>(m_impl->locationPaths.size());
                hot.pathLength = static_cast<std::uint32_t>(loc.rulePath.size());
                hot.isDefault = loc.isDefault;
                hot.weighted = !loc.weighted.empty();
                m_impl->locationPaths += loc.rulePath;
            }
        }
        finish();
        return std::move(m_impl);
    }

private:
    // ---- diagnostics & status ------------------------------------------------------------------------------
    void diag(Severity sev, DiagCode code, const Claimed* c, const std::string& field, const std::string& detail,
              const std::string& rule, std::optional<std::string> bad = std::nullopt) {
        if (!m_diags) return;
        Diagnostic d;
        d.severity = sev;
        d.code = code;
        if (c) {
            d.object = "Ingress " + c->ing->meta.qualifiedName();
            d.pos = c->res->source.find(field);
        }
        d.field = field;
        d.badValue = std::move(bad);
        d.detail = detail;
        d.rule = rule;
        m_diags->push_back(std::move(d));
    }
    IngressStatus& status(const std::string& name) {
        if (auto it = m_statusIndex.find(name); it != m_statusIndex.end()) return m_out.status[it->second];
        m_out.status.push_back({name, IngressStatus::State::Enabled, {}});
        m_statusIndex[name] = m_out.status.size() - 1;
        return m_out.status.back();
    }
    void warnStatus(const std::string& name, const std::string& reason) {
        auto& s = status(name);
        if (s.state == IngressStatus::State::Enabled) s.state = IngressStatus::State::Warning;
        s.reasons.push_back(reason);
    }

    // ---- configuration ---------------------------------------------------------------------------------------
    void mergeConfig() {
        auto& cfg = m_impl->cfg;
        cfg = m_impl->settings.configMap;
        if (const auto* cm = m_ws.controllerConfigMap())
            for (const auto& [k, v] : cm->data) cfg[k] = v;
        auto get = [&](const char* k, const char* def) {
            auto it = cfg.find(k);
            return it == cfg.end() ? std::string(def) : it->second;
        };
        if (get("hsts", "true") == "true") {
            std::string v = "max-age=" + get("hsts-max-age", "31536000");
            if (get("hsts-include-subdomains", "true") == "true") v += "; includeSubDomains";
            if (get("hsts-preload", "false") == "true") v += "; preload";
            m_impl->hstsValue = v;
        }
        if (m_impl->settings.profile == Profile::IngressNginx && get("server-tokens", "false") == "true")
            m_impl->serverHeader = "nginx/1.27.1";
        const int code = std::atoi(get("http-redirect-code", "308").c_str());
        m_impl->httpRedirectCode = (code == 301 || code == 302 || code == 307 || code == 308) ? code : 308;
        m_impl->useForwardedHeaders = get("use-forwarded-headers", "false") == "true";
        m_impl->computeFullForwardedFor = get("compute-full-forwarded-for", "false") == "true";
        if (cfg.count("no-tls-redirect-locations")) {
            m_impl->noTlsRedirectLocations.clear();
            std::stringstream ss(cfg["no-tls-redirect-locations"]);
            std::string item;
            while (std::getline(ss, item, ','))
                if (auto t = annotations::trim(item); !t.empty()) m_impl->noTlsRedirectLocations.push_back(t);
        }
        m_impl->proxyDefaults = annotations::proxyDefaults(cfg);
        model::Ingress empty;
        annotations::AnnotationReader none(empty, nullptr, nullptr);
        m_impl->sslDefaults = annotations::parseSslRedirect(none, cfg);
        m_allowSnippets = get("allow-snippet-annotations", "false") == "true";
    }

    // ---- ingress class (semantics.md §17) ------------------------------------------------------------------
    bool classClaims(const model::Ingress& ing, std::string* why) const {
        const auto& s = m_impl->settings;
        if (s.claimAllIngresses) {
            *why = "claimed (every Ingress is claimed)";
            return true;
        }
        std::vector<const model::IngressClass*> classes = m_ws.all<model::IngressClass>();
        if (ing.spec.ingressClassName) {
            const std::string& name = *ing.spec.ingressClassName;
            for (const auto* c : classes) {
                if (c->meta.name != name) continue;
                if (c->controller == s.controllerClass) {
                    *why = "IngressClass " + name + " has controller " + c->controller;
                    return true;
                }
                *why = "IngressClass " + name + " belongs to controller " + c->controller + ", not " + s.controllerClass;
                return false;
            }
            if (name == s.ingressClass) {
                *why = "spec.ingressClassName " + name + " is this controller's class (no IngressClass object in the workspace)";
                return true;
            }
            *why = "spec.ingressClassName " + name + " names no IngressClass of controller " + s.controllerClass;
            return false;
        }
        auto legacy = ing.meta.annotations.find("kubernetes.io/ingress.class");
        if (legacy != ing.meta.annotations.end()) {
            if (legacy->second == s.ingressClass) {
                *why = "annotation kubernetes.io/ingress.class: " + legacy->second;
                return true;
            }
            *why = "annotation kubernetes.io/ingress.class is " + legacy->second + ", not " + s.ingressClass;
            return false;
        }
        std::vector<const model::IngressClass*> defaults;
        for (const auto* c : classes)
            if (c->isDefault()) defaults.push_back(c);
        if (defaults.size() == 1) {
            if (defaults[0]->controller == s.controllerClass) {
                *why = "no class: the default IngressClass " + defaults[0]->meta.name + " is assigned";
                return true;
            }
            *why = "no class: the default IngressClass " + defaults[0]->meta.name + " belongs to another controller";
            return false;
        }
        if (defaults.size() > 1) {
            *why = "no class and more than one default IngressClass: the API server rejects it";
            return false;
        }
        if (s.watchIngressWithoutClass) {
            *why = "no class; --watch-ingress-without-class=true";
            return true;
        }
        *why = "no class (set spec.ingressClassName or --watch-ingress-without-class=true)";
        return false;
    }

    void selectIngresses() {
        const std::int64_t LATE = std::int64_t(1) << 50;
        for (const auto& r : m_ws.resources) {
            const auto* ing = r.as<model::Ingress>();
            if (!ing) continue;
            const std::string name = ing->meta.qualifiedName();
            std::string why;
            if (!classClaims(*ing, &why)) {
                auto& st = status(name);
                st.state = IngressStatus::State::Ignored;
                st.reasons.push_back("ignored: " + why);
                m_impl->ignored.push_back(name + ": " + why);
                continue;
            }
            std::int64_t t = LATE + r.creationOrder;
            if (ing->meta.creationTimestamp) {
                if (auto p = parseTimestamp(*ing->meta.creationTimestamp)) t = *p;
            }
            m_claimed.push_back({&r, ing, t});
            status(name);
        }
        // Oldest first; equal creation times: ingress-nginx sortIngressSlice puts the namespace/name that sorts LAST
        // first ("in > jn"); the kubernetes profile follows Gateway API (alphabetically first wins).
        const bool nginx = m_nginx;
        std::stable_sort(m_claimed.begin(), m_claimed.end(), [nginx](const Claimed& a, const Claimed& b) {
            if (a.time != b.time) return a.time < b.time;
            const std::string an = a.ing->meta.qualifiedName(), bn = b.ing->meta.qualifiedName();
            return nginx ? an > bn : an < bn;
        });
    }

    void parseAnnotations() {
        annotations::ParseOptions opts;
        opts.allowSnippetAnnotations = m_allowSnippets;
        for (std::size_t i = 0; i < m_claimed.size(); ++i) {
            const auto& c = m_claimed[i];
            IngressPolicy p;
            p.name = c.ing->meta.qualifiedName();
            p.ns = c.ing->meta.ns;
            p.ann = annotations::parseIngressAnnotations(*c.ing, c.res, m_impl->cfg, opts, m_diags);
            if (!m_nginx) {
                // The kubernetes profile implements the Ingress API only: controller annotations have no effect,
                // except the Ingress Lab service-weights extension.
                annotations::IngressAnnotations plain;
                plain.serviceWeights = p.ann.serviceWeights;
                plain.proxy.maxBodyBytes.reset();
                plain.sslRedirect.sslRedirect = false;
                if (p.ann.serviceWeights.invalid) {
                    plain.disabled = true;
                    plain.disabledReasons.push_back("invalid service-weights");
                }
                p.ann = std::move(plain);
            }
            if (p.ann.disabled) {
                auto& st = status(p.name);
                st.state = IngressStatus::State::Disabled;
                for (const auto& r : p.ann.disabledReasons) st.reasons.push_back(r);
            }
            m_impl->ingresses.push_back(std::move(p));
        }
        validateServiceWeights();
    }

    bool usable(std::size_t i) const { return !m_impl->ingresses[i].ann.disabled; }
    bool isCanary(std::size_t i) const { return m_nginx && m_impl->ingresses[i].ann.canary.enabled; }

    // Traefik semantics: the listed services must be backends of one host+path of this Ingress; the sum must be
    // 100%, or less with exactly one backend of that path omitted (it gets the rest).
    void validateServiceWeights() {
        for (std::size_t i = 0; i < m_claimed.size(); ++i) {
            auto& p = m_impl->ingresses[i];
            const auto& sw = p.ann.serviceWeights;
            if (!sw.isSet() || p.ann.disabled) continue;
            std::set<std::string> seen;
            for (const auto& g : weightGroups(*m_claimed[i].ing)) {
                int listed = 0, omitted = 0;
                for (const auto& svc : g.second) {
                    bool isListed = false;
                    for (const auto& w : sw.weights)
                        if (w.service == svc) isListed = true;
                    (isListed ? listed : omitted)++;
                    if (isListed) seen.insert(svc);
                }
                if (listed == 0) continue;
                std::string problem;
                if (omitted > 1) problem = "more than one backend of " + g.first + " has no weight";
                else if (omitted == 0 && sw.totalMilli != annotations::SERVICE_WEIGHT_SCALE)
                    problem = "weights of " + g.first + " add up to " + std::to_string(sw.totalMilli / 1000.0) + "%, not 100%";
                if (!problem.empty()) {
                    annotations::AnnotationReader r(*m_claimed[i].ing, m_claimed[i].res, m_diags);
                    r.error("service-weights", problem, "service-weights-invalid");
                    p.ann.disabled = true;
                    auto& st = status(p.name);
                    st.state = IngressStatus::State::Disabled;
                    st.reasons.push_back("invalid service-weights: " + problem);
                }
            }
            for (const auto& w : sw.weights) {
                if (seen.count(w.service) || p.ann.disabled) continue;
                annotations::AnnotationReader r(*m_claimed[i].ing, m_claimed[i].res, m_diags);
                r.warn("service-weights", "service " + w.service + " is not a backend of any path of this Ingress; its weight is unused");
            }
        }
    }

    // host+path+type -> services of that Ingress (document order, unique)
    static std::vector<std::pair<std::string, std::vector<std::string>>> weightGroups(const model::Ingress& ing) {
        std::vector<std::pair<std::string, std::vector<std::string>>> groups;
        for (const auto& rule : ing.spec.rules) {
            if (!rule.http) continue;
            for (const auto& path : rule.http->paths) {
                if (!path.backend.service) continue;
                const std::string key = rule.host.value_or("") + path.path.value_or("/") + " (" + path.pathType.value_or("") + ")";
                auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
                if (it == groups.end()) {
                    groups.push_back({key, {}});
                    it = groups.end() - 1;
                }
                if (std::find(it->second.begin(), it->second.end(), path.backend.service->name) == it->second.end())
                    it->second.push_back(path.backend.service->name);
            }
        }
        return groups;
    }

    // ---- targets -----------------------------------------------------------------------------------------------
    int target(const std::string& ns, const model::IngressServiceBackend& b) {
        const std::string portText = b.port.number ? std::to_string(*b.port.number) : b.port.name.value_or("");
        const std::string upstream = ns + "-" + b.name + "-" + portText;
        if (auto it = m_targetIndex.find(upstream); it != m_targetIndex.end()) return it->second;
        Target t;
        t.ref.ns = ns;
        t.ref.service = b.name;
        t.ref.port = portText;
        t.ref.upstreamName = upstream;
        auto eps = std::make_shared<std::vector<Endpoint>>();
        const model::Service* svc = m_ws.service(ns, b.name);
        if (!svc) {
            t.problem = "Service " + ns + "/" + b.name + " not found";
            t.problemCode = "service-not-found";
        } else {
            // ingress-nginx serviceEndpoints: the Ingress port matches the ServicePort's number, its targetPort
            // (as a string) or its name.
            const model::ServicePort* sp = nullptr;
            for (const auto& p : svc->ports) {
                if ((b.port.number && p.port == *b.port.number) || (b.port.name && p.name == *b.port.name)) {
                    sp = &p;
                    break;
                }
            }
            if (!sp) {
                for (const auto& p : svc->ports)
                    if (p.targetPort.isSet() && p.targetPort.toString() == portText) {
                        sp = &p;
                        break;
                    }
            }
            if (!sp) {
                t.problem = "Service " + ns + "/" + b.name + " has no port " + portText;
                t.problemCode = "no-service-port";
            } else {
                t.ref.servicePort = sp->port;
                if (m_eps) {
                    auto it = m_eps->find(EndpointKey{ns, b.name, sp->port});
                    if (it != m_eps->end()) *eps = it->second;
                } else {
                    if (!m_static) m_static = staticEndpoints(m_ws);
                    auto it = m_static->find(EndpointKey{ns, b.name, sp->port});
                    if (it != m_static->end()) *eps = it->second;
                }
                if (eps->empty()) {
                    t.problem = "Service " + ns + "/" + b.name + " has no ready endpoints";
                    t.problemCode = "no-endpoints";
                }
            }
        }
        t.endpoints = eps;
        m_impl->targets.push_back(std::move(t));
        const int idx = static_cast<int>(m_impl->targets.size()) - 1;
        m_targetIndex[upstream] = idx;
        m_impl->upstreams[upstream] = m_impl->targets[idx].ref;
        return idx;
    }

    void buildGlobalDefault() {
        const auto& s = m_impl->settings;
        if (s.defaultBackendService) {
            const auto slash = s.defaultBackendService->find('/');
            const std::string ns = s.defaultBackendService->substr(0, slash);
            const std::string name = s.defaultBackendService->substr(slash + 1);
            model::IngressServiceBackend b;
            b.name = name;
            if (const auto* svc = m_ws.service(ns, name); svc && !svc->ports.empty()) b.port.number = svc->ports[0].port;
            else b.port.number = 80;
            m_impl->globalDefaultTarget = target(ns, b);
        }
        // kubernetes profile: spec.defaultBackend of the oldest Ingress that has one catches all unmatched traffic.
        if (!m_nginx) {
            for (std::size_t i = 0; i < m_claimed.size(); ++i) {
                const auto& db = m_claimed[i].ing->spec.defaultBackend;
                if (usable(i) && db && db->service) {
                    m_k8sDefault = target(m_claimed[i].ing->meta.ns, *db->service);
                    m_k8sDefaultIngress = static_cast<int>(i);
                    break;
                }
            }
        }
    }

    // ---- servers (controller.go createServers) ---------------------------------------------------------------
    int serverFor(const std::string& host) {
        if (auto it = m_serverIndex.find(host); it != m_serverIndex.end()) return it->second;
        return -1;
    }
    int addServer(const std::string& host, int ingress, int defaultTarget, const std::string& why) {
        Server s;
        s.name = host;
        s.ingress = ingress;
        Location root;
        root.name = "/";
        root.kind = Location::Kind::Prefix;
        root.rulePath = "/";
        root.ruleType = "Prefix";
        root.isDefault = true;
        root.ingress = ingress;
        root.target = defaultTarget;
        root.origin = why;
        s.locations.push_back(std::move(root));
        s.root = 0;
        m_impl->servers.push_back(std::move(s));
        const int idx = static_cast<int>(m_impl->servers.size()) - 1;
        m_serverIndex[host] = idx;
        return idx;
    }

    void buildServers() {
        // The catch-all server "_": its "/" goes to the first rules-less Ingress with a defaultBackend (nginx),
        // else the controller default backend.
        int catchAllTarget = m_nginx ? m_impl->globalDefaultTarget : (m_k8sDefault >= 0 ? m_k8sDefault : m_impl->globalDefaultTarget);
        std::string why = catchAllTarget >= 0 && m_impl->settings.defaultBackendService
                              ? "controller default backend --default-backend-service=" + *m_impl->settings.defaultBackendService
                              : "controller default backend (404)";
        int catchAllIngress = -1;
        if (!m_nginx && m_k8sDefault >= 0) {
            why = "spec.defaultBackend of " + m_impl->ingresses[m_k8sDefaultIngress].name + " (catches all unmatched traffic)";
            catchAllIngress = m_k8sDefaultIngress;
        }
        if (m_nginx) {
            for (std::size_t i = 0; i < m_claimed.size(); ++i) {
                const auto* ing = m_claimed[i].ing;
                if (!usable(i) || isCanary(i) || !ing->spec.rules.empty() || !ing->spec.defaultBackend ||
                    !ing->spec.defaultBackend->service)
                    continue;
                catchAllTarget = target(ing->meta.ns, *ing->spec.defaultBackend->service);
                catchAllIngress = static_cast<int>(i);
                why = "spec.defaultBackend of " + m_impl->ingresses[i].name + " (an Ingress without rules is the catch-all)";
                break;
            }
        }
        m_impl->catchAll = addServer("_", catchAllIngress, catchAllTarget, why);
        const int globalDefault = m_nginx ? m_impl->globalDefaultTarget : m_impl->servers[m_impl->catchAll].locations[0].target;

        for (std::size_t i = 0; i < m_claimed.size(); ++i) {
            if (!usable(i) || isCanary(i)) continue;
            const auto* ing = m_claimed[i].ing;
            auto& pol = m_impl->ingresses[i];
            if (ing->spec.defaultBackend && ing->spec.defaultBackend->service)
                pol.defaultTarget = target(ing->meta.ns, *ing->spec.defaultBackend->service);
            if (m_nginx && pol.ann.upstream.defaultBackend) {
                model::IngressServiceBackend b;
                b.name = *pol.ann.upstream.defaultBackend;
                const auto* svc = m_ws.service(ing->meta.ns, b.name);
                b.port.number = svc && !svc->ports.empty() ? svc->ports[0].port : 80;
                pol.fallbackTarget = target(ing->meta.ns, b);
            }
            for (std::size_t r = 0; r < ing->spec.rules.size(); ++r) {
                const std::string host = ing->spec.rules[r].host ? toLower(*ing->spec.rules[r].host) : "_";
                int s = serverFor(host);
                if (s < 0) {
                    int t = globalDefault;
                    std::string w = m_impl->servers[m_impl->catchAll].locations[0].origin;
                    if (m_nginx && pol.defaultTarget >= 0) {
                        t = pol.defaultTarget;
                        w = "spec.defaultBackend of " + pol.name + " (the oldest Ingress of host " + host + ")";
                    }
                    s = addServer(host, static_cast<int>(i), t, w);
                }
                auto& srv = m_impl->servers[s];
                if (m_nginx) {
                    if (!srv.appRoot && pol.ann.rewrite.appRoot) {
                        srv.appRoot = pol.ann.rewrite.appRoot;
                        srv.appRootIngress = pol.name;
                    }
                    if (pol.ann.redirect.fromToWww) srv.fromToWww = true;
                }
            }
        }
        // Aliases and from-to-www names (never shadow a real host). First Ingress with server-alias wins.
        if (m_nginx) {
            std::set<int> aliased;
            for (std::size_t i = 0; i < m_claimed.size(); ++i) {
                if (!usable(i) || isCanary(i)) continue;
                const auto& aliases = m_impl->ingresses[i].ann.upstream.serverAliases;
                if (aliases.empty()) continue;
                for (const auto& rule : m_claimed[i].ing->spec.rules) {
                    if (!rule.host) continue;
                    const int s = serverFor(toLower(*rule.host));
                    if (s < 0 || !aliased.insert(s).second) continue;
                    for (const auto& a : aliases) {
                        if (m_serverIndex.count(a)) {
                            diag(Severity::Warning, DiagCode::Conflict, &m_claimed[i],
                                 "metadata.annotations[nginx.ingress.kubernetes.io/server-alias]",
                                 "alias " + a + " is already a host; ignored", "server-alias-is-host");
                            continue;
                        }
                        m_aliases[a] = s;
                    }
                }
            }
            for (std::size_t s = 0; s < m_impl->servers.size(); ++s) {
                const auto& srv = m_impl->servers[s];
                if (!srv.fromToWww || srv.name == "_") continue;
                const std::string other = srv.name.rfind("www.", 0) == 0 ? srv.name.substr(4) : "www." + srv.name;
                if (!m_serverIndex.count(other)) m_impl->wwwRedirects[other] = srv.name;
            }
        }
    }

    // ---- paths (getBackendServers) ------------------------------------------------------------------------------
    void addPaths() {
        for (std::size_t i = 0; i < m_claimed.size(); ++i) {
            if (!usable(i) || isCanary(i)) continue;
            const auto* ing = m_claimed[i].ing;
            auto& pol = m_impl->ingresses[i];
            for (std::size_t r = 0; r < ing->spec.rules.size(); ++r) {
                const auto& rule = ing->spec.rules[r];
                if (!rule.http) continue;
                const std::string host = rule.host ? toLower(*rule.host) : "_";
                const int s = serverFor(host);
                if (s < 0) continue;
                for (std::size_t p = 0; p < rule.http->paths.size(); ++p) {
                    const auto& hp = rule.http->paths[p];
                    const std::string field = FieldPath("spec").child("rules").index(r).child("http").child("paths").index(p).toString();
                    if (!hp.backend.service) {
                        if (hp.backend.resource) {
                            diag(Severity::Info, DiagCode::Lint, &m_claimed[i], field + ".backend.resource",
                                 "resource backends are not proxied by ingress-nginx: this path falls through to the default backend",
                                 "resource-backend-skipped");
                            warnStatus(pol.name, field + ": resource backend skipped");
                        }
                        continue;
                    }
                    addLocation(static_cast<int>(i), s, hp, field);
                }
            }
        }
    }

    void addLocation(int ingIdx, int s, const model::HTTPIngressPath& hp, const std::string& field) {
        auto& srv = m_impl->servers[s];
        auto& pol = m_impl->ingresses[ingIdx];
        const Claimed& c = m_claimed[ingIdx];
        std::string path = hp.path.value_or("");
        if (path.empty()) path = "/";
        std::string type = hp.pathType.value_or("ImplementationSpecific");
        if (type != "Exact" && type != "Prefix") type = "Prefix";  // IS / missing -> Prefix (both profiles)
        for (auto& loc : srv.locations) {
            if (loc.rulePath != path || loc.ruleType != type || loc.isExactCopy) continue;
            if (loc.isDefault) {
                loc.isDefault = false;
                loc.ingress = ingIdx;
                loc.target = target(pol.ns, *hp.backend.service);
                loc.origin = pol.name + " " + field;
                applyWeights(loc, ingIdx, srv.name, path, hp.pathType.value_or(""));
                return;
            }
            if (loc.ingress == ingIdx) {
                // Same Ingress lists host+path twice: service-weights already merged it.
                if (pol.ann.serviceWeights.isSet()) return;
            }
            const std::string winner = loc.ingress >= 0 ? m_impl->ingresses[loc.ingress].name : "?";
            diag(Severity::Warning, DiagCode::Conflict, &c, field + ".path",
                 "host \"" + srv.name + "\" and path \"" + path + "\" (" + type + ") are already defined by " + winner +
                     (loc.ingress == ingIdx ? " (same Ingress, earlier entry)" : " (older Ingress wins)") + "; this path is not used",
                 "path-conflict", path);
            warnStatus(pol.name, field + " shadowed by " + winner);
            srv.shadowed.push_back(pol.name + " " + field + " (" + srv.name + path + ") lost to " + winner + ": " +
                                 (loc.ingress == ingIdx ? "earlier entry" : "older Ingress"));
            return;
        }
        Location loc;
        loc.rulePath = path;
        loc.ruleType = type;
        loc.kind = type == "Exact" ? Location::Kind::Exact : Location::Kind::Prefix;
        loc.name = path;
        loc.ingress = ingIdx;
        loc.target = target(pol.ns, *hp.backend.service);
        loc.origin = pol.name + " " + field;
        applyWeights(loc, ingIdx, srv.name, path, hp.pathType.value_or(""));
        srv.locations.push_back(std::move(loc));
    }

    void applyWeights(Location& loc, int ingIdx, const std::string& host, const std::string& path, const std::string& rawType) {
        const auto& pol = m_impl->ingresses[ingIdx];
        const auto& sw = pol.ann.serviceWeights;
        if (!sw.isSet()) return;
        const std::string key = (host == "_" ? std::string() : host) + path + " (" + rawType + ")";
        for (const auto& g : weightGroups(*m_claimed[ingIdx].ing)) {
            if (toLower(g.first) != toLower(key) && g.first != key) continue;
            std::uint32_t cumulative = 0;
            std::vector<std::pair<int, std::uint32_t>> out;
            int omitted = -1;
            for (const auto& svc : g.second) {
                model::IngressServiceBackend b;
                bool found = false;
                for (const auto& rule : m_claimed[ingIdx].ing->spec.rules) {
                    if (!rule.http || found) continue;
                    for (const auto& hp : rule.http->paths)
                        if (hp.backend.service && hp.backend.service->name == svc && hp.path.value_or("/") == path) {
                            b = *hp.backend.service;
                            found = true;
                            break;
                        }
                }
                if (!found) continue;
                const int t = target(pol.ns, b);
                std::optional<std::uint32_t> w;
                for (const auto& x : sw.weights)
                    if (x.service == svc) w = x.milliPercent;
                if (!w) {
                    omitted = t;
                    continue;
                }
                cumulative += *w;
                out.emplace_back(t, cumulative);
            }
            if (out.empty()) return;
            if (omitted >= 0) out.emplace_back(omitted, annotations::SERVICE_WEIGHT_SCALE);
            loc.weighted = std::move(out);
            return;
        }
    }

    // nginx: Prefix P (P != "/") becomes location "P/" plus an exact copy "= P" unless an Exact P exists or the
    // location's Ingress uses regex/rewrite (location.go updateServerLocations). Then the host's regex mode, the
    // indexes and (regex mode) the match order.
    void finishServers() {
        for (auto& srv : m_impl->servers) {
            if (m_nginx) {
                for (const auto& loc : srv.locations) {
                    if (loc.ingress < 0 || loc.isDefault) continue;
                    const auto& rw = m_impl->ingresses[loc.ingress].ann.rewrite;
                    if (rw.useRegex || (rw.target && *rw.target != loc.rulePath)) {
                        srv.regexMode = true;
                        srv.regexReason = m_impl->ingresses[loc.ingress].name +
                                          (rw.useRegex ? " sets use-regex" : " sets rewrite-target");
                        break;
                    }
                }
                std::vector<Location> expanded;
                std::set<std::string> exactPaths;
                for (const auto& loc : srv.locations)
                    if (loc.kind == Location::Kind::Exact) exactPaths.insert(loc.rulePath);
                for (auto& loc : srv.locations) {
                    const bool regexOwn = loc.ingress >= 0 && m_impl->ingresses[loc.ingress].needsRegex();
                    if (loc.kind != Location::Kind::Prefix || loc.rulePath == "/" || regexOwn) {
                        expanded.push_back(loc);
                        continue;
                    }
                    Location prefix = loc;
                    if (prefix.name.back() != '/') prefix.name += '/';
                    expanded.push_back(prefix);
                    if (!exactPaths.count(loc.rulePath)) {
                        Location exact = loc;
                        exact.kind = Location::Kind::Exact;
                        exact.isExactCopy = true;
                        expanded.push_back(std::move(exact));
                    }
                }
                srv.locations = std::move(expanded);
            }
            for (int i = 0; i < static_cast<int>(srv.locations.size()); ++i) {
                auto& loc = srv.locations[i];
                if (loc.isDefault && loc.rulePath == "/") srv.root = i;
                if (loc.ingress >= 0 && m_impl->ingresses[loc.ingress].ann.rewrite.target)
                    loc.rewriteRegex = annotations::makeRewriteRegex(loc.rulePath);
                if (srv.regexMode) continue;
                if (loc.kind == Location::Kind::Exact) {
                    srv.exact.emplace(loc.name, i);
                } else {
                    std::string key = loc.name;
                    if (!m_nginx) {
                        while (!key.empty() && key.back() == '/') key.pop_back();
                    }
                    if (const auto [existing, added] = srv.prefix.emplace(key, i); !added && !loc.isDefault) {
                        // two Prefix paths that normalise to one location ("/foo" and "/foo/"): the older one serves
                        const auto& first = srv.locations[existing];
                        srv.shadowed.push_back(loc.origin + " normalises to the same location as " + first.origin);
                    }
                }
            }
            if (srv.regexMode) {
                for (int i = 0; i < static_cast<int>(srv.locations.size()); ++i) {
                    auto& loc = srv.locations[i];
                    loc.kind = Location::Kind::Regex;
                    auto re = std::make_shared<QRegularExpression>(
                        QStringLiteral("^") + QString::fromStdString(loc.name), QRegularExpression::CaseInsensitiveOption);
                    if (!re->isValid() && loc.ingress >= 0) {
                        const auto& c = m_claimed[loc.ingress];
                        diag(Severity::Error, DiagCode::Invalid, &c, "spec", "path \"" + loc.name + "\" is not a valid regular expression (" +
                                 re->errorString().toStdString() + "): nginx would refuse the configuration; the location never matches",
                             "path-regex-invalid", loc.name);
                    }
                    re->optimize();
                    loc.regex = re;
                    srv.regexOrder.push_back(i);
                }
                // controller.go getBackendServers: by path length descending, ties by path descending.
                std::stable_sort(srv.regexOrder.begin(), srv.regexOrder.end(), [&](int a, int b) {
                    const auto& la = srv.locations[a].name;
                    const auto& lb = srv.locations[b].name;
                    if (la.size() != lb.size()) return la.size() > lb.size();
                    return la > lb;
                });
            }
        }
        for (std::size_t s = 0; s < m_impl->servers.size(); ++s) {
            const auto& name = m_impl->servers[s].name;
            if (name == "_") continue;
            if (name.rfind("*.", 0) == 0) m_impl->wildcardHosts.emplace(name.substr(2), static_cast<int>(s));
            else m_impl->exactHosts.emplace(name, static_cast<int>(s));
        }
        for (const auto& [a, s] : m_aliases) m_impl->exactHosts.emplace(a, s);
    }

    // ---- canaries (mergeAlternativeBackends) -------------------------------------------------------------------
    void mergeCanaries() {
        for (std::size_t i = 0; i < m_claimed.size(); ++i) {
            if (!usable(i) || !isCanary(i)) continue;
            const auto* ing = m_claimed[i].ing;
            const auto& pol = m_impl->ingresses[i];
            auto attach = [&](int altTarget, int serverIdx, const std::optional<std::string>& path, const std::optional<std::string>& type) {
                bool merged = false;
                const auto& srv = m_impl->servers[serverIdx];
                for (const auto& loc : srv.locations) {
                    if (loc.target < 0) continue;
                    if (path && (loc.rulePath != *path || loc.ruleType != *type)) continue;
                    const auto& main = m_impl->targets[loc.target].ref.upstreamName;
                    const auto& alt = m_impl->targets[altTarget].ref.upstreamName;
                    if (main == alt) {
                        warnStatus(pol.name, "canary backend " + alt + " is the main backend itself");
                        return true;
                    }
                    if (!m_impl->canaries.count(main)) m_impl->canaries[main] = CanaryAlt{altTarget, pol.name, pol.ann.canary, pol.ann.affinity.canaryBehavior != "legacy"};
                    else if (m_impl->canaries[main].target != altTarget)
                        warnStatus(pol.name, "upstream " + main + " already has canary " + m_impl->canaries[main].ingress +
                                                 " (only one alternative backend is honoured)");
                    merged = true;
                }
                return merged;
            };
            if (ing->spec.defaultBackend && ing->spec.defaultBackend->service) {
                const int alt = target(ing->meta.ns, *ing->spec.defaultBackend->service);
                attach(alt, m_impl->catchAll, std::nullopt, std::nullopt);
            }
            for (const auto& rule : ing->spec.rules) {
                if (!rule.http) continue;
                const std::string host = rule.host ? toLower(*rule.host) : "_";
                for (const auto& hp : rule.http->paths) {
                    if (!hp.backend.service) continue;
                    const int alt = target(ing->meta.ns, *hp.backend.service);
                    const int s = serverFor(host);
                    std::string path = hp.path.value_or("");
                    if (path.empty()) path = "/";
                    std::string type = hp.pathType.value_or("Prefix");
                    if (type != "Exact") type = "Prefix";
                    if (s < 0 || !attach(alt, s, path, type)) {
                        warnStatus(pol.name, "canary for " + host + path + " has no main Ingress with the same host and path: "
                                             "it never receives traffic");
                        diag(Severity::Warning, DiagCode::NotFound, &m_claimed[i], "spec.rules",
                             "no non-canary Ingress defines host \"" + host + "\" path \"" + path +
                                 "\": ingress-nginx deletes this alternative backend (requests get the main backend or 404)",
                             "canary-without-main");
                    }
                }
            }
        }
    }

    // ---- TLS (semantics.md §6; controller.go createServers / extractTLSSecretName) --------------------------------
    std::optional<CertEntry> certFromSecret(const std::string& ns, const std::string& name, const std::string& host,
                                            std::string* why) {
        const model::Secret* sec = m_ws.secret(ns, name);
        if (!sec) {
            *why = "Secret " + ns + "/" + name + " not found";
            return std::nullopt;
        }
        CertificateNames names;
        const std::string pem = sec->tlsCert();
        std::string err;
        if (auto parsed = certificateNames(pem, &err)) {
            names = *parsed;
        } else if (pem.empty() && sec->meta.hasAnnotation(GENERATE_SELF_SIGNED)) {
            // Ingress Lab generates this certificate when it serves; its names are listed in the annotation.
            for (const auto& n : annotations::splitList(sec->meta.annotation(GENERATE_SELF_SIGNED))) names.dnsNames.push_back(toLower(n));
        } else {
            *why = "Secret " + ns + "/" + name + ": " + err;
            return std::nullopt;
        }
        if (!host.empty() && !certificateCovers(names, host)) {
            *why = "certificate of Secret " + ns + "/" + name + " does not cover " + host;
            return std::nullopt;
        }
        CertEntry e;
        e.certificate = ns + "/" + name;
        e.pemCert = pem;
        e.pemKey = sec->tlsKey();
        return e;
    }

    void buildCertificates() {
        CertEntry def;
        def.certificate = "default";
        def.note = "the controller's self-signed \"Kubernetes Ingress Controller Fake Certificate\"";
        if (const auto& d = m_impl->settings.defaultSslCertificate) {
            const auto slash = d->find('/');
            std::string why;
            if (auto e = certFromSecret(d->substr(0, slash), d->substr(slash + 1), "", &why)) {
                def = *e;
                def.note = "--default-ssl-certificate";
            } else {
                def.note += " (--default-ssl-certificate unusable: " + why + ")";
            }
        }
        m_impl->defaultCert = def;
        for (std::size_t i = 0; i < m_claimed.size(); ++i) {
            if (!usable(i) || isCanary(i)) continue;
            const auto* ing = m_claimed[i].ing;
            if (ing->spec.tls.empty()) continue;
            for (const auto& rule : ing->spec.rules) {
                if (!rule.host) continue;
                const std::string host = toLower(*rule.host);
                if (m_impl->certs.count(host)) continue;  // oldest Ingress wins
                // extractTLSSecretName: a tls entry listing the host, else any tls secret whose cert covers it.
                std::optional<std::string> secretName;
                bool listed = false;
                for (const auto& t : ing->spec.tls)
                    for (const auto& h : t.hosts)
                        if (!listed && toLower(h) == host) {
                            listed = true;
                            secretName = t.secretName.value_or("");
                        }
                if (!listed) {
                    for (const auto& t : ing->spec.tls) {
                        if (!t.secretName || t.secretName->empty()) continue;
                        std::string why;
                        if (certFromSecret(ing->meta.ns, *t.secretName, host, &why)) {
                            secretName = *t.secretName;
                            break;
                        }
                    }
                }
                CertEntry e = def;
                const std::string who = m_impl->ingresses[i].name;
                if (!secretName || secretName->empty()) {
                    e.note = listed ? host + " is listed in " + who + " spec.tls without secretName: default certificate"
                                    : host + " is not listed in " + who + " spec.tls and no tls secret covers it: default certificate "
                                      "(ingress-nginx still treats the host as TLS-enabled)";
                } else {
                    std::string why;
                    if (auto c = certFromSecret(ing->meta.ns, *secretName, host, &why)) {
                        e = *c;
                        e.note = "spec.tls of " + who;
                    } else {
                        e.note = why + ": default certificate (host still TLS-enabled)";
                        diag(Severity::Warning, DiagCode::NotFound, &m_claimed[i], "spec.tls", why + "; ingress-nginx serves the default certificate for " + host,
                             "tls-secret-unusable", *secretName);
                    }
                }
                m_impl->certs.emplace(host, std::move(e));
            }
        }
    }

    void finish() {
        std::uint64_t h = 1469598103934665603ULL;
        h = fnv(h, toString(m_impl->settings.profile));
        for (const auto& [k, v] : m_impl->cfg) h = fnv(fnv(h, k), v);
        for (const auto& t : m_impl->targets) {
            h = fnv(h, t.ref.upstreamName + ":" + std::to_string(t.ref.servicePort) + t.problem);
            for (const auto& e : *t.endpoints) h = fnv(h, e.address + ":" + std::to_string(e.port) + e.podName);
        }
        for (const auto& s : m_impl->servers) {
            h = fnv(h, s.name + (s.regexMode ? "R" : "") + s.appRoot.value_or("") + (s.fromToWww ? "W" : ""));
            for (const auto& l : s.locations)
                h = fnv(h, l.name + "|" + l.ruleType + "|" + std::to_string(l.target) + "|" + std::to_string(l.ingress) + "|" + l.origin +
                               "|" + std::to_string(l.weighted.size()));
        }
        for (const auto& p : m_impl->ingresses) {
            // Policies: hash the annotations as written (parsed values derive from them and the ConfigMap).
            h = fnv(h, p.name);
        }
        for (const auto& c : m_claimed)
            for (const auto& [k, v] : c.ing->meta.annotations) h = fnv(fnv(h, k), v);
        for (const auto& [k, v] : m_impl->canaries) h = fnv(h, k + std::to_string(v.target) + v.ingress);
        std::map<std::string, std::string> certs;
        for (const auto& [k, v] : m_impl->certs) certs[k] = v.certificate + v.pemCert;
        for (const auto& [k, v] : certs) h = fnv(fnv(h, k), v);
        h = fnv(h, m_impl->defaultCert.certificate + m_impl->defaultCert.pemCert);
        m_impl->hash = h;
        for (auto& s : m_out.status) (void)s;
    }

    const model::Workspace& m_ws;
    const EndpointMap* m_eps;
    std::optional<EndpointMap> m_static;
    CompileResult& m_out;
    Diagnostics* m_diags;
    std::unique_ptr<RouteTable::Impl> m_impl;
    bool m_nginx = true;
    bool m_allowSnippets = false;
    std::vector<Claimed> m_claimed;
    std::unordered_map<std::string, int> m_targetIndex;
    std::unordered_map<std::string, std::size_t> m_statusIndex;
    std::unordered_map<std::string, int> m_serverIndex;
    std::map<std::string, int> m_aliases;
    int m_k8sDefault = -1;
    int m_k8sDefaultIngress = -1;

};

}  // namespace

RouteTable::RouteTable(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
RouteTable::~RouteTable() = default;

const ControllerSettings& RouteTable::settings() const { return m_impl->settings; }
const std::map<std::string, BackendRef>& RouteTable::upstreams() const { return m_impl->upstreams; }
std::uint64_t RouteTable::contentHash() const { return m_impl->hash; }
const std::string& RouteTable::serverHeader() const { return m_impl->serverHeader; }

CompileResult RouteTable::compile(const model::Workspace& ws, const ControllerSettings& settings, const EndpointMap* endpoints) {
    CompileResult out;
    if (settings.profile == Profile::Gateway) {
        // Gateway API objects only: Ingresses play no part (core/gateway/gateway_router.h).
        auto impl = std::make_unique<RouteTable::Impl>();
        impl->settings = settings;
        impl->gateway = gateway::GatewayRouter::create(ws, endpoints, &out.diagnostics);
        impl->upstreams = impl->gateway->upstreams();
        impl->hash = impl->gateway->contentHash();
        out.table = std::make_shared<RouteTable>(std::move(impl));
        return out;
    }
    Compiler compiler(ws, settings, endpoints, out, true);
    auto impl = compiler.run();
    if (settings.compileOtherProfile) {
        ControllerSettings other = settings;
        other.profile = settings.profile == Profile::IngressNginx ? Profile::Kubernetes : Profile::IngressNginx;  // never Gateway
        other.compileOtherProfile = false;
        CompileResult otherOut;
        Compiler oc(ws, other, endpoints, otherOut, false);
        impl->other = std::make_shared<RouteTable>(oc.run());
    }
    out.table = std::make_shared<RouteTable>(std::move(impl));
    return out;
}

}  // namespace ilab::routing
