#include "core/yaml/yaml_reader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <QByteArray>
#include <QFile>

#include "core/common/display_text.h"
#include "core/common/field_path.h"
#include "core/yaml/document_checks.h"
#include "core/yaml/node_access.h"

namespace ilab::yaml {

namespace fs = std::filesystem;
using model::Resource;

namespace {

// ---- source positions -------------------------------------------------------------------------

void recordPositions(const YAML::Node& n, const FieldPath& path, const std::string& file, int lineOffset,
                     std::map<std::string, SourcePos>& out, int depth = 0) {
    if (!n.IsDefined() || depth > 64) return;
    const YAML::Mark m = n.Mark();
    if (m.line >= 0 && !path.empty()) out[path.toString()] = SourcePos{file, m.line + 1 + lineOffset, m.column + 1};
    if (n.IsMap()) {
        for (auto it = n.begin(); it != n.end(); ++it) {
            std::string key;
            try {
                key = it->first.Scalar();
            } catch (...) {
                continue;
            }
            // metadata.labels / annotations and data-like maps use [key]; everything else .child
            const std::string& p = path.toString();
            bool keyed = (p.ends_with("labels") || p.ends_with("annotations") || p.ends_with("selector") ||
                                           p.ends_with("matchLabels") || p == "data" || p == "stringData");
            FieldPath child = keyed ? path.key(key) : path.child(key);
            recordPositions(it->second, child, file, lineOffset, out, depth + 1);
        }
    } else if (n.IsSequence()) {
        for (std::size_t i = 0; i < n.size(); ++i) recordPositions(n[i], path.index(i), file, lineOffset, out, depth + 1);
    }
}

// ---- typed parsing ----------------------------------------------------------------------------

struct Ctx {
    Diagnostics* diags;
    std::string object;
    const model::SourceInfo* src;

