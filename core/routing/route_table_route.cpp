// RouteTable::route and certificateFor: one decision per request, in ingress-nginx's phase order
// (semantics.md §16): host -> server, app-root, location, body size, trailing-slash 301, CORS preflight,
// redirect annotations, rewrite, HTTPS redirect, canary/backend, then the policies the proxy enforces.

#include <cctype>
#include <charconv>
#include <cstdio>
#include <strings.h>

#include <QCryptographicHash>

#include "core/gateway/gateway_router.h"
#include "core/routing/route_table_impl.h"
#include "core/routing/uri.h"

namespace ilab::routing {

std::string affinityBackendKey(const std::string& upstreamName) {
    auto md5 = [](const QByteArray& b) { return QCryptographicHash::hash(b, QCryptographicHash::Md5).toHex(); };
    const QByteArray name = QByteArray::fromStdString(upstreamName);
    return md5(md5(name) + name).toStdString();
}

using namespace detail;

namespace {

std::uint64_t mix(std::uint64_t x, std::uint64_t salt) {
    // splitmix64: derives independent draws from the one random input.
    std::uint64_t z = x + 0x9E3779B97F4A7C15ULL * (salt + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// 16 lower-case hex digits of v (as printf "%016llx") at out[0..16).
void hex64(std::uint64_t v, char* out) {
    static constexpr char digits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i, v >>= 4) out[i] = digits[v & 0xF];
}

std::string firstListEntry(const std::string& v) {
    auto comma = v.find(',');
    return annotations::trim(comma == std::string::npos ? v : v.substr(0, comma));
}

class Tracer {
public:
    Tracer(bool on, std::vector<std::string>& out) : m_on(on), m_out(out) {}
    void operator()(const std::string& s) const {
        if (m_on) m_out.push_back(s);
    }
    bool on() const { return m_on; }

private:
    bool m_on;
    std::vector<std::string>& m_out;
};

// `how` (for traces) may be null: the proxy's hot path then builds no strings.
const CertEntry& lookupCert(const RouteTable::Impl& m, std::string_view name, bool* found, std::string* how) {
    *found = false;
    if (!name.empty() && !m.certs.empty()) {
        if (auto it = m.certs.find(name); it != m.certs.end()) {
            *found = true;
            if (how) *how = "exact TLS host " + std::string(name);
            return it->second;
        }
        if (auto dot = name.find('.'); dot != std::string::npos) {
            // "*" + ".rest" in a stack buffer (heterogeneous lookup): no allocation per request.
            char buf[256];
            const std::size_t n = name.size() - dot;
            if (n + 1 <= sizeof buf) {
                buf[0] = '*';
                name.copy(buf + 1, n, dot);
                const std::string_view wild(buf, n + 1);
                if (auto it = m.certs.find(wild); it != m.certs.end()) {
                    *found = true;
                    if (how) *how = "wildcard TLS host " + std::string(wild);
                    return it->second;
                }
            }
        }
    }
    if (how) *how = name.empty() ? "no SNI" : "no TLS host matches " + std::string(name);
    return m.defaultCert;
}

struct Matched {
    int server = -1;
    int location = -1;
    bool autoRedirect = false;
};

// Location selection inside one server. Fills trace lines about candidates.
// `probe` is a scratch buffer (its capacity reused); lookups take string_views of `uri`, building no strings.
int selectLocation(const RouteTable::Impl& m, const Server& srv, const std::string& uri, std::string& probe, bool* autoRedirect,
                   const Tracer& T) {
    const bool nginx = m.settings.profile == Profile::IngressNginx;
    *autoRedirect = false;
    if (srv.regexMode) {
        const QString q = QString::fromUtf8(uri.data(), static_cast<qsizetype>(uri.size()));
        std::string tried;
        for (int idx : srv.regexOrder) {
            const auto& loc = srv.locations[idx];
            if (loc.regex && loc.regex->isValid() && loc.regex->match(q).hasMatch()) {
                if (T.on()) {
                    if (!tried.empty()) T("  regexes tried first (longer, no match): " + tried);
                    T("  ~* \"^" + loc.name + "\" matches (first match in length-descending order wins)");
                }
                return idx;
            }
            if (T.on()) tried += (tried.empty() ? "" : ", ") + ("^" + loc.name);
        }
        return srv.root;
    }
    if (const int ex = srv.exact.find(uri); ex >= 0) {
        if (T.on()) {
            const bool copy = srv.locations[ex].isExactCopy;
            T(std::string("  exact location = ") + uri + " matches" +
              (copy ? " (the exact copy ingress-nginx adds for Prefix " + uri + ")" : nginx ? " (exact locations are checked first)" : ""));
        }
        return ex;
    }
    if (nginx) {
        probe.assign(uri);
        probe += '/';
        const int e = srv.exact.find(probe);
        const int p = srv.prefix.find(probe);
        if (e >= 0 || p >= 0) {
            *autoRedirect = true;
            return e >= 0 ? e : p;
        }
        const std::string_view u(uri);
        for (std::size_t i = uri.size(); i > 0; --i) {
            if (uri[i - 1] != '/') continue;
            const int found = srv.prefix.find(u.substr(0, i));
            if (found < 0) continue;
            if (T.on()) {
                T("  prefix location " + uri.substr(0, i) + " is the longest matching prefix");
                for (std::size_t j = i - 1; j > 0; --j) {
                    if (uri[j - 1] != '/') continue;
                    if (const int o = srv.prefix.find(u.substr(0, j)); o >= 0 && !srv.locations[o].isDefault)
                        T("  also matched but shorter: " + uri.substr(0, j) + " (" + srv.locations[o].origin + ")");
                }
            }
            return found;
        }
        return srv.root;
    }
    // kubernetes: element-wise prefix, longest first ("/" has the key "").
    std::string_view key = uri;
    while (!key.empty() && key.back() == '/') key.remove_suffix(1);
    for (;;) {
        if (const int found = srv.prefix.find(key); found >= 0) {
            if (T.on()) T("  Prefix " + (key.empty() ? std::string("/") : std::string(key)) + " is the longest element-wise prefix match");
            return found;
        }
        if (key.empty()) break;
        key = key.substr(0, key.rfind('/'));
    }
    return srv.root;
}

// Per-request working strings of routeInto. The proxy's workers route without a trace into a thread's own
// Scratch, whose buffers keep their capacity: no allocation per request. A traced route (which also routes the
// other profile on the same thread) uses a fresh one.
struct Scratch {
    std::string sni, host, uri, decoded, rawUri, probe, bestHost, clientAddr, value;
};

Scratch& threadScratch() {
    thread_local Scratch s;
    return s;
}

// The request headers the router reads, found in one pass: the first value of each (RequestView::header's rule),
// as pointers into the request (null = absent).
struct RoutingHeaders {
    const std::string* xForwardedHost = nullptr;
    const std::string* xForwardedProto = nullptr;
    const std::string* xForwardedFor = nullptr;
    const std::string* xForwardedPort = nullptr;
    const std::string* xRequestId = nullptr;
    const std::string* accept = nullptr;

    explicit RoutingHeaders(const RequestView& req) {
        auto is = [](const std::string& k, std::string_view name) { return strncasecmp(k.data(), name.data(), name.size()) == 0; };
        for (const auto& [k, v] : req.headers) {
            const std::string** slot = nullptr;
            switch (k.size()) {
            case 6: if (is(k, "Accept")) slot = &accept; break;
            case 12: if (is(k, "X-Request-ID")) slot = &xRequestId; break;
            case 15: if (is(k, "X-Forwarded-For")) slot = &xForwardedFor; break;
            case 16:
                if (is(k, "X-Forwarded-Host")) slot = &xForwardedHost;
                else if (is(k, "X-Forwarded-Port")) slot = &xForwardedPort;
                break;
            case 17: if (is(k, "X-Forwarded-Proto")) slot = &xForwardedProto; break;
            default: break;
            }
            if (slot && !*slot) *slot = &v;
        }
    }
};

// Writes one decision into a reused Decision without giving back the heap buffers that Decision::clear() frees:
// the header vectors' strings are overwritten in place, and the backend / certificate strings are moved aside and
// back. The result equals a fresh route() (route_into_test); the buffers return to `d` when this goes away.
class DecisionWriter {
public:
    using Headers = std::vector<std::pair<std::string, std::string>>;
    explicit DecisionWriter(Decision& d)
        : m_d(d), m_response(std::move(d.responseHeaders)), m_upstream(std::move(d.upstreamHeaders)) {
        if (d.backend) m_backend = std::move(*d.backend);
        if (d.tlsCertificate) m_certificate = std::move(*d.tlsCertificate);
        d.clear();
    }
    ~DecisionWriter() {
        m_response.resize(m_responseCount);
        m_upstream.resize(m_upstreamCount);
        m_d.responseHeaders = std::move(m_response);
        m_d.upstreamHeaders = std::move(m_upstream);
    }
    DecisionWriter(const DecisionWriter&) = delete;
    DecisionWriter& operator=(const DecisionWriter&) = delete;

    void responseHeader(std::string_view k, std::string_view v) { put(m_response, m_responseCount, k, v, 4); }
    // 14: the §15 set, no regrowth per request.
    void upstreamHeader(std::string_view k, std::string_view v) { put(m_upstream, m_upstreamCount, k, v, 14); }
    void backend(const BackendRef& ref) {
        m_backend = ref;
        m_d.backend.emplace(std::move(m_backend));
    }
    void tlsCertificate(const std::string& c) {
        m_certificate = c;
        m_d.tlsCertificate.emplace(std::move(m_certificate));
    }

private:
    static void put(Headers& h, std::size_t& n, std::string_view k, std::string_view v, std::size_t reserve) {
        if (h.capacity() == 0) h.reserve(reserve);  // (a fresh Decision: none allocated when nothing is added)
        if (n < h.size()) {
            if (h[n].first != k) h[n].first.assign(k);  // usually the same header as last request's at this place
            h[n].second.assign(v);
        } else {
            h.emplace_back(k, v);
        }
        ++n;
    }
    Decision& m_d;
    Headers m_response, m_upstream;
    std::size_t m_responseCount = 0, m_upstreamCount = 0;
    BackendRef m_backend;
    std::string m_certificate;
};

}  // namespace

void Decision::clear() {
    action = Action::Respond;
    status = 404;
    backend.reset();
    ingress.clear();
    upstreamPath.clear();
    location.clear();
    responseHeaders.clear();
    upstreamHeaders.clear();
    upstreamHeadersRemoved.clear();
    responseHeadersRemoved.clear();
    upstreamHost.clear();
    tlsCertificate.reset();
    canary.clear();
    backendProtocol = "HTTP";
    endpoints.reset();
    rateLimit.reset();
    affinity.reset();
    upstreamHashBy.reset();
    maxBodyBytes.reset();
    timeouts = UpstreamTimeouts{};
    accessDeniedStatus = 0;
    fallbackBackend.reset();
    fallbackEndpoints.reset();
    mirrors.clear();
    trace.clear();
    otherProfileDiffers.clear();
    matchedPath.clear();
    respondCode.clear();
    respondReason.clear();
}

Decision RouteTable::route(const RequestView& req, std::uint64_t randomValue, bool wantTrace) const {
    Decision d;
    routeInto(req, randomValue, wantTrace, d);
    return d;
}

void RouteTable::routeInto(const RequestView& req, std::uint64_t randomValue, bool wantTrace, Decision& d) const {
    const Impl& m = *m_impl;
    if (m.gateway) {
        m.gateway->route(req, randomValue, wantTrace, d);
        return;
    }
    const bool nginx = m.settings.profile == Profile::IngressNginx;
    DecisionWriter out(d);  // d.clear(), keeping the buffers
    Scratch traced;
    Scratch& sc = wantTrace ? traced : threadScratch();
    Tracer tracer(wantTrace, d.trace);
// Trace lines are only built when asked for (the proxy routes without a trace on its hot path).
#define T(...)                                          \
    do {                                                \
        if (wantTrace) d.trace.push_back(__VA_ARGS__); \
    } while (0)
    T(std::string("profile ") + toString(m.settings.profile) + ": " + req.method + " " + req.scheme + "://" + req.host + req.target);
    for (const auto& ig : m.ignored) T("ignored Ingress " + ig);
    const bool https = req.scheme == "https";
    if (!m.serverHeader.empty()) out.responseHeader("Server", m.serverHeader);

    // TLS: the certificate the handshake presented (routing itself uses the Host header).
    if (https) {
        std::string& sni = sc.sni;
        sni.clear();
        if (req.sni)
            for (char ch : *req.sni) sni += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (!sni.empty() && sni.back() == '.') sni.pop_back();
        bool found = false;
        std::string how;
        const CertEntry& c = lookupCert(m, sni, &found, wantTrace ? &how : nullptr);
        out.tlsCertificate(c.certificate);
        T("TLS: SNI " + (sni.empty() ? std::string("(none)") : sni) + " -> certificate " + c.certificate + " (" + how +
          (c.note.empty() ? "" : "; " + c.note) + ")");
        if (nginx && !m.hstsValue.empty()) out.responseHeader("Strict-Transport-Security", m.hstsValue);
    }

    auto finishOther = [&]() {
        if (!wantTrace || !m.other) return;
        Decision o = m.other->route(req, randomValue, false);
        auto summary = [](const Decision& x) {
            std::string s = std::to_string(x.clientStatus());
            if (x.contactsBackend() && x.backend) s += " -> " + x.backend->ns + "/" + x.backend->service + ":" + x.backend->port;
            if (!x.location.empty()) s += " Location " + x.location;
            return s;
        };
        const std::string mine = summary(d), theirs = summary(o);
        if (mine != theirs)
            d.otherProfileDiffers = std::string(toString(m.other->settings().profile)) + " profile: " + theirs + " (here: " + mine + ")";
        if (!d.otherProfileDiffers.empty()) T("other profile differs: " + d.otherProfileDiffers);
    };
    auto respond = [&](int status, const std::string& why, const char* code = "") {
        d.action = Decision::Action::Respond;
        d.status = status;
        if (status >= 400) {
            d.respondCode.assign(code);
            d.respondReason.assign(why);
        }
        T("=> " + std::to_string(status) + ": " + why);
        finishOther();
    };
    auto redirect = [&](int status, const std::string& location, const std::string& why) {
        d.action = Decision::Action::Redirect;
        d.status = status;
        d.location = location;
        out.responseHeader("Location", location);
        T("=> " + std::to_string(status) + " Location: " + location + " (" + why + ")");
        finishOther();
    };

    // ---- host -> server (§2) ----
    if (!normalizeHostInto(req.host, sc.host)) { respond(400, "invalid Host header \"" + req.host + "\" (nginx rejects it)", "bad-request"); return; }
    const std::string& host = sc.host;
    const SplitTargetView st = splitTargetView(req.target);
    sc.rawUri.assign(st.path);  // path + "?query" as sent
    if (st.hasQuery) {
        sc.rawUri += '?';
        sc.rawUri.append(st.query);
    }
    const std::string& rawUri = sc.rawUri;
    int s = -1;
    if (host.empty()) {
        T("host: no Host name -> catch-all server");
    } else if (const int exact = m.exactHosts.find(host); exact >= 0) {
        s = exact;
        T("host: " + host + " -> server " + m.servers[s].name + (m.servers[s].name == host ? " (exact)" : " (server-alias)"));
    } else if (auto w = m.wwwRedirects.find(host); w != m.wwwRedirects.end()) {
        T("host: " + host + " is the from-to-www-redirect name of " + w->second);
        // ngx_srv_redirect.lua: "<scheme>://<to>:<server_port>" + $request_uri minus one trailing "/" (so "/" adds
        // nothing: https://example.com:443).
        std::string uri = rawUri;
        if (!uri.empty() && uri.back() == '/') uri.pop_back();
        { redirect(m.httpRedirectCode, req.scheme + "://" + w->second + ":" + std::to_string(req.listenPort) + uri, "from-to-www-redirect"); return; }
    } else {
        T("host: no exact server for " + host);
        if (auto dot = host.find('.'); dot != std::string::npos && dot > 0) {
            const std::string_view label = std::string_view(host).substr(0, dot);
            bool labelOk = true;
            for (char c : label)
                if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) labelOk = false;
            if (const int w = m.wildcardHosts.find(std::string_view(host).substr(dot + 1)); labelOk && w >= 0) {
                s = w;
                T("host: wildcard server " + m.servers[s].name + " matches (one label \"" + std::string(label) + "\")");
            } else {
                T("host: no wildcard server *." + host.substr(dot + 1));
            }
        }
        if (s < 0) T("host: unknown -> catch-all server (hostless rules, rules-less Ingress, or default backend)");
    }
    if (s < 0) s = m.catchAll;
    const Server& srv = m.servers[s];

