#include "core/validation/lint.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <set>
#include <tuple>

#include "core/tls/certificate.h"
#include "core/validation/reporter.h"

namespace ilab::validation {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string utcDate(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
    return out;
}

Diagnostic warning(DiagCode code, const FieldPath& field, const std::string& rule, const std::string& detail,
                   std::optional<std::string> bad = std::nullopt) {
    Diagnostic d;
    d.severity = Severity::Warning;
    d.code = code;
    d.field = field.toString();
    d.rule = rule;
    d.detail = detail;
    d.badValue = std::move(bad);
    return d;
}

// A backend reference of an Ingress with the field path it was written at.
struct BackendRef {
    const model::IngressServiceBackend* service;
    FieldPath path;  // ...backend
};

std::vector<BackendRef> serviceBackends(const model::Ingress& ing) {
    std::vector<BackendRef> out;
    const FieldPath spec("spec");
    if (ing.spec.defaultBackend && ing.spec.defaultBackend->service)
        out.push_back({&*ing.spec.defaultBackend->service, spec.child("defaultBackend")});
    for (std::size_t i = 0; i < ing.spec.rules.size(); ++i) {
        const auto& rule = ing.spec.rules[i];
        if (!rule.http) continue;
        for (std::size_t j = 0; j < rule.http->paths.size(); ++j)
            if (rule.http->paths[j].backend.service)
                out.push_back({&*rule.http->paths[j].backend.service,
                               spec.child("rules").index(i).child("http").child("paths").index(j).child("backend")});
    }
    return out;
}

std::string portList(const model::Service& svc) {
    std::vector<std::string> ports;
    for (const auto& p : svc.ports) ports.push_back(p.name.empty() ? std::to_string(p.port) : p.name + "/" + std::to_string(p.port));
    return ports.empty() ? "none" : join(ports);
}

// Port resolution as ingress-nginx does it (controller.go serviceEndpoints): the Ingress port matches a
// ServicePort by number, by name, or by the targetPort written as a string.
bool servicePortExists(const model::Service& svc, const model::ServiceBackendPort& port) {
    for (const auto& p : svc.ports) {
        if (port.number && *port.number != 0 &&
            (p.port == *port.number || p.targetPort.toString() == std::to_string(*port.number)))
            return true;
        if (port.name && !port.name->empty() && (p.name == *port.name || p.targetPort.name == *port.name)) return true;
    }
    return false;
}

void lintBackends(const model::Workspace& ws, const model::Resource& res, const model::Ingress& ing, Reporter& rep,
                  std::set<const model::Resource*>& referencedServices) {
    for (const auto& b : serviceBackends(ing)) {
        const auto& s = *b.service;
        if (s.name.empty()) continue;  // the API server already refuses it
        const model::Resource* svcRes = ws.find("Service", res.meta.ns, s.name);
        const model::Service* svc = svcRes ? svcRes->as<model::Service>() : nullptr;
        if (!svc) {
            rep.add(warning(DiagCode::NotFound, b.path.child("service").child("name"), "backend-service-missing",
                            "Service " + res.meta.ns + "/" + s.name + " is not in the workspace; ingress-nginx answers 503 for this backend",
                            s.name));
            continue;
        }
        referencedServices.insert(svcRes);
        if (svc->type == "ExternalName") continue;  // ports are optional there
        if (!servicePortExists(*svc, s.port)) {
            const bool byName = s.port.name && !s.port.name->empty();
            const FieldPath pf = b.path.child("service").child("port").child(byName ? "name" : "number");
            const std::string value = byName ? *s.port.name : std::to_string(s.port.number.value_or(0));
            if (!byName && s.port.number.value_or(0) == 0) continue;  // API error already
            Diagnostic d = warning(DiagCode::NotFound, pf, "backend-port-missing",
                                   "Service " + res.meta.ns + "/" + s.name + " has no port " + (byName ? "named " : "") + value +
                                       " (ports: " + portList(*svc) + "); ingress-nginx answers 503 for this backend",
                                   value);
            d.isBadValueLiteral = !byName;
            rep.add(std::move(d));
        }
    }
}

void lintServiceEndpoints(const model::Workspace& ws, const model::Resource& res, Diagnostics& out) {
    const model::Service* svc = res.as<model::Service>();
    if (!svc || svc->type == "ExternalName") return;
    Reporter rep(res, out, "service-no-endpoints", Severity::Warning);
    if (svc->hasSelector) {
        const auto deps = ws.deploymentsSelectedBy(*svc);
        std::vector<std::string> sel;
        for (const auto& [k, v] : svc->selector) sel.push_back(k + "=" + v);
        if (deps.empty()) {
            rep.add(warning(DiagCode::Lint, FieldPath("spec").child("selector"), "service-no-endpoints",
                            "selector " + join(sel, ",") + " matches no Deployment in namespace " + res.meta.ns +
                                ": the Service has no endpoints and ingress-nginx answers 503"));
            return;
        }
        int replicas = 0;
        std::vector<std::string> names;
        for (const auto* d : deps) {
            replicas += std::max(0, d->replicas);
            names.push_back(d->meta.name);
        }
        if (replicas == 0)
            rep.add(warning(DiagCode::Lint, FieldPath("spec").child("selector"), "service-no-endpoints",
                            "the selected Deployment" + std::string(deps.size() > 1 ? "s " : " ") + join(names) +
                                (deps.size() > 1 ? " are" : " is") + " scaled to 0 replicas: the Service has no endpoints and ingress-nginx answers 503"));
        return;
    }
    bool ready = false;
    if (const auto* ep = ws.endpoints(res.meta.ns, res.meta.name))
        for (const auto& sub : ep->subsets)
            for (const auto& a : sub.addresses) ready = ready || a.ready;
    for (const auto* slice : ws.endpointSlices(res.meta.ns, res.meta.name))
        for (const auto& a : slice->endpoints) ready = ready || a.ready;
    if (!ready)
        rep.add(warning(DiagCode::Lint, FieldPath("spec"), "service-no-endpoints",
                        "the Service has no selector and no Endpoints or EndpointSlice with a ready address: it has no endpoints "
                        "and ingress-nginx answers 503"));
}

// Certificate problems belong to the Secret (reported once, however many Ingresses use it).
void lintTlsSecret(const model::Resource& res, const LintOptions& opts, Diagnostics& out) {
    const model::Secret* sec = res.as<model::Secret>();
    if (!sec || !sec->data.count("tls.crt")) return;
    // Key material still to be generated on first use (core/lessons GENERATE_ANNOTATION): nothing to check yet.
    if (sec->tlsCert().empty() && sec->meta.hasAnnotation("ingress-lab.dev/generate-self-signed")) return;
    Reporter rep(res, out, "tls", Severity::Warning);
    const FieldPath crt = FieldPath("data").key("tls.crt");
    auto info = tls::inspectCertificate(sec->tlsCert(), sec->tlsKey());
    if (!info.ok()) {
        const bool keyProblem = info.error().code == tls::CertError::BadKey;
        rep.add(warning(DiagCode::Lint, keyProblem ? FieldPath("data").key("tls.key") : crt, "tls-cert-invalid",
                        std::string(keyProblem ? "tls.key: " : "tls.crt: ") + info.message() +
                            "; ingress-nginx ignores this Secret and serves its default (fake) certificate"));
        return;
    }
    if (info->isExpiredAt(opts.now))
        rep.add(warning(DiagCode::Lint, crt, "tls-cert-expired",
                        "the certificate (" + info->subject + ") expired on " + utcDate(info->notAfter) +
                            "; clients refuse it (ingress-nginx still serves it)"));
    else if (info->isNotYetValidAt(opts.now))
        rep.add(warning(DiagCode::Lint, crt, "tls-cert-not-yet-valid",
                        "the certificate (" + info->subject + ") is not valid before " + utcDate(info->notBefore)));
    if (info->keyMatches && !*info->keyMatches)
        rep.add(warning(DiagCode::Lint, FieldPath("data").key("tls.key"), "tls-key-mismatch",
                        "tls.key is not the private key of the certificate in tls.crt; ingress-nginx ignores this Secret and "
                        "serves its default (fake) certificate"));
}

void lintIngressTls(const model::Workspace& ws, const model::Resource& res, const model::Ingress& ing,
                    const std::set<std::string>& ruleHosts, Reporter& rep) {
    const FieldPath spec("spec");
    for (std::size_t k = 0; k < ing.spec.tls.size(); ++k) {
        const auto& t = ing.spec.tls[k];
        const FieldPath tp = spec.child("tls").index(k);
        for (std::size_t m = 0; m < t.hosts.size(); ++m)
            if (!t.hosts[m].empty() && !ruleHosts.count(lower(t.hosts[m])))
                rep.add(warning(DiagCode::Lint, tp.child("hosts").index(m), "tls-host-unused",
                                "no rule of any Ingress uses host " + t.hosts[m] +
                                    ": ingress-nginx creates no server for it, so this TLS entry has no effect",
                                t.hosts[m]));
        if (!t.secretName || t.secretName->empty()) continue;
        const std::string& name = *t.secretName;
        const model::Secret* sec = ws.secret(res.meta.ns, name);
        if (!sec) {
            rep.add(warning(DiagCode::NotFound, tp.child("secretName"), "tls-secret-missing",
                            "Secret " + res.meta.ns + "/" + name + " is not in the workspace; ingress-nginx serves its default "
                            "(fake) certificate for " + (t.hosts.empty() ? std::string("these hosts") : join(t.hosts)),
                            name));
            continue;
        }
        if (!sec->isTls()) {
            const bool hasPair = sec->data.count("tls.crt") && sec->data.count("tls.key");
            rep.add(warning(DiagCode::Lint, tp.child("secretName"), "tls-secret-wrong-type",
                            "Secret " + res.meta.ns + "/" + name + " has type " + sec->type + ", not kubernetes.io/tls" +
                                (hasPair ? " (ingress-nginx still reads its tls.crt and tls.key)"
                                         : "; it has no tls.crt and tls.key, so ingress-nginx serves its default (fake) certificate"),
                            name));
            if (!hasPair) continue;
        }
        auto info = tls::inspectCertificate(sec->tlsCert());
        if (!info.ok()) continue;  // reported on the Secret
        std::vector<std::string> names = info->dnsNames;
        names.insert(names.end(), info->ipAddresses.begin(), info->ipAddresses.end());
        if (names.empty() && !info->commonName.empty()) names.push_back("CN " + info->commonName);
        for (std::size_t m = 0; m < t.hosts.size(); ++m)
            if (!t.hosts[m].empty() && ruleHosts.count(lower(t.hosts[m])) && !tls::certificateCovers(*info, t.hosts[m]))
                rep.add(warning(DiagCode::Lint, tp.child("hosts").index(m), "tls-cert-not-covering",
                                "the certificate of Secret " + res.meta.ns + "/" + name + " (" + (names.empty() ? "no names" : join(names)) +
                                    ") does not cover " + t.hosts[m] + "; ingress-nginx serves its default (fake) certificate for it",
                                t.hosts[m]));
    }
}

void lintDuplicates(const model::Workspace& ws, const LintOptions& opts, const Diagnostics& already, Diagnostics& out) {
    // (host, path, pathType) -> the oldest claimed non-canary Ingress defining it (that one wins)
    std::map<std::tuple<std::string, std::string, std::string>, const model::Resource*> winners;
    std::set<std::string> refusedByWebhook;
    if (opts.admissionWebhook)
        for (const auto& d : already)
            if (d.rule == "admission-overlap") refusedByWebhook.insert(d.object);
    for (const model::Resource* r : ingress_facts::ingressesByCreation(ws)) {
        const model::Ingress* ing = r->as<model::Ingress>();
        if (ingress_facts::isCanary(*ing) || !ingress_facts::isClaimed(ws, *ing, opts.admission)) continue;
        Reporter rep(*r, out, "duplicate-host-path", Severity::Warning);
        for (std::size_t i = 0; i < ing->spec.rules.size(); ++i) {
            const auto& rule = ing->spec.rules[i];
            if (!rule.http) continue;
            const std::string host = rule.host.value_or("");
            for (std::size_t j = 0; j < rule.http->paths.size(); ++j) {
                const auto& p = rule.http->paths[j];
                if (!p.backend.service) continue;
                const std::string path = p.path && !p.path->empty() ? *p.path : "/";
                const std::string type = p.pathType.value_or("");
                const FieldPath fp = FieldPath("spec").child("rules").index(i).child("http").child("paths").index(j).child("path");
                auto [it, inserted] = winners.emplace(std::make_tuple(host, path, type), r);
                if (inserted || it->second == r) continue;  // new, or the same Ingress twice (nginx keeps the first)
                if (refusedByWebhook.count(r->displayName())) continue;
                const model::Resource* winner = it->second;
                rep.add(warning(DiagCode::Conflict, fp, "duplicate-host-path",
                                (host.empty() ? std::string("rules without host,") : "host \"" + host + "\"") + " path \"" + path + "\" (" +
                                    type + ") is also defined by Ingress " + winner->meta.ns + "/" + winner->meta.name +
                                    ", created earlier: ingress-nginx keeps the oldest definition, so this path is ignored",
                                path));
            }
        }
    }
}

}  // namespace