    void typeError(const FieldPath& p, const std::string& detail, const std::string& bad = {}) const {
        if (!diags) return;
        Diagnostic d;
        d.severity = Severity::Error;
        d.code = DiagCode::TypeInvalid;
        d.object = object;
        d.field = p.toString();
        if (!bad.empty()) d.badValue = bad;
        d.detail = detail;
        d.pos = src->find(p.toString());
        d.rule = "decode";
        diags->push_back(std::move(d));
    }
};

bool isQuoted(const YAML::Node& n) { return n.Tag() == "!"; }

std::string describe(const YAML::Node& n) {
    if (n.IsMap()) return "object";
    if (n.IsSequence()) return "array";
    if (n.IsNull()) return "null";
    return "string";
}

std::optional<std::string> str(const YAML::Node& parent, const char* key, const FieldPath& p, const Ctx& c) {
    YAML::Node n = get(parent, key);
    if (!n.IsDefined() || n.IsNull()) return std::nullopt;
    if (!n.IsScalar()) {
        c.typeError(p.child(key), "expected a string, got " + describe(n));
        return std::nullopt;
    }
    return n.Scalar();
}

std::optional<int> integer(const YAML::Node& parent, const char* key, const FieldPath& p, const Ctx& c) {
    YAML::Node n = get(parent, key);
    if (!n.IsDefined() || n.IsNull()) return std::nullopt;
    if (!n.IsScalar() || isQuoted(n)) {
        c.typeError(p.child(key), "expected an integer, got " + describe(n), n.IsScalar() ? n.Scalar() : "");
        return std::nullopt;
    }
    const std::string& s = n.Scalar();
    try {
        std::size_t used = 0;
        long long v = std::stoll(s, &used, 10);
        if (used != s.size() || v < INT32_MIN || v > INT32_MAX) throw std::invalid_argument("x");
        return static_cast<int>(v);
    } catch (...) {
        c.typeError(p.child(key), "expected an integer", s);
        return std::nullopt;
    }
}

std::map<std::string, std::string> strMap(const YAML::Node& parent, const char* key, const FieldPath& p, const Ctx& c) {
    std::map<std::string, std::string> out;
    YAML::Node n = get(parent, key);
    if (!n.IsDefined() || n.IsNull()) return out;
    if (!n.IsMap()) {
        c.typeError(p.child(key), "expected a map of strings, got " + describe(n));
        return out;
    }
    for (auto it = n.begin(); it != n.end(); ++it) {
        if (!it->first.IsScalar()) continue;
        const std::string k = it->first.Scalar();
        if (it->second.IsNull()) {
            out[k] = "";
        } else if (it->second.IsScalar()) {
            out[k] = it->second.Scalar();
        } else {
            c.typeError(p.child(key).key(k), "expected a string, got " + describe(it->second));
        }
    }
    return out;
}

YAML::Node mapAt(const YAML::Node& parent, const char* key, const FieldPath& p, const Ctx& c) {
    YAML::Node n = get(parent, key);
    if (!n.IsDefined() || n.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
    if (!n.IsMap()) {
        c.typeError(p.child(key), "expected an object, got " + describe(n));
        return YAML::Node(YAML::NodeType::Undefined);
    }
    return n;
}

YAML::Node seqAt(const YAML::Node& parent, const char* key, const FieldPath& p, const Ctx& c) {
    YAML::Node n = get(parent, key);
    if (!n.IsDefined() || n.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
    if (!n.IsSequence()) {
        c.typeError(p.child(key), "expected an array, got " + describe(n));
        return YAML::Node(YAML::NodeType::Undefined);
    }
    return n;
}

model::ObjectMeta parseMeta(const YAML::Node& doc, const Ctx& c) {
    model::ObjectMeta m;
    FieldPath p("metadata");
    YAML::Node md = mapAt(doc, "metadata", FieldPath(), c);
    if (!md.IsDefined()) return m;
    m.name = str(md, "name", p, c).value_or("");
    if (auto ns = str(md, "namespace", p, c); ns && !ns->empty()) {
        m.ns = *ns;
        m.isNamespaceSet = true;
    }
    m.labels = strMap(md, "labels", p, c);
    m.annotations = strMap(md, "annotations", p, c);
    m.creationTimestamp = str(md, "creationTimestamp", p, c);
    m.uid = str(md, "uid", p, c);
    return m;
}

model::IngressBackend parseBackend(const YAML::Node& n, const FieldPath& p, const Ctx& c) {
    model::IngressBackend b;
    if (YAML::Node s = mapAt(n, "service", p, c); s.IsDefined()) {
        model::IngressServiceBackend sb;
        FieldPath sp = p.child("service");
        sb.name = str(s, "name", sp, c).value_or("");
        if (YAML::Node port = mapAt(s, "port", sp, c); port.IsDefined()) {
            FieldPath pp = sp.child("port");
            sb.port.number = integer(port, "number", pp, c);
            sb.port.name = str(port, "name", pp, c);
        }
        b.service = sb;
    }
    if (YAML::Node r = mapAt(n, "resource", p, c); r.IsDefined()) {
        model::TypedLocalObjectReference ref;
        FieldPath rp = p.child("resource");
        ref.apiGroup = str(r, "apiGroup", rp, c);
        ref.kind = str(r, "kind", rp, c).value_or("");
        ref.name = str(r, "name", rp, c).value_or("");
        b.resource = ref;
    }
    return b;
}

std::vector<std::string> strList(const YAML::Node& parent, const char* key, const FieldPath& p, const Ctx& c) {
    std::vector<std::string> out;
    YAML::Node n = seqAt(parent, key, p, c);
    if (!n.IsDefined()) return out;
    for (std::size_t i = 0; i < n.size(); ++i) {
        if (n[i].IsScalar()) out.push_back(n[i].Scalar());
        else if (n[i].IsNull()) out.emplace_back();
        else c.typeError(p.child(key).index(i), "expected a string, got " + describe(n[i]));
    }
    return out;
}

model::Ingress parseIngress(const YAML::Node& doc, const model::ObjectMeta& meta, const Ctx& c) {
    model::Ingress ing;
    ing.meta = meta;
    FieldPath sp("spec");
    YAML::Node spec = mapAt(doc, "spec", FieldPath(), c);
    if (spec.IsDefined()) {
        ing.spec.ingressClassName = str(spec, "ingressClassName", sp, c);
        if (YAML::Node db = mapAt(spec, "defaultBackend", sp, c); db.IsDefined())
            ing.spec.defaultBackend = parseBackend(db, sp.child("defaultBackend"), c);
        if (YAML::Node rules = seqAt(spec, "rules", sp, c); rules.IsDefined()) {
            ing.spec.hasRules = true;
            for (std::size_t i = 0; i < rules.size(); ++i) {
                FieldPath rp = sp.child("rules").index(i);
                model::IngressRule rule;
                if (!rules[i].IsMap()) {
                    if (!rules[i].IsNull()) c.typeError(rp, "expected an object, got " + describe(rules[i]));
                    ing.spec.rules.push_back(rule);
                    continue;
                }
                rule.host = str(rules[i], "host", rp, c);
                if (YAML::Node http = get(rules[i], "http"); http.IsDefined()) {
                    model::HTTPIngressRuleValue hv;
                    if (http.IsMap()) {
                        FieldPath hp = rp.child("http");
                        if (YAML::Node paths = seqAt(http, "paths", hp, c); paths.IsDefined()) {
                            for (std::size_t j = 0; j < paths.size(); ++j) {
                                FieldPath pp = hp.child("paths").index(j);
                                model::HTTPIngressPath path;
                                if (!paths[j].IsMap()) {
                                    c.typeError(pp, "expected an object, got " + describe(paths[j]));
                                    hv.paths.push_back(path);
                                    continue;
                                }
                                path.path = str(paths[j], "path", pp, c);
                                path.pathType = str(paths[j], "pathType", pp, c);
                                if (YAML::Node be = mapAt(paths[j], "backend", pp, c); be.IsDefined()) {
                                    path.backend = parseBackend(be, pp.child("backend"), c);
                                    path.hasBackend = true;
                                }
                                hv.paths.push_back(std::move(path));
                            }
                        }
                    } else if (!http.IsNull()) {
                        c.typeError(rp.child("http"), "expected an object, got " + describe(http));
                    }
                    rule.http = std::move(hv);
                }
                ing.spec.rules.push_back(std::move(rule));
            }
        }
        if (YAML::Node tls = seqAt(spec, "tls", sp, c); tls.IsDefined()) {
            for (std::size_t i = 0; i < tls.size(); ++i) {
                FieldPath tp = sp.child("tls").index(i);
                model::IngressTLS t;
                if (tls[i].IsMap()) {
                    t.hosts = strList(tls[i], "hosts", tp, c);
                    t.secretName = str(tls[i], "secretName", tp, c);
                } else if (!tls[i].IsNull()) {
                    c.typeError(tp, "expected an object, got " + describe(tls[i]));
                }
                ing.spec.tls.push_back(std::move(t));
            }
        }
    }
    if (YAML::Node st = get(doc, "status"); st.IsMap()) {
        YAML::Node lb = get(st, "loadBalancer");
        if (lb.IsMap() && get(lb, "ingress").IsSequence()) {
            for (const auto& e : get(lb, "ingress")) {
                if (!e.IsMap()) continue;
                model::IngressLoadBalancerIngress x;
                if (get(e, "ip").IsScalar()) x.ip = get(e, "ip").Scalar();
                if (get(e, "hostname").IsScalar()) x.hostname = get(e, "hostname").Scalar();
                ing.status.push_back(x);
            }
        }
    }
    return ing;
}

model::IntOrString intOrString(const YAML::Node& parent, const char* key) {
    model::IntOrString v;
    YAML::Node n = get(parent, key);
    if (!n.IsDefined() || !n.IsScalar()) return v;
    const std::string& s = n.Scalar();
    if (!isQuoted(n) && !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) &&
        s.size() < 10)
        v.number = std::stoi(s);
    else
        v.name = s;
    return v;
}

model::Service parseService(const YAML::Node& doc, const model::ObjectMeta& meta, const Ctx& c) {
    model::Service s;
    s.meta = meta;
    FieldPath sp("spec");
    YAML::Node spec = mapAt(doc, "spec", FieldPath(), c);
    if (!spec.IsDefined()) return s;
    s.type = str(spec, "type", sp, c).value_or("ClusterIP");
    if (get(spec, "selector").IsDefined() && !get(spec, "selector").IsNull()) {
        s.selector = strMap(spec, "selector", sp, c);
        s.hasSelector = !s.selector.empty();
    }
    s.externalName = str(spec, "externalName", sp, c);
    if (YAML::Node ports = seqAt(spec, "ports", sp, c); ports.IsDefined()) {
        for (std::size_t i = 0; i < ports.size(); ++i) {
            FieldPath pp = sp.child("ports").index(i);
            if (!ports[i].IsMap()) {
                c.typeError(pp, "expected an object, got " + describe(ports[i]));
                continue;
            }
            model::ServicePort port;
            port.name = str(ports[i], "name", pp, c).value_or("");
            port.port = integer(ports[i], "port", pp, c).value_or(0);
            port.targetPort = intOrString(ports[i], "targetPort");
            port.protocol = str(ports[i], "protocol", pp, c).value_or("TCP");
            port.appProtocol = str(ports[i], "appProtocol", pp, c);
            s.ports.push_back(std::move(port));
        }
    }
    return s;
}

std::vector<model::EndpointPort> parseEndpointPorts(const YAML::Node& parent, const FieldPath& p, const Ctx& c) {
    std::vector<model::EndpointPort> out;
    YAML::Node ports = seqAt(parent, "ports", p, c);
    if (!ports.IsDefined()) return out;
    for (std::size_t i = 0; i < ports.size(); ++i) {
        if (!ports[i].IsMap()) continue;
        FieldPath pp = p.child("ports").index(i);
        model::EndpointPort ep;
        ep.name = str(ports[i], "name", pp, c).value_or("");
        ep.port = integer(ports[i], "port", pp, c).value_or(0);
        ep.protocol = str(ports[i], "protocol", pp, c).value_or("TCP");
        out.push_back(ep);
    }
    return out;
}

model::Endpoints parseEndpoints(const YAML::Node& doc, const model::ObjectMeta& meta, const Ctx& c) {
    model::Endpoints e;
    e.meta = meta;
    FieldPath root;
    YAML::Node subsets = seqAt(doc, "subsets", root, c);
    if (!subsets.IsDefined()) return e;
    for (std::size_t i = 0; i < subsets.size(); ++i) {
        if (!subsets[i].IsMap()) continue;
        FieldPath sp = root.child("subsets").index(i);
        model::EndpointSubset sub;
        for (const char* key : {"addresses", "notReadyAddresses"}) {
            YAML::Node addrs = seqAt(subsets[i], key, sp, c);
            if (!addrs.IsDefined()) continue;
            for (std::size_t j = 0; j < addrs.size(); ++j) {
                if (!addrs[j].IsMap()) continue;
                model::EndpointAddress a;
                a.ip = str(addrs[j], "ip", sp.child(key).index(j), c).value_or("");
                a.hostname = str(addrs[j], "hostname", sp.child(key).index(j), c);
                a.ready = std::string(key) == "addresses";
                sub.addresses.push_back(a);
            }
        }
        sub.ports = parseEndpointPorts(subsets[i], sp, c);
        e.subsets.push_back(std::move(sub));
    }
    return e;
}

model::EndpointSlice parseEndpointSlice(const YAML::Node& doc, const model::ObjectMeta& meta, const Ctx& c) {
    model::EndpointSlice s;
    s.meta = meta;
    FieldPath root;
    s.addressType = str(doc, "addressType", root, c).value_or("IPv4");
    if (YAML::Node eps = seqAt(doc, "endpoints", root, c); eps.IsDefined()) {
        for (std::size_t i = 0; i < eps.size(); ++i) {
            if (!eps[i].IsMap()) continue;
            FieldPath ep = root.child("endpoints").index(i);
            auto addrs = strList(eps[i], "addresses", ep, c);
            bool ready = true;
            if (YAML::Node cond = get(eps[i], "conditions"); cond.IsMap() && get(cond, "ready").IsScalar())
                ready = get(cond, "ready").Scalar() != "false";
            for (const auto& ip : addrs) s.endpoints.push_back(model::EndpointAddress{ip, str(eps[i], "hostname", ep, c), ready});
        }
    }
    s.ports = parseEndpointPorts(doc, root, c);
    return s;
}

model::Deployment parseDeployment(const YAML::Node& doc, const model::ObjectMeta& meta, const Ctx& c) {
    model::Deployment d;
    d.meta = meta;
    FieldPath sp("spec");
    YAML::Node spec = mapAt(doc, "spec", FieldPath(), c);
    if (!spec.IsDefined()) return d;
    if (auto r = integer(spec, "replicas", sp, c)) {
        d.replicas = *r;
        d.isReplicasSet = true;
    }
    if (YAML::Node sel = mapAt(spec, "selector", sp, c); sel.IsDefined())
        d.selector = strMap(sel, "matchLabels", sp.child("selector"), c);
    YAML::Node tpl = mapAt(spec, "template", sp, c);
    if (!tpl.IsDefined()) return d;
    FieldPath tp = sp.child("template");
    if (YAML::Node tm = mapAt(tpl, "metadata", tp, c); tm.IsDefined()) {
        d.templateLabels = strMap(tm, "labels", tp.child("metadata"), c);
        d.templateAnnotations = strMap(tm, "annotations", tp.child("metadata"), c);
    }
    YAML::Node ps = mapAt(tpl, "spec", tp, c);
    if (!ps.IsDefined()) return d;
    FieldPath pp = tp.child("spec");
    YAML::Node containers = seqAt(ps, "containers", pp, c);
    if (!containers.IsDefined()) return d;
    for (std::size_t i = 0; i < containers.size(); ++i) {
        if (!containers[i].IsMap()) continue;
        FieldPath cp = pp.child("containers").index(i);
        model::Container ct;
        ct.name = str(containers[i], "name", cp, c).value_or("");
        ct.image = str(containers[i], "image", cp, c).value_or("");
        if (YAML::Node ports = seqAt(containers[i], "ports", cp, c); ports.IsDefined()) {
            for (std::size_t j = 0; j < ports.size(); ++j) {
                if (!ports[j].IsMap()) continue;
                FieldPath portp = cp.child("ports").index(j);
                model::ContainerPort port;
                port.name = str(ports[j], "name", portp, c).value_or("");
                port.containerPort = integer(ports[j], "containerPort", portp, c).value_or(0);
                port.protocol = str(ports[j], "protocol", portp, c).value_or("TCP");
                ct.ports.push_back(port);
            }
        }
        d.containers.push_back(std::move(ct));
    }
    return d;
}

model::Secret parseSecret(const YAML::Node& doc, const model::ObjectMeta& meta, const Ctx& c) {
    model::Secret s;
    s.meta = meta;
    FieldPath root;
    s.type = str(doc, "type", root, c).value_or("Opaque");
    for (const auto& [k, v] : strMap(doc, "data", root, c)) {
        QByteArray raw = QByteArray::fromStdString(v);
        raw.replace('\n', "").replace(' ', "");
        auto decoded = QByteArray::fromBase64Encoding(raw, QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded) {
            c.typeError(FieldPath("data").key(k), "illegal base64 data", v.size() > 40 ? v.substr(0, 40) + "..." : v);
            continue;
        }
        s.data[k] = decoded.decoded.toStdString();
    }
    for (const auto& [k, v] : strMap(doc, "stringData", root, c)) s.data[k] = v;
    return s;
}

model::ConfigMap parseConfigMap(const YAML::Node& doc, const model::ObjectMeta& meta, const Ctx& c) {
    model::ConfigMap m;
    m.meta = meta;
    m.data = strMap(doc, "data", FieldPath(), c);
    return m;
}

model::IngressClass parseIngressClass(const YAML::Node& doc, const model::ObjectMeta& meta, const Ctx& c) {
    model::IngressClass ic;
    ic.meta = meta;
    if (YAML::Node spec = mapAt(doc, "spec", FieldPath(), c); spec.IsDefined())
        ic.controller = str(spec, "controller", FieldPath("spec"), c).value_or("");
    return ic;
}

// ---- v1beta1 -> v1 ------------------------------------------------------------------------------

YAML::Node convertBackend(const YAML::Node& old) {
    YAML::Node b(YAML::NodeType::Map);
    if (get(old, "serviceName").IsDefined()) {
        YAML::Node svc(YAML::NodeType::Map);
        svc["name"] = get(old, "serviceName");
        YAML::Node port(YAML::NodeType::Map);
        YAML::Node sp = get(old, "servicePort");
        if (sp.IsScalar()) {
            const std::string& v = sp.Scalar();
            bool numeric = !v.empty() && std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
            if (numeric && sp.Tag() != "!") port["number"] = sp;
            else port["name"] = v;
        }
        svc["port"] = port;
        b["service"] = svc;
    }
    if (get(old, "resource").IsDefined()) b["resource"] = get(old, "resource");
    return b;
}

// Converts an extensions/v1beta1 or networking.k8s.io/v1beta1 Ingress node in place.
// Returns the list of field-path aliases (new path -> old path) so positions still point at what was written.
std::vector<std::pair<std::string, std::string>> convertBetaIngress(YAML::Node& doc) {
    std::vector<std::pair<std::string, std::string>> aliases;
    doc["apiVersion"] = "networking.k8s.io/v1";
    YAML::Node spec = get(doc, "spec");
    if (!spec.IsMap()) return aliases;
    YAML::Node newSpec(YAML::NodeType::Map);
    for (auto it = spec.begin(); it != spec.end(); ++it) {
        const std::string key = it->first.Scalar();
        if (key == "backend") {
            newSpec["defaultBackend"] = convertBackend(it->second);
            aliases.emplace_back("spec.defaultBackend", "spec.backend");
            aliases.emplace_back("spec.defaultBackend.service.name", "spec.backend.serviceName");
            aliases.emplace_back("spec.defaultBackend.service.port", "spec.backend.servicePort");
        } else {
            newSpec[key] = it->second;
        }
    }
    YAML::Node rules = get(newSpec, "rules");
    if (rules.IsSequence()) {
        for (std::size_t i = 0; i < rules.size(); ++i) {
            YAML::Node paths = get(get(rules[i], "http"), "paths");
            if (!rules[i].IsMap() || !get(rules[i], "http").IsMap() || !paths.IsSequence()) continue;
            for (std::size_t j = 0; j < paths.size(); ++j) {
                YAML::Node p = paths[j];
                if (!p.IsMap()) continue;
                const std::string base = "spec.rules[" + std::to_string(i) + "].http.paths[" + std::to_string(j) + "]";
                if (get(p, "backend").IsMap() && get(get(p, "backend"), "serviceName").IsDefined()) {
                    p["backend"] = convertBackend(get(p, "backend"));
                    aliases.emplace_back(base + ".backend.service.name", base + ".backend.serviceName");
                    aliases.emplace_back(base + ".backend.service.port", base + ".backend.servicePort");
                    aliases.emplace_back(base + ".backend.service.port.number", base + ".backend.servicePort");
                    aliases.emplace_back(base + ".backend.service.port.name", base + ".backend.servicePort");
                }
                if (!get(p, "pathType").IsDefined()) {
                    p["pathType"] = "ImplementationSpecific";
                    aliases.emplace_back(base + ".pathType", base);
                }
            }
        }
    }
    doc["spec"] = newSpec;
    return aliases;
}

bool isBetaIngress(const YAML::Node& doc) {
    if (!get(doc, "kind").IsScalar() || get(doc, "kind").Scalar() != "Ingress" || !get(doc, "apiVersion").IsScalar()) return false;
    const std::string& v = get(doc, "apiVersion").Scalar();
    return v == "extensions/v1beta1" || v == "networking.k8s.io/v1beta1";
}

// ---- documents ------------------------------------------------------------------------------------

struct RawDoc {
    std::string text;
    int firstLine = 0;  // 0-based line of the document's first line in the file
};

// Splits a YAML stream at "---" lines. Parsing each document on its own keeps the good documents of a
// file when one of them is broken (nothing the user wrote is lost).
std::vector<RawDoc> splitDocuments(const std::string& text) {
    std::vector<RawDoc> docs;
    RawDoc cur;
    int line = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t nl = text.find('\n', pos);
        std::string l = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        bool sep = l.rfind("---", 0) == 0 && (l.size() == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r');
        bool end = l.rfind("...", 0) == 0 && (l.size() == 3 || l[3] == ' ' || l[3] == '\r');
        if (sep || end) {
            docs.push_back(cur);
            cur = RawDoc{};
            cur.firstLine = line + 1;
            if (sep && l.size() > 4) {  // "--- {inline: doc}" keeps its content on the separator line
                cur.text = std::string(4, ' ') + l.substr(4) + "\n";
                cur.firstLine = line;
            }
        } else {
            cur.text += l;
            cur.text += '\n';
        }
        if (nl == std::string::npos) break;
        pos = nl + 1;
        ++line;
    }
    docs.push_back(cur);
    return docs;
}

bool isBlank(const std::string& text) {
    std::istringstream in(text);
    std::string l;
    while (std::getline(in, l)) {
        auto first = l.find_first_not_of(" \t\r");
        if (first == std::string::npos || l[first] == '#') continue;
        if (l.compare(first, 3, "%YA") == 0 || l.compare(first, 4, "%TAG") == 0) continue;
        return false;
    }
    return true;
}

void addSyntaxError(model::Workspace& ws, const std::string& file, int line, int col, const std::string& what) {
    Diagnostic d;
    d.severity = Severity::Error;
    d.code = DiagCode::Syntax;
    d.detail = what;
    d.pos = SourcePos{file, line, col};
    d.rule = "yaml-syntax";
    ws.loadDiagnostics.push_back(std::move(d));
}

// Kinds of core Kubernetes (and common add-ons) that play no part in routing: kept and exported as written,
// noted as Info so that a typo in a kind that matters (Ingres, Servce) still stands out as a warning.
bool isKnownOtherKind(const std::string& kind) {
    static const std::set<std::string> KINDS = {
        "Namespace", "Pod", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ServiceAccount", "Role",
        "RoleBinding", "ClusterRole", "ClusterRoleBinding", "NetworkPolicy", "HorizontalPodAutoscaler",
        "PodDisruptionBudget", "PersistentVolumeClaim", "PersistentVolume", "StorageClass", "LimitRange",
        "ResourceQuota", "CustomResourceDefinition", "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration", "PriorityClass", "Node", "Event", "Lease", "GatewayClass", "Gateway",
        "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute", "ReferenceGrant", "Certificate", "Issuer",
        "ClusterIssuer"};
    return KINDS.count(kind) > 0;
}

// apiVersions the API server serves for the kinds Ingress Lab reads (an Ingress in "v1" is not an Ingress).
const char* servedVersion(const std::string& kind, const std::string& version) {
    struct Row {
        const char* kind;
        const char* versions[3];
    };
    static const Row ROWS[] = {
        {"Ingress", {"networking.k8s.io/v1", nullptr, nullptr}},
        {"IngressClass", {"networking.k8s.io/v1", nullptr, nullptr}},
        {"Service", {"v1", nullptr, nullptr}},
        {"Endpoints", {"v1", nullptr, nullptr}},
        {"EndpointSlice", {"discovery.k8s.io/v1", "discovery.k8s.io/v1beta1", nullptr}},
        {"Deployment", {"apps/v1", nullptr, nullptr}},
        {"Secret", {"v1", nullptr, nullptr}},
        {"ConfigMap", {"v1", nullptr, nullptr}},
    };
    for (const Row& row : ROWS) {
        if (kind != row.kind) continue;
        for (const char* v : row.versions)
            if (v && version == v) return nullptr;
        return row.versions[0];
    }
    return nullptr;
}

// Missing apiVersion or kind, a kind nobody serves, a known kind in a version that does not exist: the object
// is kept (nothing the user wrote is lost) but the user is told, instead of it silently doing nothing.
void checkKindAndVersion(const Resource& r, model::Workspace& ws) {
    auto add = [&](Severity sev, DiagCode code, const std::string& field, const std::string& detail, const char* rule) {
        Diagnostic d;
        d.severity = sev;
        d.code = code;
        d.object = r.displayName();
        d.field = field;
        d.detail = detail;
        auto it = r.source.fields.find(field);
        d.pos = it != r.source.fields.end() ? it->second : r.source.pos;
        d.rule = rule;
        ws.loadDiagnostics.push_back(std::move(d));
    };
    if (r.kind.empty()) {
        add(Severity::Warning, DiagCode::Required, "kind",
            "Object 'Kind' is missing: kubectl and the API server refuse this object; Ingress Lab keeps it but it plays "
            "no part in routing",
            "missing-kind");
        return;
    }
    if (r.apiVersion.empty()) {
        const char* v = servedVersion(r.kind, "");
        add(Severity::Warning, DiagCode::Required, "apiVersion",
            std::string("apiVersion is missing: kubectl and the API server refuse this object") +
                (v ? std::string(" (") + r.kind + " is " + v + ")" : std::string()),
            "missing-api-version");
        return;
    }
    if (const char* served = servedVersion(r.kind, r.apiVersion)) {
        // v1beta1 Ingresses were converted before this point; anything else is not served
        add(Severity::Warning, DiagCode::NotSupported, "apiVersion",
            "no kind \"" + r.kind + "\" in version \"" + r.apiVersion + "\" (the API server serves " + r.kind +
                " as " + served + "); this object plays no part in routing",
            "unknown-api-version");
        return;
    }
    if (!servedVersion(r.kind, "") && !isKnownOtherKind(r.kind)) {
        add(Severity::Warning, DiagCode::Unknown, "kind",
            "kind \"" + r.kind + "\" (" + r.apiVersion +
                ") is not a Kubernetes kind Ingress Lab knows: it is kept and exported as written but plays no part in "
                "routing (a typo of Ingress, Service, Deployment, Secret or ConfigMap?)",
            "unknown-kind");
    }
}

// Where yaml-cpp's DeepRecursion is reported: it fires at about 500 nested levels.
constexpr int DEEP_NESTING_REPORTED = 400;

// A duplicate mapping key is an error of the object that holds it (found by line), or of the file.
void addDuplicateKey(model::Workspace& ws, const std::string& file, int lineOffset, const DocumentProblem& p,
                     std::size_t firstResource) {
    Diagnostic d;
    d.severity = Severity::Error;
    d.code = DiagCode::Duplicate;
    d.detail = p.message;
    d.pos = SourcePos{file, p.line + 1 + lineOffset, p.column + 1};
    d.rule = "yaml-duplicate-key";
    for (std::size_t i = ws.resources.size(); i-- > firstResource;) {
        const model::Resource& r = ws.resources[i];
        if (r.source.pos.line <= d.pos->line) {
            d.object = r.displayName();
            // positions are recorded for values; a scalar value sits on its key's line
            for (const auto& [path, pos] : r.source.fields)
                if (pos.line == d.pos->line) {
                    d.field = path;
                    break;
                }
            break;
        }
    }
    ws.loadDiagnostics.push_back(std::move(d));
}

void addResource(YAML::Node doc, const std::string& file, int docIndex, int lineOffset, model::Workspace& ws,
                 const std::string& parentPath = {}) {
    if (!doc.IsMap()) {
        Diagnostic d;
        d.severity = Severity::Error;
        d.code = DiagCode::Invalid;
        d.detail = "a Kubernetes object must be a YAML mapping with apiVersion and kind, got a " + describe(doc);
        YAML::Mark m = doc.Mark();
        d.pos = SourcePos{file, (m.line >= 0 ? m.line : 0) + 1 + lineOffset, m.column >= 0 ? m.column + 1 : 1};
        d.field = parentPath;
        d.rule = "not-an-object";
        ws.loadDiagnostics.push_back(std::move(d));
        return;
    }
    // kind: List (kubectl get -o yaml) -> its items
    if (get(doc, "kind").IsScalar() && get(doc, "kind").Scalar() == "List" && get(doc, "items").IsSequence()) {
        YAML::Node items = get(doc, "items");
        for (std::size_t i = 0; i < items.size(); ++i)
            addResource(items[i], file, docIndex, lineOffset, ws, "items[" + std::to_string(i) + "]");
        return;
    }
    Resource r;
    r.source.file = file;
    r.source.documentIndex = docIndex;
    YAML::Mark m = doc.Mark();
    r.source.pos = SourcePos{file, (m.line >= 0 ? m.line : 0) + 1 + lineOffset, m.column >= 0 ? m.column + 1 : 1};

    std::vector<std::pair<std::string, std::string>> aliases;
    std::map<std::string, SourcePos> original;
    if (isBetaIngress(doc)) {
        recordPositions(doc, FieldPath(), file, lineOffset, original);
        const std::string oldVersion = get(doc, "apiVersion").Scalar();
        aliases = convertBetaIngress(doc);
        Diagnostic d;
        d.severity = Severity::Warning;
        d.code = DiagCode::Converted;
        d.field = "apiVersion";
        d.badValue = oldVersion;
        d.detail = "Ingress " + oldVersion + " was removed in Kubernetes 1.22; converted to networking.k8s.io/v1 "
                   "(serviceName/servicePort -> service.name/port, spec.backend -> spec.defaultBackend, "
                   "missing pathType -> ImplementationSpecific)";
        d.pos = original.count("apiVersion") ? original["apiVersion"] : r.source.pos;
        d.rule = "converted-v1beta1";
        r.node = doc;
        Diagnostics tmp;
        reparse(r, &tmp);
        d.object = r.displayName();
        ws.loadDiagnostics.push_back(std::move(d));
    }
    r.node = doc;
    r.creationOrder = static_cast<int>(ws.resources.size());
    Diagnostics diags;
    // positions must exist before typed parsing so type errors carry their line
    recordPositions(doc, FieldPath(), file, lineOffset, r.source.fields);
    for (const auto& [now, was] : aliases) {
        auto it = original.find(was);
        if (it != original.end() && !r.source.fields.count(now)) r.source.fields[now] = it->second;
    }
    reparse(r, &diags);  // positions are already recorded, so type errors carry their line
    ws.loadDiagnostics.insert(ws.loadDiagnostics.end(), diags.begin(), diags.end());
    checkKindAndVersion(r, ws);
    ws.resources.push_back(std::move(r));
}

}  // namespace

void reparse(Resource& r, Diagnostics* diags) {
    const YAML::Node& doc = r.node;
    if (r.source.fields.empty()) recordPositions(doc, FieldPath(), r.source.file, r.source.pos.line > 0 ? r.source.pos.line - 1 : 0, r.source.fields);
    Ctx c{diags, "", &r.source};
    r.apiVersion = get(doc, "apiVersion").IsScalar() ? get(doc, "apiVersion").Scalar() : "";
    r.kind = get(doc, "kind").IsScalar() ? get(doc, "kind").Scalar() : "";
    r.meta = parseMeta(doc, c);
    c.object = r.displayName();
    // creationTimestamp missing: order of appearance is creation order (conformance cases' convention)
    const std::string& k = r.kind;
    const std::string& v = r.apiVersion;
    if (k == "Ingress" && (v == "networking.k8s.io/v1" || v.empty())) r.object = parseIngress(doc, r.meta, c);
    else if (k == "IngressClass") r.object = parseIngressClass(doc, r.meta, c);
    else if (k == "Service" && (v == "v1" || v.empty())) r.object = parseService(doc, r.meta, c);
    else if (k == "Endpoints") r.object = parseEndpoints(doc, r.meta, c);
    else if (k == "EndpointSlice") r.object = parseEndpointSlice(doc, r.meta, c);
    else if (k == "Deployment") r.object = parseDeployment(doc, r.meta, c);
    else if (k == "Secret") r.object = parseSecret(doc, r.meta, c);
    else if (k == "ConfigMap") r.object = parseConfigMap(doc, r.meta, c);
    else r.object = std::monostate{};
}

void readText(const std::string& text, const std::string& fileName, model::Workspace& ws) {
    auto firstNonSpace = text.find_first_not_of(" \t\r\n");
    const bool looksJson = firstNonSpace != std::string::npos && (text[firstNonSpace] == '{' || text[firstNonSpace] == '[');
    std::vector<RawDoc> docs = looksJson ? std::vector<RawDoc>{RawDoc{text, 0}} : splitDocuments(text);
    int docIndex = 0;
    for (const RawDoc& raw : docs) {
        if (isBlank(raw.text)) continue;
        YAML::Node doc;
        try {
            doc = YAML::Load(raw.text);
        } catch (const YAML::DeepRecursion& e) {
            // yaml-cpp says only "bad file", usually at 1:1: say what and where.
            const NestingPosition at = findDeepNesting(raw.text, DEEP_NESTING_REPORTED);
            const int line = (at.found ? at.line : (e.mark.line >= 0 ? e.mark.line + 1 : 1)) + raw.firstLine;
            const int col = at.found ? at.column : (e.mark.column >= 0 ? e.mark.column + 1 : 1);
            addSyntaxError(ws, fileName, line, col,
                           "collections nested more than " + std::to_string(DEEP_NESTING_REPORTED) +
                               " levels deep here; the YAML parser stops at its recursion limit and no Kubernetes "
                               "object is this deep (document skipped)");
            ++docIndex;
            continue;
        } catch (const YAML::Exception& e) {
            const int line = (e.mark.line >= 0 ? e.mark.line : 0) + 1 + raw.firstLine;
            const int col = (e.mark.column >= 0 ? e.mark.column : 0) + 1;
            addSyntaxError(ws, fileName, line, col, e.msg);
            ++docIndex;
            continue;
        } catch (const std::exception& e) {
            addSyntaxError(ws, fileName, raw.firstLine + 1, 1, e.what());
            ++docIndex;
            continue;
        }
        if (!doc.IsDefined() || doc.IsNull()) continue;
        // Bound alias expansion and find duplicate keys before anything walks the document.
        const std::vector<DocumentProblem> problems = checkDocument(doc, raw.text.size());
        if (!problems.empty() && problems.front().kind == DocumentProblem::Kind::ExcessiveAliasing) {
            const DocumentProblem& p = problems.front();
            addSyntaxError(ws, fileName, p.line + 1 + raw.firstLine, p.column + 1, p.message);
            ws.loadDiagnostics.back().rule = "yaml-alias-bomb";
            ++docIndex;
            continue;
        }
        const std::size_t firstNew = ws.resources.size();
        try {
            if (looksJson && doc.IsSequence()) {
                for (std::size_t i = 0; i < doc.size(); ++i) addResource(doc[i], fileName, docIndex, raw.firstLine, ws);
            } else {
                addResource(doc, fileName, docIndex, raw.firstLine, ws);
            }
        } catch (const YAML::Exception& e) {
            addSyntaxError(ws, fileName, raw.firstLine + 1, 1, std::string("cannot read document: ") + e.what());
        }
        for (const DocumentProblem& p : problems) addDuplicateKey(ws, fileName, raw.firstLine, p, firstNew);
        ++docIndex;
    }
}

bool readPath(const std::string& path, model::Workspace& ws) {
    std::error_code ec;
    auto addUnreadable = [&](const std::string& why) {
        Diagnostic d;
        d.severity = Severity::Error;
        d.code = DiagCode::NotFound;
        d.detail = "cannot read " + path + ": " + why;
        d.pos = SourcePos{path, 0, 0};
        d.rule = "unreadable";
        ws.loadDiagnostics.push_back(std::move(d));
        return false;
    };
    if (path.rfind(":/", 0) == 0) {  // Qt resource: the built-in demo workspace and lessons
        QFile f(QString::fromStdString(path));
        if (!f.open(QIODevice::ReadOnly)) return addUnreadable("no such built-in resource");
        ws.files.push_back(path);
        readText(f.readAll().toStdString(), path, ws);
        return true;
    }
    if (fs::is_directory(path, ec)) {
        std::vector<std::string> files;
        for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
             it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (ec) break;
            if (!it->is_regular_file(ec)) continue;
            const std::string ext = it->path().extension().string();
            if (ext == ".yaml" || ext == ".yml" || ext == ".json") files.push_back(it->path().string());
        }
        std::sort(files.begin(), files.end());
        ws.files.push_back(path);
        if (files.empty()) {
            // An empty workspace must not look like a loaded one (a folder named x.yaml, a typo in a path).
            const std::string ext = fs::path(path).extension().string();
            const bool namedLikeFile = ext == ".yaml" || ext == ".yml" || ext == ".json";
            Diagnostic d;
            d.severity = Severity::Warning;
            d.code = DiagCode::NotFound;
            d.detail = (namedLikeFile ? displayText(path) + " is a folder, not a file, and it" : "folder " + displayText(path)) +
                       " contains no .yaml, .yml or .json files: nothing was loaded from it";
            d.pos = SourcePos{path, 0, 0};
            d.rule = "empty-folder";
            ws.loadDiagnostics.push_back(std::move(d));
        }
        for (const auto& f : files) readPath(f, ws);
        return true;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return addUnreadable(fs::exists(path, ec) ? "permission denied" : "no such file or directory");
    std::ostringstream buf;
    buf << in.rdbuf();
    if (std::find(ws.files.begin(), ws.files.end(), path) == ws.files.end()) ws.files.push_back(path);
    readText(buf.str(), path, ws);
    return true;
}

model::Workspace loadPaths(const std::vector<std::string>& paths, bool* allReadable) {
    model::Workspace ws;
    bool ok = true;
    for (const auto& p : paths) ok = readPath(p, ws) && ok;
    if (allReadable) *allReadable = ok;
    return ws;
}

}  // namespace ilab::yaml