    // ---- app-root (server-level 302, §9.2) ----
    if (!normalizePathInto(st.path, sc.uri, sc.decoded)) { respond(400, "request path \"" + std::string(st.path) + "\" cannot be normalised", "bad-request"); return; }
    const std::string& uri = sc.uri;
    if (uri != st.path) T("path normalised: " + std::string(st.path) + " -> " + uri);
    if (nginx && srv.appRoot && uri == "/")
        { redirect(302, req.scheme + "://" + req.host + *srv.appRoot, "app-root of " + srv.appRootIngress); return; }

    // ---- location (§3) ----
    if (srv.regexMode) T("server " + srv.name + " is in regex mode: " + srv.regexReason + " (every path is a case-insensitive ^regex)");
    bool autoRedirect = false;
    int li = selectLocation(m, srv, uri, sc.probe, &autoRedirect, tracer);
    const Server* locServer = &srv;
    if (!nginx && li >= 0 && srv.hot[li].isDefault && s != m.catchAll) {
        // kubernetes: a rule without host applies to all traffic.
        bool ar = false;
        const Server& ca = m.servers[m.catchAll];
        int ci = selectLocation(m, ca, uri, sc.probe, &ar, tracer);
        if (ci >= 0 && !ca.hot[ci].isDefault) {
            T("  no path of " + srv.name + " matches; a hostless rule does");
            li = ci;
            locServer = &ca;
        }
    }
    for (const auto& sh : locServer->shadowed) T("  not used: " + sh);
    if (li < 0) { respond(404, "no path of the host's rules matches (controller default backend)", "no-route"); return; }
    // `lh` and `hot` are what every request reads of the location and its policy; `loc` and `pol` themselves are
    // read only where a hot flag says an annotation family is set (af), on answers other than proxying, and for
    // traces.
    const LocationHot& lh = locServer->hot[li];
    const Location& loc = locServer->locations[li];
    const std::string_view rulePath(m.locationPaths.data() + lh.pathOffset, lh.pathLength);
    const IngressPolicy* pol = lh.ingress >= 0 ? &m.ingresses[lh.ingress] : nullptr;
    const PolicyHot* hot = pol ? &m.policyHot[lh.ingress] : nullptr;
    d.matchedPath.assign(rulePath);
    if (lh.isDefault) T("location: default \"/\" of server " + locServer->name + ": " + loc.origin);
    else T("location: " + loc.ruleType + " " + loc.rulePath + " from " + loc.origin);

