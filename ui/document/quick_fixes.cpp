#include "ui/document/quick_fixes.h"

#include <algorithm>
#include <ctime>
#include <regex>

#include <QObject>

#include "core/tls/certificate.h"
#include "ui/document/templates.h"
#include "ui/document/workspace_document.h"
#include "ui/document/yaml_text.h"

namespace ilab::ui {

namespace {

const char* const SERVICE_WEIGHTS_KEYS[] = {"nginx.ingress.kubernetes.io/service-weights", "traefik.ingress.kubernetes.io/service-weights"};
const char* const CANARY = "nginx.ingress.kubernetes.io/canary";
const char* const CANARY_WEIGHT = "nginx.ingress.kubernetes.io/canary-weight";

QString q(const std::string& s) { return QString::fromStdString(s); }

// spec.rules[1].http.paths[0].backend... -> rule 1, path 0
bool pathIndexes(const std::string& field, int* rule, int* path) {
    static const std::regex re(R"(^spec\.rules\[(\d+)\]\.http\.paths\[(\d+)\])");
    std::smatch m;
    if (!std::regex_search(field, m, re)) return false;
    *rule = std::stoi(m[1]);
    *path = std::stoi(m[2]);
    return true;
}

bool tlsIndex(const std::string& field, int* idx) {
    static const std::regex re(R"(^spec\.tls\[(\d+)\])");
    std::smatch m;
    if (!std::regex_search(field, m, re)) return false;
    *idx = std::stoi(m[1]);
    return true;
}

// "spec.rules[0].http.paths[1].backend.service.name" -> "spec.rules[0].http.paths[1].backend"; "" when not a backend field
std::string backendFieldOf(const std::string& field) {
    static const std::regex re(R"(^(spec\.rules\[\d+\]\.http\.paths\[\d+\]\.backend|spec\.defaultBackend))");
    std::smatch m;
    return std::regex_search(field, m, re) ? m[1].str() : std::string();
}

const model::IngressBackend* backendAt(const model::Ingress& ing, const std::string& field) {
    int r = -1, p = -1;
    if (pathIndexes(field, &r, &p)) {
        if (r >= static_cast<int>(ing.spec.rules.size()) || !ing.spec.rules[static_cast<std::size_t>(r)].http) return nullptr;
        const auto& paths = ing.spec.rules[static_cast<std::size_t>(r)].http->paths;
        if (p >= static_cast<int>(paths.size())) return nullptr;
        return &paths[static_cast<std::size_t>(p)].backend;
    }
    if (field.rfind("spec.defaultBackend", 0) == 0 && ing.spec.defaultBackend) return &*ing.spec.defaultBackend;
    return nullptr;
}

// Optimal-string-alignment distance (Levenshtein plus swapping two neighbours: "agnet" -> "agent" is 1).
int editDistance(const std::string& a, const std::string& b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
    for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
    for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
    for (std::size_t i = 1; i <= n; ++i)
        for (std::size_t j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[n][m];
}

// Services of `ns` whose name is a likely typo of `name`, closest first (at most three). A name counts as close
// when at most a third of it differs (two edits at least, so short names still get suggestions).
std::vector<std::string> similarServiceNames(const model::Workspace& ws, const std::string& ns, const std::string& name) {
    std::vector<std::pair<int, std::string>> scored;
    const int limit = std::max(2, static_cast<int>(name.size()) / 3);
    for (const auto* s : ws.all<model::Service>()) {
        if (s->meta.ns != ns || s->meta.name == name) continue;
        const int dist = editDistance(name, s->meta.name);
        if (dist <= limit) scored.emplace_back(dist, s->meta.name);
    }
    std::sort(scored.begin(), scored.end());
    std::vector<std::string> out;
    for (const auto& [dist, n] : scored) {
        if (out.size() == 3) break;
        out.push_back(n);
    }
    return out;
}

void addServiceFixes(const model::Workspace& ws, const std::string& ns, const model::IngressServiceBackend& sb, std::vector<QuickFix>& out,
                     const model::Resource* ingress = nullptr, const std::string& backendField = {}) {
    if (sb.name.empty()) return;
    const model::Service* svc = ws.service(ns, sb.name);
    if (!svc && ingress && !backendField.empty()) {
        // a misspelt name: offer the Services it is close to before offering to create a new one
        const std::string ingName = ingress->meta.name, field = backendField + ".service.name", typo = sb.name;
        for (const std::string& candidate : similarServiceNames(ws, ns, sb.name)) {
            QuickFix f;
            f.id = QStringLiteral("rename-service");
            f.title = QObject::tr("Did you mean '%1'? (use Service '%1' instead of '%2')").arg(q(candidate), q(typo));
            f.apply = [ingName, ns, field, candidate, typo](WorkspaceDocument& doc) {
                const int idx = doc.indexOf("Ingress", ns, ingName);
                if (idx < 0 || !doc.workspace().service(ns, candidate)) return false;
                const YAML::Node current = yamltext::nodeAt(doc.resource(idx)->node, field);
                if (!current.IsScalar() || current.Scalar() != typo) return false;
                return doc.setScalar(idx, field, q(candidate), yamltext::ScalarStyle::String,
                                     QObject::tr("Use Service %1 instead of %2").arg(q(candidate), q(typo)));
            };
            out.push_back(std::move(f));
        }
    }
    if (!svc) {
        const int port = sb.port.number.value_or(80) > 0 ? sb.port.number.value_or(80) : 80;
        const std::string name = sb.name;
        QuickFix f;
        f.id = QStringLiteral("create-service");
        f.title = QObject::tr("Create Service '%1' (port %2) and its Deployment").arg(q(name)).arg(port);
        f.apply = [name, ns, port](WorkspaceDocument& doc) {
            if (doc.workspace().service(ns, name)) return false;
            std::vector<YAML::Node> nodes;
            if (!doc.workspace().find("Deployment", ns, name))
                nodes.push_back(templates::deployment(name, ns, "registry.example.com/" + name + ":1.0", 8080));
            nodes.push_back(templates::service(name, ns, port, 8080));
            return doc.appendResources(nodes, QObject::tr("Create Service %1").arg(q(name))) >= 0;
        };
        out.push_back(std::move(f));
        return;
    }
    if (svc->hasSelector && ws.deploymentsSelectedBy(*svc).empty()) {
        const std::string name = sb.name;
        int target = 8080;
        if (!svc->ports.empty() && svc->ports.front().targetPort.number) target = *svc->ports.front().targetPort.number;
        const std::string depName = svc->selector.count("app") ? svc->selector.at("app") : name;
        const auto selector = svc->selector;
        QuickFix f;
        f.id = QStringLiteral("create-deployment");
        f.title = QObject::tr("Create a Deployment for Service '%1'").arg(q(name));
        f.apply = [depName, ns, target, selector](WorkspaceDocument& doc) {
            YAML::Node d = templates::deployment(templates::uniqueName(doc.workspace(), "Deployment", ns, depName), ns,
                                                 "registry.example.com/" + depName + ":1.0", target);
            d["spec"]["selector"]["matchLabels"] = YAML::Node(YAML::NodeType::Map);
            d["spec"]["template"]["metadata"]["labels"] = YAML::Node(YAML::NodeType::Map);
            for (const auto& [k, v] : selector) {
                d["spec"]["selector"]["matchLabels"][k] = yamltext::stringNode(v);
                d["spec"]["template"]["metadata"]["labels"][k] = yamltext::stringNode(v);
            }
            return doc.appendResource(d, QObject::tr("Create Deployment %1").arg(q(depName))) >= 0;
        };
        out.push_back(std::move(f));
    }
}

// Replaces (or adds) a TLS Secret with a fresh self-signed certificate for `hosts`.
bool writeTlsSecret(WorkspaceDocument& doc, const std::string& ns, const std::string& name, const std::vector<std::string>& hosts) {
    tls::SelfSignedRequest req;
    req.commonName = hosts.empty() ? name : hosts.front();
    req.dnsNames = hosts;
    req.keyType = tls::SelfSignedRequest::KeyType::EcP256;
    req.validityDays = 365;
    auto pair = tls::generateSelfSigned(req);
    if (!pair) return false;
    YAML::Node secret = templates::tlsSecret(name, ns, pair->certPem, pair->keyPem);
    const int existing = doc.indexOf("Secret", ns, name);
    if (existing >= 0) {
        return doc.editResource(existing, [&](YAML::Node& n) {
            n["type"] = "kubernetes.io/tls";
            n.remove("stringData");
            n["data"] = secret["data"];
            return true;
        }, QObject::tr("Regenerate TLS Secret %1").arg(q(name)));
    }
    return doc.appendResource(secret, QObject::tr("Create TLS Secret %1").arg(q(name))) >= 0;
}

void addTlsFixes(const model::Workspace& ws, const model::Ingress& ing, int idx, std::vector<QuickFix>& out) {
    if (idx < 0 || idx >= static_cast<int>(ing.spec.tls.size())) return;
    const auto& entry = ing.spec.tls[static_cast<std::size_t>(idx)];
    if (!entry.secretName || entry.secretName->empty()) return;
    std::vector<std::string> hosts = entry.hosts;
    if (hosts.empty())
        for (const auto& r : ing.spec.rules)
            if (r.host && !r.host->empty()) hosts.push_back(*r.host);
    const std::string ns = ing.meta.ns, name = *entry.secretName;
    const model::Secret* secret = ws.secret(ns, name);
    bool needsRegenerate = false;
    if (secret) {
        auto info = tls::inspectCertificate(secret->tlsCert(), secret->tlsKey());
        if (!info || !secret->isTls()) needsRegenerate = true;
        else {
            for (const auto& h : hosts) needsRegenerate = needsRegenerate || !tls::certificateCovers(*info, h);
            needsRegenerate = needsRegenerate || info->isExpiredAt(std::time(nullptr)) || info->keyMatches == std::optional<bool>(false);
        }
        if (!needsRegenerate) return;
    }
    QString hostList;
    for (const auto& h : hosts) hostList += (hostList.isEmpty() ? QString() : QStringLiteral(", ")) + q(h);
    QuickFix f;
    f.id = secret ? QStringLiteral("regenerate-tls-secret") : QStringLiteral("create-tls-secret");
    f.title = secret ? QObject::tr("Regenerate TLS Secret '%1' (self-signed for %2)").arg(q(name), hostList)
                     : QObject::tr("Create TLS Secret '%1' (self-signed for %2)").arg(q(name), hostList);
    f.apply = [ns, name, hosts](WorkspaceDocument& doc) { return writeTlsSecret(doc, ns, name, hosts); };
    out.push_back(std::move(f));
}

void addPathTypeFixes(int resIdx, const model::Ingress& ing, const std::string& field, std::vector<QuickFix>& out) {
    int r = -1, p = -1;
    if (!pathIndexes(field, &r, &p)) return;
    if (r >= static_cast<int>(ing.spec.rules.size()) || !ing.spec.rules[static_cast<std::size_t>(r)].http) return;
    const auto& paths = ing.spec.rules[static_cast<std::size_t>(r)].http->paths;
    if (p >= static_cast<int>(paths.size()) || paths[static_cast<std::size_t>(p)].pathType) return;
    const std::string fieldPath = "spec.rules[" + std::to_string(r) + "].http.paths[" + std::to_string(p) + "].pathType";
    const std::string name = ing.meta.name, ns = ing.meta.ns;
    for (const char* type : {"Prefix", "Exact"}) {
        QuickFix f;
        f.id = QStringLiteral("add-path-type");
        f.title = QObject::tr("Add pathType: %1").arg(QLatin1String(type));
        const std::string t = type;
        f.apply = [fieldPath, t, name, ns](WorkspaceDocument& doc) {
            const int idx = doc.indexOf("Ingress", ns, name);
            if (idx < 0) return false;
            return doc.editResource(idx, [&](YAML::Node& n) { return yamltext::setAt(n, fieldPath, YAML::Node(t)); },
                                    QObject::tr("Add pathType %1").arg(q(t)));
        };
        out.push_back(std::move(f));
    }
    (void)resIdx;
}

// "a: 90%\nb: 10%" (or "a: 90, b: 10") -> [(a,90),(b,10)]
std::vector<std::pair<std::string, double>> parseWeights(const std::string& value) {
    std::vector<std::pair<std::string, double>> out;
    static const std::regex item(R"(([A-Za-z0-9.\-]+)\s*:\s*([0-9]+(?:\.[0-9]+)?)\s*%?)");
    for (auto it = std::sregex_iterator(value.begin(), value.end(), item); it != std::sregex_iterator(); ++it)
        out.emplace_back((*it)[1].str(), std::stod((*it)[2].str()));
    return out;
}

void addServiceWeightsFix(const model::Ingress& ing, std::vector<QuickFix>& out) {
    std::string key, value;
    for (const char* k : SERVICE_WEIGHTS_KEYS)
        if (ing.meta.hasAnnotation(k)) {
            key = k;
            value = ing.meta.annotation(k);
        }
    if (key.empty()) return;
    auto weights = parseWeights(value);
    if (weights.size() != 2) return;  // ingress-nginx honours one canary per upstream
    auto primary = weights[0], canary = weights[1];
    if (canary.second > primary.second) std::swap(primary, canary);
    const int canaryWeight = static_cast<int>(canary.second + 0.5);
    const std::string name = ing.meta.name, ns = ing.meta.ns;
    QuickFix f;
    f.id = QStringLiteral("service-weights-to-canary");
    f.title = QObject::tr("Convert service-weights into an ingress-nginx canary Ingress (%1 → %2 %)")
                  .arg(q(canary.first)).arg(canaryWeight);
    f.apply = [=](WorkspaceDocument& doc) {
        const int idx = doc.indexOf("Ingress", ns, name);
        if (idx < 0) return false;
        const model::Resource* res = doc.resource(idx);
        YAML::Node canaryNode = YAML::Clone(res->node);
        // the canary: same hosts and paths, only the canary Service's backends, canary annotations
        canaryNode["metadata"]["name"] = templates::uniqueName(doc.workspace(), "Ingress", ns, name + "-canary");
        canaryNode["metadata"].remove("uid");
        canaryNode["metadata"].remove("creationTimestamp");
        YAML::Node anns(YAML::NodeType::Map);
        anns[CANARY] = yamltext::stringNode("true");
        anns[CANARY_WEIGHT] = yamltext::stringNode(std::to_string(canaryWeight));
        canaryNode["metadata"]["annotations"] = anns;
        canaryNode["spec"].remove("tls");
        canaryNode["spec"].remove("defaultBackend");
        auto filterPaths = [](YAML::Node spec, const std::string& keepService) {
            YAML::Node rules = spec["rules"];
            if (!rules.IsSequence()) return;
            for (std::size_t r = 0; r < rules.size(); ++r) {
                YAML::Node paths = rules[r]["http"]["paths"];
                if (!paths.IsSequence()) continue;
                YAML::Node kept(YAML::NodeType::Sequence);
                for (std::size_t p = 0; p < paths.size(); ++p) {
                    YAML::Node svc = paths[p]["backend"]["service"]["name"];
                    if (!svc.IsScalar() || svc.Scalar() == keepService) kept.push_back(paths[p]);
                }
                rules[r]["http"]["paths"] = kept;
            }
        };
        filterPaths(canaryNode["spec"], canary.first);
        doc.undoStack()->beginMacro(QObject::tr("Convert service-weights to a canary Ingress"));
        bool ok = doc.editResource(idx, [&](YAML::Node& n) {
            n["metadata"]["annotations"].remove(key);
            if (n["metadata"]["annotations"].size() == 0) n["metadata"].remove("annotations");
            filterPaths(n["spec"], primary.first);
            return true;
        }, QObject::tr("Remove service-weights"));
        ok = ok && doc.appendResource(canaryNode, QObject::tr("Add canary Ingress")) >= 0;
        doc.undoStack()->endMacro();
        return ok;
    };
    out.push_back(std::move(f));
}

}  // namespace

bool parseObjectRef(const std::string& object, std::string* kind, std::string* ns, std::string* name) {
    const auto space = object.find(' ');
    const auto slash = object.find('/', space == std::string::npos ? 0 : space);
    if (space == std::string::npos || slash == std::string::npos) return false;
    *kind = object.substr(0, space);
    *ns = object.substr(space + 1, slash - space - 1);
    *name = object.substr(slash + 1);
    return true;
}

std::vector<QuickFix> quickFixesFor(const Diagnostic& diag, const model::Workspace& ws) {
    std::vector<QuickFix> out;
    std::string kind, ns, name;
    if (!parseObjectRef(diag.object, &kind, &ns, &name)) return out;
    const model::Resource* res = ws.find(kind, ns, name);
    if (!res) return out;
    if (const auto* ing = res->as<model::Ingress>()) {
        if (const model::IngressBackend* b = backendAt(*ing, diag.field); b && b->service)
            addServiceFixes(ws, ns, *b->service, out, res, backendFieldOf(diag.field));
        int t = -1;
        if (tlsIndex(diag.field, &t)) addTlsFixes(ws, *ing, t, out);
        if (diag.field.find("pathType") != std::string::npos || diag.code == DiagCode::Required) {
            int idx = 0;
            for (std::size_t i = 0; i < ws.resources.size(); ++i)
                if (&ws.resources[i] == res) idx = static_cast<int>(i);
            addPathTypeFixes(idx, *ing, diag.field, out);
        }
        if (diag.field.find("service-weights") != std::string::npos) addServiceWeightsFix(*ing, out);
    } else if (const auto* svc = res->as<model::Service>()) {
        model::IngressServiceBackend sb;
        sb.name = svc->meta.name;
        addServiceFixes(ws, ns, sb, out);
    } else if (const auto* secret = res->as<model::Secret>()) {
        // a Secret diagnostic: regenerate for the hosts of the Ingresses that use it
        for (const auto* ing : ws.all<model::Ingress>()) {
            if (ing->meta.ns != ns) continue;
            for (std::size_t i = 0; i < ing->spec.tls.size(); ++i)
                if (ing->spec.tls[i].secretName == secret->meta.name) {
                    std::vector<QuickFix> fixes;
                    addTlsFixes(ws, *ing, static_cast<int>(i), fixes);
                    if (!fixes.empty()) return fixes;
                }
        }
    }
    return out;
}

}  // namespace ilab::ui