// backend-protocol values the local controller cannot simulate (it speaks HTTP/1.1 and HTTPS to upstreams): said
// before any traffic, where the user edits, instead of only as a 502 and an event in the lab.
void lintBackendProtocol(const model::Resource& res, Reporter& rep) {
    static const std::string KEY = "nginx.ingress.kubernetes.io/backend-protocol";
    if (!res.meta.hasAnnotation(KEY)) return;
    std::string v = res.meta.annotation(KEY);
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (v != "GRPC" && v != "GRPCS" && v != "FCGI") return;
    Diagnostic d = warning(DiagCode::Lint, FieldPath("metadata").child("annotations").key(KEY), "local-controller-protocol",
                           "backend-protocol " + v + " is valid for ingress-nginx, but Ingress Lab's local controller speaks "
                           "only HTTP/1.1 and HTTPS to upstreams: in the lab these requests get 502",
                           res.meta.annotation(KEY));
    d.severity = Severity::Info;
    rep.add(std::move(d));
}

void lintWorkspace(const model::Workspace& ws, const LintOptions& opts, const Diagnostics& already, Diagnostics& out) {
    std::set<std::string> ruleHosts;
    for (const auto* ing : ws.all<model::Ingress>())
        for (const auto& rule : ing->spec.rules)
            if (rule.host && !rule.host->empty()) ruleHosts.insert(lower(*rule.host));

    std::set<const model::Resource*> referencedServices;
    for (const auto& res : ws.resources) {
        const model::Ingress* ing = res.as<model::Ingress>();
        if (!ing) continue;
        Reporter rep(res, out, "lint", Severity::Warning);
        lintBackends(ws, res, *ing, rep, referencedServices);
        lintIngressTls(ws, res, *ing, ruleHosts, rep);
        lintBackendProtocol(res, rep);
    }
    for (const auto& res : ws.resources) {
        if (referencedServices.count(&res)) lintServiceEndpoints(ws, res, out);
        if (res.as<model::Secret>()) lintTlsSecret(res, opts, out);
    }
    lintDuplicates(ws, opts, already, out);
}

}  // namespace ilab::validation