    // ---- body size 413, trailing-slash 301 (§12, §3.2.4) ----
    if (nginx) {
        const auto& limit = hot ? hot->maxBodyBytes : m.proxyDefaults.maxBodyBytes;
        d.maxBodyBytes = limit;
        if (req.contentLength && limit && *req.contentLength > *limit)
            { respond(413, "body of " + std::to_string(*req.contentLength) + " bytes exceeds proxy-body-size " +
                                    (pol ? pol->ann.proxy.maxBodyText : m.proxyDefaults.maxBodyText), "body-too-large"); return; }
        if (autoRedirect) {
            std::string loc301 = req.scheme + "://" + hostWithoutPort(req.host) + uri + "/" + (st.hasQuery ? "?" + std::string(st.query) : "");
            { redirect(301, loc301, "nginx auto-redirect: location " + uri + "/ exists but " + uri + " does not (trailing-slash quirk)"); return; }
        }
    }

    // ---- CORS preflight, redirect annotations (§10, §9.3) ----
    // Location-level annotations apply to the Ingress's own paths. The default "/" location a server gets keeps
    // only the server-wide effects (HTTPS redirect, body size): it is not one of the Ingress's paths.
    const auto* ann = pol && nginx && !lh.isDefault ? &pol->ann : nullptr;
    const std::uint16_t af = ann ? hot->flags : 0;
    std::optional<std::string> acao;
    if (af & PolicyHot::Cors) {
        acao = annotations::corsAllowOrigin(ann->cors, req.header("Origin"));
        T(acao ? "CORS: origin allowed (Access-Control-Allow-Origin: " + *acao + ")" : "CORS: origin not allowed: no CORS headers");
        if (acao && req.method == "OPTIONS") {
            for (const auto& [k, v] : annotations::corsHeaders(ann->cors, *acao)) out.responseHeader(k, v);
            out.responseHeader("Content-Type", "text/plain charset=UTF-8");
            out.responseHeader("Content-Length", "0");
            { respond(204, "CORS preflight answered by the controller"); return; }
        }
    }
    if (af & PolicyHot::Redirect) {
        std::string target = *ann->redirect.url;
        if (target[0] == '/' && !ann->redirect.relative) target = req.scheme + "://" + hostWithoutPort(req.host) + target;
        { redirect(ann->redirect.code, target, "redirect annotation of " + pol->name); return; }
    }

