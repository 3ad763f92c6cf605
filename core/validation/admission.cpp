#include "core/validation/admission.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/validation/reporter.h"

namespace ilab::validation {

namespace {

constexpr const char* CANARY_KEY = "nginx.ingress.kubernetes.io/canary";
constexpr const char* NGINX_PREFIX = "nginx.ingress.kubernetes.io/";

std::optional<bool> parseGoBool(const std::string& v) {
    if (v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "true" || v == "True") return true;
    if (v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "false" || v == "False") return false;
    return std::nullopt;
}

// inspector/rules.go: the patterns a deep inspection refuses anywhere in a host, path or TLS field.
//   (?s)\s*alias\s*.*;   (?s)\s*root\s*.*;   /etc/(passwd|shadow|group|nginx|ingress-controller)
//   /var/run/secrets     .*_by_lua.*
bool matchesForbiddenPattern(const std::string& v) {
    for (const char* word : {"alias", "root"}) {
        auto at = v.find(word);
        if (at != std::string::npos && v.find(';', at + std::char_traits<char>::length(word)) != std::string::npos) return true;
    }
    for (const char* dir : {"/etc/passwd", "/etc/shadow", "/etc/group", "/etc/nginx", "/etc/ingress-controller", "/var/run/secrets",
                            "_by_lua"})
        if (v.find(dir) != std::string::npos) return true;
    return false;
}

// inspector/rules.go validPathType: (?i)^/[[:alnum:]._\-/]*$
bool isStrictPath(const std::string& p) {
    if (p.empty() || p.front() != '/') return false;
    for (unsigned char c : p)
        if (!std::isalnum(c) && c != '.' && c != '_' && c != '-' && c != '/') return false;
    return true;
}

int riskRank(const std::string& level) {
    std::string l = level;
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (l == "low") return 0;
    if (l == "medium") return 1;
    if (l == "critical") return 3;
    return 2;  // High, and anything unparsable (the default)
}

// Snippet annotations are Critical; the annotation group named in the webhook's message (annotations.go).
const std::map<std::string, std::string>& criticalSnippetGroups() {
    static const std::map<std::string, std::string> groups = {
        {"configuration-snippet", "ConfigurationSnippet"}, {"server-snippet", "ServerSnippet"},
        {"stream-snippet", "StreamSnippet"},               {"auth-snippet", "ExternalAuth"},
        {"modsecurity-snippet", "ModSecurity"},
    };
    return groups;
}

Diagnostic makeError(DiagCode code, const std::string& field, const std::string& detail, const std::string& rule) {
    Diagnostic d;
    d.severity = Severity::Error;
    d.code = code;
    d.field = field;
    d.detail = detail;
    d.rule = rule;
    return d;
}

std::string qualified(const model::Resource& r) { return r.meta.ns + "/" + r.meta.name; }

template <class F>
void forEachLocation(const model::Ingress& ing, F&& f) {
    for (std::size_t i = 0; i < ing.spec.rules.size(); ++i) {
        const auto& rule = ing.spec.rules[i];
        if (!rule.http) continue;
        const std::string host = rule.host && !rule.host->empty() ? *rule.host : "_";
        for (std::size_t j = 0; j < rule.http->paths.size(); ++j) {
            const auto& p = rule.http->paths[j];
            if (!p.backend.service) continue;
            f(i, j, host, p.path && !p.path->empty() ? *p.path : std::string("/"), p.pathType.value_or(""));
        }
    }
}

void checkOverlap(const model::Resource& res, const model::Ingress& ing, const LocationIndex& existing, Reporter& rep) {
    const auto canaryNew = ingress_facts::canaryAnnotation(ing);
    const bool newIsCanary = canaryNew.value_or(false);
    const FieldPath spec("spec");
    // Locations this Ingress would own once added (canaries own none).
    std::set<std::pair<std::string, std::string>> ownNew;
    if (!newIsCanary)
        forEachLocation(ing, [&](std::size_t, std::size_t, const std::string& host, const std::string& path, const std::string& type) {
            if (!existing.has(host, path, type)) ownNew.emplace(host, path);
        });
    bool decided = false;
    forEachLocation(ing, [&](std::size_t i, std::size_t j, const std::string& host, const std::string& path, const std::string&) {
        if (decided) return;
        const auto owners = existing.owners(host, path);
        const bool ownsOne = ownNew.count({host, path}) != 0;
        if (owners.empty() && !ownsOne) return;
        // checkOverlap returns at the first path that has any location: nil when this Ingress owns one of them,
        // else an error or nil after comparing canary annotations. Later paths are never looked at.
        decided = true;
        if (ownsOne) return;
        for (const model::Resource* e : owners) {
            const auto canaryOld = ingress_facts::canaryAnnotation(*e->as<model::Ingress>());
            const bool bothCanary = newIsCanary && canaryOld.value_or(false);
            const bool neitherAnnotated = !ing.meta.hasAnnotation(CANARY_KEY) && !e->meta.hasAnnotation(CANARY_KEY);
            if (bothCanary || neitherAnnotated) {
                const FieldPath fp = spec.child("rules").index(i).child("http").child("paths").index(j).child("path");
                Diagnostic d = makeError(DiagCode::Conflict, fp.toString(),
                                         "host \"" + host + "\" and path \"" + path + "\" is already defined in ingress " + qualified(*e),
                                         "admission-overlap");
                d.badValue = path;
                rep.add(std::move(d));
                return;
            }
        }
    });
}

}  // namespace

namespace ingress_facts {

std::optional<bool> canaryAnnotation(const model::Ingress& ing) {
    auto it = ing.meta.annotations.find(CANARY_KEY);
    if (it == ing.meta.annotations.end()) return std::nullopt;
    return parseGoBool(it->second).value_or(false);
}

bool isCanary(const model::Ingress& ing) { return canaryAnnotation(ing).value_or(false); }

bool isClaimed(const model::Workspace& ws, const model::Ingress& ing, const AdmissionOptions& opts) {
    auto ann = ing.meta.annotations.find("kubernetes.io/ingress.class");
    if (ann != ing.meta.annotations.end()) return ann->second == opts.ingressClass;
    if (ing.spec.ingressClassName) {
        const std::string& name = *ing.spec.ingressClassName;
        for (const auto* ic : ws.all<model::IngressClass>())
            if (ic->meta.name == name) return ic->controller == opts.controllerClass;
        return name == opts.ingressClass;  // the chart's IngressClass "nginx", not written in the workspace
    }
    for (const auto* ic : ws.all<model::IngressClass>())
        if (ic->isDefault()) return ic->controller == opts.controllerClass;  // DefaultIngressClass admission plugin
    return opts.claimIngressesWithoutClass;
}

bool createdBefore(const model::Resource& a, const model::Resource& b) {
    if (a.meta.creationTimestamp && b.meta.creationTimestamp && *a.meta.creationTimestamp != *b.meta.creationTimestamp)
        return *a.meta.creationTimestamp < *b.meta.creationTimestamp;
    return a.creationOrder < b.creationOrder;
}

std::vector<const model::Resource*> ingressesByCreation(const model::Workspace& ws) {
    std::vector<const model::Resource*> out;
    for (const auto& r : ws.resources)
        if (r.as<model::Ingress>()) out.push_back(&r);
    std::stable_sort(out.begin(), out.end(), [](const model::Resource* a, const model::Resource* b) { return createdBefore(*a, *b); });
    return out;
}

}  // namespace ingress_facts

void LocationIndex::add(const model::Resource& res) {
    const model::Ingress* ing = res.as<model::Ingress>();
    if (!ing || ingress_facts::isCanary(*ing)) return;
    forEachLocation(*ing, [&](std::size_t, std::size_t, const std::string& host, const std::string& path, const std::string& type) {
        if (!has(host, path, type)) m_locations[{host, path}].emplace_back(type, &res);
    });
}

bool LocationIndex::has(const std::string& host, const std::string& path, const std::string& pathType) const {
    auto it = m_locations.find({host, path});
    if (it == m_locations.end()) return false;
    for (const auto& [type, owner] : it->second)
        if (type == pathType) return true;
    return false;
}

std::vector<const model::Resource*> LocationIndex::owners(const std::string& host, const std::string& path) const {
    std::vector<const model::Resource*> out;
    auto it = m_locations.find({host, path});
    if (it != m_locations.end())
        for (const auto& [type, owner] : it->second) out.push_back(owner);
    return out;
}

AdmissionOptions admissionOptionsFrom(const model::Workspace& ws, AdmissionOptions base) {
    const model::ConfigMap* cm = ws.controllerConfigMap();
    if (!cm) return base;
    auto get = [&](const char* key) -> std::optional<std::string> {
        auto it = cm->data.find(key);
        return it == cm->data.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    if (auto v = get("allow-snippet-annotations")) base.allowSnippetAnnotations = parseGoBool(*v).value_or(false);
    if (auto v = get("annotations-risk-level")) base.annotationsRiskLevel = *v;
    if (auto v = get("strict-validate-path-type")) base.strictValidatePathType = parseGoBool(*v).value_or(true);
    if (auto v = get("annotation-value-word-blocklist")) {
        base.annotationValueWordBlocklist.clear();
        std::string cur;
        for (char c : *v + ",") {
            if (c == ',') {
                auto b = cur.find_first_not_of(" \t");
                auto e = cur.find_last_not_of(" \t");
                if (b != std::string::npos) base.annotationValueWordBlocklist.push_back(cur.substr(b, e - b + 1));
                cur.clear();
            } else {
                cur += c;
            }
        }
    }
    return base;
}

void checkAdmission(const model::Workspace& ws, const model::Resource& res, const std::vector<const model::Resource*>& existing,
                    const AdmissionOptions& opts, Diagnostics& out) {
    LocationIndex index;
    for (const model::Resource* e : existing)
        if (e != &res && e->as<model::Ingress>() && ingress_facts::isClaimed(ws, *e->as<model::Ingress>(), opts)) index.add(*e);
    checkAdmission(ws, res, index, opts, out);
}

void checkAdmission(const model::Workspace& ws, const model::Resource& res, const LocationIndex& existing,
                    const AdmissionOptions& opts, Diagnostics& out) {
    const model::Ingress* ing = res.as<model::Ingress>();
    if (!ing) return;
    Reporter rep(res, out, "admission");
    const std::string key = qualified(res);
    const FieldPath spec("spec");

    // 1. Deep inspection: every Ingress, before the class check (CheckIngress order).
    if (opts.deepInspect) {
        bool refused = false;
        auto refuse = [&](const FieldPath& f, const std::string& value, const std::string& what) {
            Diagnostic d = makeError(DiagCode::Invalid, f.toString(), "invalid object: " + what + ": invalid value found: " + value,
                                     "admission-deep-inspection");
            d.badValue = value;
            rep.add(std::move(d));
            refused = true;
        };
        for (std::size_t i = 0; i < ing->spec.rules.size(); ++i) {
            const auto& rule = ing->spec.rules[i];
            const FieldPath rp = spec.child("rules").index(i);
            if (rule.host && !rule.host->empty() && matchesForbiddenPattern(*rule.host))
                refuse(rp.child("host"), *rule.host, "invalid host in ingress " + key);
            if (!rule.http) continue;
            for (std::size_t j = 0; j < rule.http->paths.size(); ++j) {
                const std::string p = rule.http->paths[j].path.value_or("");
                if (matchesForbiddenPattern(p))
                    refuse(rp.child("http").child("paths").index(j).child("path"), p, "invalid rule in ingress " + key + ": invalid http path");
            }
        }
        for (std::size_t k = 0; k < ing->spec.tls.size(); ++k) {
            const auto& tls = ing->spec.tls[k];
            const FieldPath tp = spec.child("tls").index(k);
            if (tls.secretName && matchesForbiddenPattern(*tls.secretName))
                refuse(tp.child("secretName"), *tls.secretName, "invalid secret in ingress " + key);
            for (std::size_t m = 0; m < tls.hosts.size(); ++m)
                if (matchesForbiddenPattern(tls.hosts[m]))
                    refuse(tp.child("hosts").index(m), tls.hosts[m], "invalid host in ingress tls config " + key);
        }
        if (refused) return;
    }

    // 2. Only Ingresses of this controller's class are validated further.
    if (!ingress_facts::isClaimed(ws, *ing, opts)) return;

    // 3. strict-validate-path-type.
    if (opts.strictValidatePathType) {
        bool refused = false;
        for (std::size_t i = 0; i < ing->spec.rules.size(); ++i) {
            const auto& rule = ing->spec.rules[i];
            if (!rule.http) continue;
            for (std::size_t j = 0; j < rule.http->paths.size(); ++j) {
                const auto& p = rule.http->paths[j];
                const std::string path = p.path.value_or("");
                if (path.empty() || p.pathType == std::optional<std::string>("ImplementationSpecific") || isStrictPath(path)) continue;
                const std::string type = p.pathType.value_or("nil");
                Diagnostic d = makeError(DiagCode::Invalid,
                                         spec.child("rules").index(i).child("http").child("paths").index(j).child("path").toString(),
                                         "ingress contains invalid paths: path " + path + " cannot be used with pathType " + type,
                                         "admission-strict-path-type");
                d.badValue = path;
                rep.add(std::move(d));
                refused = true;
            }
        }
        if (refused) return;
    }

    // 4. Annotations: word blocklist, snippets, then the risk level of the annotation groups.
    bool refused = false;
    const FieldPath annotations = FieldPath("metadata").child("annotations");
    for (const auto& [k, v] : ing->meta.annotations) {
        if (k.rfind(NGINX_PREFIX, 0) == 0)
            for (const auto& word : opts.annotationValueWordBlocklist)
                if (!word.empty() && v.find(word) != std::string::npos) {
                    Diagnostic d = makeError(DiagCode::Forbidden, annotations.key(k).toString(),
                                             k + " annotation contains invalid word " + word, "admission-word-blocklist");
                    rep.add(std::move(d));
                    refused = true;
                }
        if (!opts.allowSnippetAnnotations && k.size() >= 8 && k.compare(k.size() - 8, 8, "-snippet") == 0) {
            Diagnostic d = makeError(DiagCode::Forbidden, annotations.key(k).toString(),
                                     k + " annotation cannot be used. Snippet directives are disabled by the Ingress administrator",
                                     "admission-snippet");
            rep.add(std::move(d));
            refused = true;
        }
    }
    if (refused) return;
    if (riskRank(opts.annotationsRiskLevel) < 3) {
        std::set<std::string> groups;
        for (const auto& [k, v] : ing->meta.annotations) {
            if (k.rfind(NGINX_PREFIX, 0) != 0) continue;
            auto g = criticalSnippetGroups().find(k.substr(std::char_traits<char>::length(NGINX_PREFIX)));
            if (g == criticalSnippetGroups().end() || !groups.insert(g->second).second) continue;
            Diagnostic d = makeError(DiagCode::Forbidden, annotations.key(k).toString(),
                                     "annotation group " + g->second + " contains risky annotation based on ingress configuration",
                                     "admission-risky-annotation");
            rep.add(std::move(d));
            refused = true;
        }
        if (refused) return;
    }

    // 5. Overlap with the Ingresses that already exist (and that this controller claims).
    checkOverlap(res, *ing, existing, rep);
}

}  // namespace ilab::validation