    // ---- rewrite (§9.1) ----
    d.upstreamPath.assign(rawUri);
    bool rewritten = false;
    if ((af & PolicyHot::RewriteTarget) && loc.rewriteRegex && *ann->rewrite.target != loc.rulePath) {
        if (auto rw = annotations::applyRewrite(*loc.rewriteRegex, *ann->rewrite.target, uri, std::string(st.query))) {
            d.upstreamPath = *rw;
            rewritten = true;
            T("rewrite-target " + *ann->rewrite.target + ": " + uri + " -> " + *rw);
        }
    }

    // ---- HTTPS redirect (§7) ----
    const RoutingHeaders hdr(req);
    const std::string* xfh = hdr.xForwardedHost;
    const std::string* xfp = hdr.xForwardedProto;
    const std::string& httpHost = req.hostHeader.empty() ? req.host : req.hostHeader;  // $http_host
    const std::string& bestHost = m.useForwardedHeaders && xfh && !xfh->empty() ? (sc.bestHost = firstListEntry(*xfh)) : httpHost;
    if (nginx) {
        const auto& ssl = hot ? hot->ssl : m.sslDefaults;
        const std::string& passScheme = m.useForwardedHeaders && xfp ? *xfp : req.scheme;
        bool certFound = false;
        std::string how;
        const CertEntry& hostCert = lookupCert(m, host, &certFound, wantTrace ? &how : nullptr);
        if (wantTrace && certFound && !hostCert.note.empty()) how += "; " + hostCert.note;
        bool exempt = false;
        for (const auto& p : m.noTlsRedirectLocations)
            if (rulePath.starts_with(p)) exempt = true;
        if (passScheme == "http" && !exempt && (ssl.forceSslRedirect || (ssl.sslRedirect && certFound))) {
            std::string u = rawUri;
            if (!ssl.preserveTrailingSlash && u.size() >= 1 && u.back() == '/') u.pop_back();
            std::string target = "https://" + hostWithoutPort(bestHost) + (ssl.usePortInRedirects ? ":443" : "") + u;
            { redirect(m.httpRedirectCode, target,
                            ssl.forceSslRedirect ? "force-ssl-redirect" : "ssl-redirect: a certificate is configured for " + host + " (" + how + ")"); return; }
        }
        if (passScheme == "http" && certFound && !ssl.sslRedirect) T("HTTPS redirect: disabled by ssl-redirect: \"false\"");
    }

    // ---- backend: service-weights, canary (§8) ----
    if (lh.target < 0) { respond(404, "controller default backend (no --default-backend-service): 404", "no-route"); return; }
    int t = lh.target;
    if (lh.weighted) {
        const std::uint32_t draw = static_cast<std::uint32_t>(mix(randomValue, 1) % annotations::SERVICE_WEIGHT_SCALE);
        for (const auto& [wt, cumulative] : loc.weighted)
            if (draw < cumulative) {
                t = wt;
                break;
            }
        T("service-weights: draw " + std::to_string(draw / 1000.0) + "% -> " + m.targets[t].ref.service);
    }
    bool canaryLegacy = false;  // the canary branch was taken and does not share the affinity
    if (nginx && !m.canaries.empty()) {
        if (auto c = m.canaries.find(m.targets[t].ref.upstreamName); c != m.canaries.end()) {
            const auto& cc = c->second.config;
            // balancer.lua route_to_alternative_balancer: a request whose affinity cookie names the main backend stays
            // there, one naming the canary backend (when the canary shares the affinity: not "legacy") goes there;
            // only then the canary rules.
            std::optional<bool> pinned;
            if (af & PolicyHot::Affinity) {
                if (auto v = req.cookie(ann->affinity.cookieName); v && v->find('|') != std::string::npos) {
                    std::string key = v->substr(v->find('|') + 1);
                    key = key.substr(0, key.find('|'));
                    if (key == affinityBackendKey(c->first)) pinned = false;
                    else if (c->second.stickyAffinity && key == affinityBackendKey(m.targets[c->second.target].ref.upstreamName))
                        pinned = true;
                }
            }
            annotations::CanaryChoice choice;
            if (pinned) {
                choice.useCanary = *pinned;
                choice.reason = "the affinity cookie " + ann->affinity.cookieName + " pins the " + (*pinned ? "canary" : "main") + " backend";
            } else {
                choice = annotations::decideCanary(cc, cc.byHeader ? req.header(*cc.byHeader) : std::nullopt,
                                                   cc.byCookie ? req.cookie(*cc.byCookie) : std::nullopt, randomValue);
            }
            d.canary = choice.useCanary ? "canary" : "main";
            T("canary " + c->second.ingress + ": " + d.canary + " (" + choice.reason + ")");
            if (choice.useCanary) {
                t = c->second.target;
                canaryLegacy = !c->second.stickyAffinity;
            }
        }
    }
    const Target& tg = m.targets[t];
    out.backend(tg.ref);
    d.endpoints = tg.endpoints;
    if (hot) d.ingress.assign(m.policyNames, hot->nameOffset, hot->nameLength);
    d.upstreamHost.assign(af & PolicyHot::UpstreamVhost ? *ann->upstream.vhost : bestHost);
    T("backend: " + tg.ref.ns + "/" + tg.ref.service + ":" + tg.ref.port + " (upstream " + tg.ref.upstreamName + ", " +
      std::to_string(tg.endpoints->size()) + " endpoints)");
    if (tg.endpoints->empty()) {
        if (pol && pol->fallbackTarget >= 0 && !m.targets[pol->fallbackTarget].endpoints->empty()) {
            const Target& fb = m.targets[pol->fallbackTarget];
            d.fallbackBackend = fb.ref;
            d.fallbackEndpoints = fb.endpoints;
            T("no endpoints (" + tg.problem + "): default-backend annotation -> " + fb.ref.service);
            out.upstreamHeader("X-Code", "503");
            out.upstreamHeader("X-Format", hdr.accept ? std::string_view(*hdr.accept) : std::string_view("text/html"));
            out.upstreamHeader("X-Namespace", tg.ref.ns);
            out.upstreamHeader("X-Ingress-Name", std::string_view(pol->name).substr(pol->name.find('/') + 1));
            out.upstreamHeader("X-Service-Name", tg.ref.service);
            out.upstreamHeader("X-Service-Port", tg.ref.port);
        } else {
            { respond(503, tg.problem, tg.problemCode); return; }
        }
    }
    d.action = Decision::Action::Proxy;
    d.status = 0;

    // ---- policies the proxy enforces: rate limit (pre-access), access list (access phase) ----
    const std::string* xff = hdr.xForwardedFor;
    const std::string& clientAddr =
        nginx && m.useForwardedHeaders && xff && !xff->empty() ? (sc.clientAddr = firstListEntry(*xff)) : req.clientIp;
    if (ann) {
        if (!(af & PolicyHot::Protocol)) d.backendProtocol.assign("HTTP");
        else if (ann->backendProtocol == "AUTO_HTTP") d.backendProtocol.assign(https ? "HTTPS" : "HTTP");
        else d.backendProtocol.assign(ann->backendProtocol);
        d.timeouts = hot->timeouts;
        if (af & PolicyHot::HashBy) d.upstreamHashBy = ann->upstream.hashBy;
        if (af & PolicyHot::RateLimit) {
            RateLimitPolicy rl;
            rl.zone = pol->ns + "_" + pol->name.substr(pol->name.find('/') + 1);
            rl.rps = ann->rateLimit.rps;
            rl.rpm = ann->rateLimit.rpm;
            rl.burstMultiplier = ann->rateLimit.burstMultiplier;
            rl.connections = ann->rateLimit.connections;
            rl.allowlist = ann->rateLimit.allowlist;
            rl.rejectStatus = ann->rateLimit.rejectStatus;
            rl.connRejectStatus = ann->rateLimit.connRejectStatus;
            d.rateLimit = rl;
            T("rate limit: zone " + rl.zone + (rl.rps > 0 ? ", " + std::to_string(static_cast<int>(rl.rps)) + " r/s" : "") +
              (rl.rpm > 0 ? ", " + std::to_string(static_cast<int>(rl.rpm)) + " r/m" : "") + ", burst x" +
              std::to_string(rl.burstMultiplier) + " (enforced by the proxy; rejects with " + std::to_string(rl.rejectStatus) + ")");
        }
        const bool affinity = af & PolicyHot::Affinity;
        if (affinity && canaryLegacy) T("affinity: none on the canary branch (affinity-canary-behavior: legacy)");
        if (affinity && !canaryLegacy) {
            AffinityPolicy a;
            a.cookieName = ann->affinity.cookieName;
            a.path = ann->affinity.path.value_or(loc.rulePath);
            a.expires = ann->affinity.expires;
            a.maxAge = ann->affinity.maxAge;
            a.domain = ann->affinity.domain;
            a.sameSite = ann->affinity.sameSite;
            a.secure = ann->affinity.secure || https;
            a.conditionalSameSiteNone = ann->affinity.conditionalSameSiteNone;
            a.mode = ann->affinity.mode;
            d.affinity = a;
            T("affinity: cookie " + a.cookieName + " Path=" + a.path + (a.secure ? " Secure" : ""));
        }
        if (af & PolicyHot::Access) {
            std::string why;
            d.accessDeniedStatus = annotations::accessStatus(ann->access, clientAddr, &why);
            T("access: " + why + (d.accessDeniedStatus ? " -> " + std::to_string(d.accessDeniedStatus) + " (after the rate limit)" : " -> allowed"));
        }
    }

    // ---- headers (§15) ----
    if (nginx) {
        auto set = [&](std::string_view k, std::string_view v) { out.upstreamHeader(k, v); };
        set("Host", d.upstreamHost);
        if (!req.requestId.empty()) {
            set("X-Request-ID", req.requestId);  // the proxy's $req_id, also in its access log
        } else if (const std::string* rid = hdr.xRequestId; rid && !rid->empty()) {
            set("X-Request-ID", *rid);
        } else {
            char id[32];
            hex64(mix(randomValue, 2), id);
            hex64(mix(randomValue, 3), id + 16);
            set("X-Request-ID", std::string_view(id, sizeof id));
        }
        set("X-Real-IP", clientAddr);
        if (m.useForwardedHeaders && m.computeFullForwardedFor && xff) {
            sc.value.assign(*xff);
            sc.value += ", ";
            sc.value += req.clientIp;
            set("X-Forwarded-For", sc.value);
        } else {
            set("X-Forwarded-For", clientAddr);
        }
        set("X-Forwarded-Host", bestHost);
        if (const std::string* xfport = hdr.xForwardedPort; m.useForwardedHeaders && xfport) {
            set("X-Forwarded-Port", *xfport);
        } else {
            char port[16];
            const auto r = std::to_chars(port, port + sizeof port, req.listenPort);
            set("X-Forwarded-Port", std::string_view(port, static_cast<std::size_t>(r.ptr - port)));
        }
        const std::string& proto = m.useForwardedHeaders && xfp ? *xfp : req.scheme;
        set("X-Forwarded-Proto", proto);
        set("X-Forwarded-Scheme", proto);
        set("X-Scheme", proto);
        if (xff) set("X-Original-Forwarded-For", *xff);
        if (xfh) set("X-Original-Forwarded-Host", *xfh);
        if (rewritten && ann && ann->rewrite.xForwardedPrefix) set("X-Forwarded-Prefix", *ann->rewrite.xForwardedPrefix);
        d.upstreamHeadersRemoved.push_back("Proxy");
        if (acao)
            for (const auto& [k, v] : annotations::corsHeaders(ann->cors, *acao)) out.responseHeader(k, v);
    } else {
        d.upstreamHost.assign(req.host);
        out.upstreamHeader("Host", req.host);
    }
    T("=> proxy to " + tg.ref.ns + "/" + tg.ref.service + ":" + tg.ref.port + ", upstream path " + d.upstreamPath);
    finishOther();
    return;
#undef T
}

TlsChoice RouteTable::certificateFor(const std::string& sniIn) const {
    if (m_impl->gateway) return m_impl->gateway->certificateFor(sniIn);
    std::string sni = toLower(sniIn);
    if (!sni.empty() && sni.back() == '.') sni.pop_back();
    bool found = false;
    std::string how;
    const CertEntry& c = lookupCert(*m_impl, sni, &found, &how);
    TlsChoice t;
    t.certificate = c.certificate;
    t.pemCert = c.pemCert;
    t.pemKey = c.pemKey;
    t.trace.push_back("SNI " + (sni.empty() ? std::string("(none)") : sni) + ": " + how + " -> " + c.certificate);
    if (!c.note.empty()) t.trace.push_back(c.note);
    return t;
}

}  // namespace ilab::routing
