#include "core/validation/api_validation.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include <yaml-cpp/yaml.h>

#include "core/validation/name_rules.h"
#include "core/validation/reporter.h"

namespace ilab::validation {

namespace {

using NameFn = std::function<std::vector<std::string>(const std::string&)>;

constexpr long long MAX_ANNOTATIONS_BYTES = 256 * 1024;  // TotalAnnotationSizeLimitB
constexpr long long MAX_SECRET_BYTES = 1024 * 1024;      // core.MaxSecretSize (ConfigMaps share it)
constexpr std::size_t MAX_INGRESS_CLASS_CONTROLLER = 250;

const std::vector<std::string> SUPPORTED_PATH_TYPES = {"Exact", "ImplementationSpecific", "Prefix"};
const std::vector<std::string> SUPPORTED_PROTOCOLS = {"SCTP", "TCP", "UDP"};
const std::vector<std::string> SUPPORTED_SERVICE_TYPES = {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"};
const std::vector<std::string> INVALID_PATH_SEQUENCES = {"//", "/./", "/../", "%2f", "%2F"};
const std::vector<std::string> INVALID_PATH_SUFFIXES = {"/..", "/."};

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Read-only access to an optional scalar of the document (nodes are never modified here).
// A missing key yields an "invalid" yaml-cpp node whose IsMap()/Type() throw; only IsDefined() is safe on it,
// so every lookup returns a valid Undefined node instead.
YAML::Node childAt(const YAML::Node& parent, const char* key) {
    if (!parent.IsDefined() || !parent.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    const YAML::Node n = parent[key];
    if (!n.IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
    return n;
}

std::optional<std::string> scalarAt(const YAML::Node& parent, const char* key) {
    const YAML::Node n = childAt(parent, key);
    if (!n.IsScalar()) return std::nullopt;
    return n.Scalar();
}

std::vector<std::string> isPathSegmentName(const std::string& name) {
    std::vector<std::string> errs;
    for (const char* bad : {".", ".."})
        if (name == bad) errs.push_back(std::string("may not be '") + bad + "'");
    for (const char* bad : {"/", "%"})
        if (name.find(bad) != std::string::npos) errs.push_back(std::string("may not contain '") + bad + "'");
    return errs;
}

// ---- metadata (apimachinery ValidateObjectMeta) -----------------------------------------------------------

void validateLabels(const std::map<std::string, std::string>& labels, const FieldPath& path, Reporter& r) {
    for (const auto& [k, v] : labels) {
        const std::string pos = path.key(k).toString();
        for (const auto& msg : names::isQualifiedName(k)) r.invalid(path, k, msg, pos);
        for (const auto& msg : names::isValidLabelValue(v)) r.invalid(path, v, msg, pos);
    }
}

void validateAnnotations(const std::map<std::string, std::string>& annotations, const FieldPath& path, Reporter& r) {
    long long total = 0;
    for (const auto& [k, v] : annotations) {
        std::string lower = k;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        for (const auto& msg : names::isQualifiedName(lower)) r.invalid(path, k, msg, path.key(k).toString());
        total += static_cast<long long>(k.size() + v.size());
    }
    if (total > MAX_ANNOTATIONS_BYTES) r.tooLong(path, MAX_ANNOTATIONS_BYTES);
}

void validateMeta(const model::Resource& res, const NameFn& nameFn, bool namespaced, Reporter& r) {
    const FieldPath meta("metadata");
    const model::ObjectMeta& m = res.meta;
    const bool hasGenerateName = scalarAt(childAt(res.node, "metadata"), "generateName").has_value();
    if (m.name.empty()) {
        if (!hasGenerateName) r.required(meta.child("name"), "name or generateName is required");
    } else {
        for (const auto& msg : nameFn(m.name)) r.invalid(meta.child("name"), m.name, msg);
    }
    if (namespaced && m.isNamespaceSet)
        for (const auto& msg : names::isDns1123Label(m.ns)) r.invalid(meta.child("namespace"), m.ns, msg);
    validateLabels(m.labels, meta.child("labels"), r);
    validateAnnotations(m.annotations, meta.child("annotations"), r);
}

// ---- Ingress (K8SVAL validation.go) ----------------------------------------------------------------------

void validateTypedLocalObjectReference(const model::TypedLocalObjectReference& ref, const FieldPath& path, Reporter& r) {
    if (ref.apiGroup)
        for (const auto& msg : names::isDns1123Subdomain(*ref.apiGroup)) r.invalid(path.child("apiGroup"), *ref.apiGroup, msg);
    if (ref.kind.empty()) r.required(path.child("kind"));
    else
        for (const auto& msg : isPathSegmentName(ref.kind)) r.invalid(path.child("kind"), ref.kind, msg);
    if (ref.name.empty()) r.required(path.child("name"));
    else
        for (const auto& msg : isPathSegmentName(ref.name)) r.invalid(path.child("name"), ref.name, msg);
}

void validateIngressBackend(const model::IngressBackend& b, const FieldPath& path, const ApiValidationOptions& o, Reporter& r) {
    const bool hasResource = b.resource.has_value();
    const bool hasService = b.service.has_value();
    if (hasResource && hasService) {
        r.invalid(path, "", "cannot set both resource and service backends");
        return;
    }
    if (hasResource) {
        validateTypedLocalObjectReference(*b.resource, path.child("resource"), r);
        return;
    }
    if (!hasService) {
        r.invalid(path, "", "resource or service backend is required");
        return;
    }
    const model::IngressServiceBackend& svc = *b.service;
    const FieldPath name = path.child("service").child("name");
    if (svc.name.empty()) {
        r.required(name);
    } else {
        const auto msgs = o.relaxedServiceNameValidation ? names::isDns1123Label(svc.name) : names::isDns1035Label(svc.name);
        for (const auto& msg : msgs) r.invalid(name, svc.name, msg);
    }
    const bool hasPortName = svc.port.name && !svc.port.name->empty();
    const bool hasPortNumber = svc.port.number && *svc.port.number != 0;
    if (hasPortName && hasPortNumber) {
        r.invalid(path, "", "cannot set both port name & port number");
    } else if (hasPortName) {
        for (const auto& msg : names::isValidPortName(*svc.port.name))
            r.invalid(path.child("service").child("port").child("name"), *svc.port.name, msg);
    } else if (hasPortNumber) {
        for (const auto& msg : names::isValidPortNum(*svc.port.number))
            r.invalidLiteral(path.child("service").child("port").child("number"), std::to_string(*svc.port.number), msg);
    } else {
        r.required(path, "port name or number is required");
    }
}

void validateHttpIngressPath(const model::HTTPIngressPath& p, const FieldPath& path, const ApiValidationOptions& o, Reporter& r) {
    if (!p.pathType) {
        r.required(path.child("pathType"), "pathType must be specified");
        return;
    }
    const std::string value = p.path.value_or("");
    const std::string& type = *p.pathType;
    if (type == "Exact" || type == "Prefix") {
        if (value.rfind('/', 0) != 0) r.invalid(path.child("path"), value, "must be an absolute path");
        if (!value.empty()) {
            for (const auto& seq : INVALID_PATH_SEQUENCES)
                if (value.find(seq) != std::string::npos) r.invalid(path.child("path"), value, "must not contain '" + seq + "'");
            for (const auto& suf : INVALID_PATH_SUFFIXES)
                if (endsWith(value, suf)) r.invalid(path.child("path"), value, "cannot end with '" + suf + "'");
        }
    } else if (type == "ImplementationSpecific") {
        if (!value.empty() && value.front() != '/') r.invalid(path.child("path"), value, "must be an absolute path");
    } else {
        r.notSupported(path.child("pathType"), type, SUPPORTED_PATH_TYPES);
    }
    validateIngressBackend(p.backend, path.child("backend"), o, r);
}

void validateHost(const std::string& host, const FieldPath& path, Reporter& r) {
    if (host.find('*') != std::string::npos) {
        for (const auto& msg : names::isWildcardDns1123Subdomain(host)) r.invalid(path, host, msg);
    } else {
        for (const auto& msg : names::isDns1123Subdomain(host)) r.invalid(path, host, msg);
    }
}

void validateIngress(const model::Resource& res, const model::Ingress& ing, const ApiValidationOptions& o, Reporter& r) {
    validateMeta(res, names::isDns1123Subdomain, true, r);
    const FieldPath spec("spec");
    const model::IngressSpec& s = ing.spec;
    if (s.rules.empty() && !s.defaultBackend)
        r.invalidLiteral(spec, s.hasRules ? "[]networking.IngressRule{}" : "[]networking.IngressRule(nil)",
                         "either `defaultBackend` or `rules` must be specified");
    if (s.defaultBackend) validateIngressBackend(*s.defaultBackend, spec.child("defaultBackend"), o, r);
    for (std::size_t i = 0; i < s.rules.size(); ++i) {
        const model::IngressRule& rule = s.rules[i];
        const FieldPath rp = spec.child("rules").index(i);
        if (rule.host && !rule.host->empty()) {
            const std::string& host = *rule.host;
            if (names::isIpAddress(host)) r.invalid(rp.child("host"), host, "must be a DNS name, not an IP address");
            validateHost(host, rp.child("host"), r);
        }
        if (rule.http) {
            const FieldPath hp = rp.child("http");
            if (rule.http->paths.empty()) r.required(hp.child("paths"));
            for (std::size_t j = 0; j < rule.http->paths.size(); ++j)
                validateHttpIngressPath(rule.http->paths[j], hp.child("paths").index(j), o, r);
        }
    }
    for (std::size_t k = 0; k < s.tls.size(); ++k) {
        const FieldPath tp = spec.child("tls").index(k);
        for (std::size_t m = 0; m < s.tls[k].hosts.size(); ++m) validateHost(s.tls[k].hosts[m], tp.child("hosts").index(m), r);
        if (s.tls[k].secretName && !s.tls[k].secretName->empty())
            for (const auto& msg : names::isDns1123Subdomain(*s.tls[k].secretName))
                r.invalid(tp.child("secretName"), *s.tls[k].secretName, msg);
    }
    if (s.ingressClassName)
        for (const auto& msg : names::isDns1123Subdomain(*s.ingressClassName))
            r.invalid(spec.child("ingressClassName"), *s.ingressClassName, msg);
    // ValidateIngressCreate: the legacy annotation and the field must agree when both are set.
    auto ann = ing.meta.annotations.find("kubernetes.io/ingress.class");
    if (ann != ing.meta.annotations.end() && s.ingressClassName && ann->second != *s.ingressClassName)
        r.invalid(FieldPath("annotations").child("kubernetes.io/ingress.class"), ann->second,
                  "must match `ingressClassName` when both are specified");
}

// ---- IngressClass ----------------------------------------------------------------------------------------

void validateIngressClass(const model::Resource& res, const model::IngressClass& ic, Reporter& r) {
    validateMeta(res, names::isDns1123Subdomain, false, r);
    const FieldPath spec("spec");
    const FieldPath ctl = spec.child("controller");
    if (ic.controller.empty()) {
        r.required(ctl);
    } else {
        if (ic.controller.size() > MAX_INGRESS_CLASS_CONTROLLER) r.tooLong(ctl, static_cast<long long>(MAX_INGRESS_CLASS_CONTROLLER));
        for (const auto& [value, msg] : names::isDomainPrefixedPath(ic.controller)) r.invalid(ctl, value, msg);
    }
    const YAML::Node params = childAt(childAt(res.node, "spec"), "parameters");
    if (!params.IsMap()) return;
    const FieldPath pp = spec.child("parameters");
    if (auto g = scalarAt(params, "apiGroup"))
        for (const auto& msg : names::isDns1123Subdomain(*g)) r.invalid(pp.child("apiGroup"), *g, msg);
    for (const char* key : {"kind", "name"}) {
        auto v = scalarAt(params, key).value_or("");
        if (v.empty()) r.required(pp.child(key));
        else
            for (const auto& msg : isPathSegmentName(v)) r.invalid(pp.child(key), v, msg);
    }
    const std::string scope = scalarAt(params, "scope").value_or("Cluster");  // v1 defaulting
    const auto ns = scalarAt(params, "namespace");
    if (scope != "Cluster" && scope != "Namespace") {
        r.notSupported(pp.child("scope"), scope, {"Cluster", "Namespace"});
    } else if (scope == "Namespace") {
        if (!ns) r.required(pp.child("namespace"), "`parameters.scope` is set to 'Namespace'");
        else
            for (const auto& msg : names::isDns1123Label(*ns)) r.invalid(pp.child("namespace"), *ns, msg);
    } else if (ns) {
        r.forbidden(pp.child("namespace"), "`parameters.scope` is set to 'Cluster'");
    }
}

// ---- Service (core validation ValidateService) -----------------------------------------------------------

std::string goServicePortKey(const model::ServicePort& p) {
    return "core.ServicePort{Name:\"\", Protocol:" + names::goQuote(p.protocol) +
           ", AppProtocol:(*string)(nil), Port:" + std::to_string(p.port) +
           ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}";
}

void validateService(const model::Resource& res, const model::Service& svc, Reporter& r) {
    validateMeta(res, names::isDns1035Label, true, r);
    const FieldPath spec("spec");
    const YAML::Node specNode = childAt(res.node, "spec");
    const bool headless = scalarAt(specNode, "clusterIP").value_or("") == "None";
    if (svc.ports.empty() && !headless && svc.type != "ExternalName") r.required(spec.child("ports"));
    if (svc.type == "ExternalName") {
        std::string cname = svc.externalName.value_or("");
        if (!cname.empty() && cname.back() == '.') cname.pop_back();
        if (cname.empty()) r.required(spec.child("externalName"));
        else
            for (const auto& msg : names::isDns1123Subdomain(cname)) r.invalid(spec.child("externalName"), cname, msg);
    }
    std::set<std::string> portNames;
    for (std::size_t i = 0; i < svc.ports.size(); ++i) {
        const model::ServicePort& p = svc.ports[i];
        const FieldPath pp = spec.child("ports").index(i);
        if (svc.ports.size() > 1 && p.name.empty()) {
            r.required(pp.child("name"));
        } else if (!p.name.empty()) {
            for (const auto& msg : names::isDns1123Label(p.name)) r.invalid(pp.child("name"), p.name, msg);
            if (!portNames.insert(p.name).second) r.duplicate(pp.child("name"), p.name);
        }
        for (const auto& msg : names::isValidPortNum(p.port)) r.invalidLiteral(pp.child("port"), std::to_string(p.port), msg);
        if (p.protocol.empty()) r.required(pp.child("protocol"));
        else if (std::find(SUPPORTED_PROTOCOLS.begin(), SUPPORTED_PROTOCOLS.end(), p.protocol) == SUPPORTED_PROTOCOLS.end())
            r.notSupported(pp.child("protocol"), p.protocol, SUPPORTED_PROTOCOLS);
        // Defaulting sets an unset (or 0 / "") targetPort to the port before validation.
        if (p.targetPort.number && *p.targetPort.number != 0) {
            for (const auto& msg : names::isValidPortNum(*p.targetPort.number))
                r.invalidLiteral(pp.child("targetPort"), std::to_string(*p.targetPort.number), msg);
        } else if (p.targetPort.name && !p.targetPort.name->empty()) {
            for (const auto& msg : names::isValidPortName(*p.targetPort.name)) r.invalid(pp.child("targetPort"), *p.targetPort.name, msg);
        }
    }
    if (svc.hasSelector) validateLabels(svc.selector, spec.child("selector"), r);
    if (std::find(SUPPORTED_SERVICE_TYPES.begin(), SUPPORTED_SERVICE_TYPES.end(), svc.type) == SUPPORTED_SERVICE_TYPES.end())
        r.notSupported(spec.child("type"), svc.type, SUPPORTED_SERVICE_TYPES);
    std::set<std::pair<std::string, int>> seen;
    for (std::size_t i = 0; i < svc.ports.size(); ++i) {
        const model::ServicePort& p = svc.ports[i];
        if (!seen.insert({p.protocol, p.port}).second) r.duplicate(spec.child("ports").index(i), goServicePortKey(p), true);
    }
}

// ---- Endpoints -------------------------------------------------------------------------------------------

// The API server refuses special addresses in Endpoints (validateNonSpecialIP). Ingress Lab routes to them
// locally on purpose (an app on the user's own machine), so these are warnings with their own rule id.
std::string specialIpReason(const std::string& ip) {
    if (ip == "0.0.0.0" || ip == "::") return "may not be unspecified (0.0.0.0)";
    if (ip.rfind("127.", 0) == 0 || ip == "::1") return "may not be in the loopback range (127.0.0.0/8, ::1/128)";
    if (ip.rfind("169.254.", 0) == 0 || ip.rfind("fe80:", 0) == 0) return "may not be in the link-local range (169.254.0.0/16, fe80::/10)";
    if (ip.rfind("224.0.0.", 0) == 0 || ip.rfind("ff02:", 0) == 0)
        return "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)";
    return {};
}

void validateEndpoints(const model::Resource& res, Reporter& r, Diagnostics& out) {
    validateMeta(res, names::isDns1123Subdomain, true, r);
    const YAML::Node subsets = childAt(res.node, "subsets");
    if (!subsets.IsSequence()) return;
    for (std::size_t i = 0; i < subsets.size(); ++i) {
        const FieldPath sp = FieldPath("subsets").index(i);
        const YAML::Node sub = subsets[i];
        for (const char* key : {"addresses", "notReadyAddresses"}) {
            const YAML::Node addrs = childAt(sub, key);
            if (!addrs.IsSequence()) continue;
            for (std::size_t j = 0; j < addrs.size(); ++j) {
                const FieldPath ap = sp.child(key).index(j).child("ip");
                const std::string ip = scalarAt(addrs[j], "ip").value_or("");
                if (!names::isIpAddress(ip)) {
                    r.invalid(ap, ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
                } else if (auto why = specialIpReason(ip); !why.empty()) {
                    Reporter warn(res, out, "endpoints-special-ip", Severity::Warning);
                    warn.invalid(ap, ip, why + " (the API server refuses this address; Ingress Lab routes to it locally)");
                }
            }
        }
        const YAML::Node ports = childAt(sub, "ports");
        if (!ports.IsSequence()) continue;
        std::set<std::string> seen;
        for (std::size_t k = 0; k < ports.size(); ++k) {
            const FieldPath pp = sp.child("ports").index(k);
            const std::string name = scalarAt(ports[k], "name").value_or("");
            if (ports.size() > 1 && name.empty()) r.required(pp.child("name"));
            else if (!name.empty()) {
                for (const auto& msg : names::isDns1123Label(name)) r.invalid(pp.child("name"), name, msg);
                if (!seen.insert(name).second) r.duplicate(pp.child("name"), name);
            }
            const std::string port = scalarAt(ports[k], "port").value_or("0");
            long long n = 0;
            try {
                n = std::stoll(port);
            } catch (...) {
                n = 0;
            }
            for (const auto& msg : names::isValidPortNum(n)) r.invalidLiteral(pp.child("port"), std::to_string(n), msg);
        }
    }
}

// ---- Deployment (apps validation ValidateDeploymentSpec) ------------------------------------------------

void validateDeployment(const model::Resource& res, const model::Deployment& dep, Reporter& r) {
    validateMeta(res, names::isDns1123Subdomain, true, r);
    const FieldPath spec("spec");
    if (dep.replicas < 0) r.invalidLiteral(spec.child("replicas"), std::to_string(dep.replicas), "must be greater than or equal to 0");
    const YAML::Node specNode = childAt(res.node, "spec");
    const YAML::Node selNode = childAt(specNode, "selector");
    const bool hasExpressions = childAt(selNode, "matchExpressions").IsSequence() && childAt(selNode, "matchExpressions").size() > 0;
    if (!selNode.IsMap()) {
        r.required(spec.child("selector"));
    } else {
        validateLabels(dep.selector, spec.child("selector").child("matchLabels"), r);
        if (dep.selector.empty() && !hasExpressions)
            r.invalidLiteral(spec.child("selector"),
                             "v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}",
                             "empty selector is invalid for deployment");
    }
    const FieldPath tpl = spec.child("template");
    // matchExpressions are not modelled: the label match is checked on matchLabels only when they are all there is.
    if (!dep.selector.empty() && !hasExpressions && !model::selectorMatches(dep.selector, dep.templateLabels)) {
        const bool labelsWritten = childAt(childAt(childAt(specNode, "template"), "metadata"), "labels").IsMap();
        r.invalidLiteral(tpl.child("metadata").child("labels"),
                         labelsWritten || !dep.templateLabels.empty() ? names::goMapString(dep.templateLabels) : "map[string]string(nil)",
                         "`selector` does not match template `labels`");
    }
    validateLabels(dep.templateLabels, tpl.child("metadata").child("labels"), r);
    validateAnnotations(dep.templateAnnotations, tpl.child("metadata").child("annotations"), r);
    const FieldPath podSpec = tpl.child("spec");
    const YAML::Node podNode = childAt(childAt(specNode, "template"), "spec");
    if (auto rp = scalarAt(podNode, "restartPolicy"); rp && *rp != "Always")
        r.notSupported(podSpec.child("restartPolicy"), *rp, {"Always"});
    if (dep.containers.empty()) {
        r.required(podSpec.child("containers"));
        return;
    }
    std::set<std::string> containerNames;
    for (std::size_t i = 0; i < dep.containers.size(); ++i) {
        const model::Container& c = dep.containers[i];
        const FieldPath cp = podSpec.child("containers").index(i);
        if (c.name.empty()) r.required(cp.child("name"));
        else {
            for (const auto& msg : names::isDns1123Label(c.name)) r.invalid(cp.child("name"), c.name, msg);
            if (!containerNames.insert(c.name).second) r.duplicate(cp.child("name"), c.name);
        }
        if (c.image.empty()) r.required(cp.child("image"));
        std::set<std::string> portNames;
        for (std::size_t j = 0; j < c.ports.size(); ++j) {
            const model::ContainerPort& p = c.ports[j];
            const FieldPath pp = cp.child("ports").index(j);
            if (!p.name.empty()) {
                for (const auto& msg : names::isValidPortName(p.name)) r.invalid(pp.child("name"), p.name, msg);
                if (!portNames.insert(p.name).second) r.duplicate(pp.child("name"), p.name);
            }
            for (const auto& msg : names::isValidPortNum(p.containerPort))
                r.invalidLiteral(pp.child("containerPort"), std::to_string(p.containerPort), msg);
            if (std::find(SUPPORTED_PROTOCOLS.begin(), SUPPORTED_PROTOCOLS.end(), p.protocol) == SUPPORTED_PROTOCOLS.end())
                r.notSupported(pp.child("protocol"), p.protocol, SUPPORTED_PROTOCOLS);
        }
    }
}

// ---- Secret / ConfigMap ---------------------------------------------------------------------------------

void validateSecret(const model::Resource& res, const model::Secret& sec, Reporter& r) {
    validateMeta(res, names::isDns1123Subdomain, true, r);
    const FieldPath data("data");
    long long total = 0;
    for (const auto& [k, v] : sec.data) {
        for (const auto& msg : names::isConfigMapKey(k)) r.invalid(data.key(k), k, msg);
        total += static_cast<long long>(v.size());
    }
    if (total > MAX_SECRET_BYTES) r.tooLong(data, MAX_SECRET_BYTES);
    if (sec.type == "kubernetes.io/tls") {
        if (!sec.data.count("tls.crt")) r.required(data.key("tls.crt"));
        if (!sec.data.count("tls.key")) r.required(data.key("tls.key"));
    }
}

void validateConfigMap(const model::Resource& res, const model::ConfigMap& cm, Reporter& r) {
    validateMeta(res, names::isDns1123Subdomain, true, r);
    const FieldPath data("data");
    const YAML::Node binary = childAt(res.node, "binaryData");
    long long total = 0;
    for (const auto& [k, v] : cm.data) {
        for (const auto& msg : names::isConfigMapKey(k)) r.invalid(data.key(k), k, msg);
        if (childAt(binary, k.c_str()).IsDefined()) r.invalid(data.key(k), k, "duplicate of key present in binaryData");
        total += static_cast<long long>(v.size());
    }
    if (binary.IsMap())
        for (auto it = binary.begin(); it != binary.end(); ++it) {
            if (!it->first.IsScalar()) continue;
            const std::string k = it->first.Scalar();
            for (const auto& msg : names::isConfigMapKey(k)) r.invalid(FieldPath("binaryData").key(k), k, msg);
            if (it->second.IsScalar()) total += static_cast<long long>(it->second.Scalar().size() * 3 / 4);
        }
    if (total > MAX_SECRET_BYTES) r.tooLong(FieldPath(""), MAX_SECRET_BYTES);
}

}  // namespace

void validateApiObject(const model::Resource& res, const ApiValidationOptions& options, Diagnostics& out) {
    Reporter r(res, out, "apiserver");
    if (const auto* ing = res.as<model::Ingress>()) validateIngress(res, *ing, options, r);
    else if (const auto* ic = res.as<model::IngressClass>()) validateIngressClass(res, *ic, r);
    else if (const auto* svc = res.as<model::Service>()) validateService(res, *svc, r);
    else if (res.as<model::Endpoints>()) validateEndpoints(res, r, out);
    else if (res.as<model::EndpointSlice>()) validateMeta(res, names::isDns1123Subdomain, true, r);
    else if (const auto* dep = res.as<model::Deployment>()) validateDeployment(res, *dep, r);
    else if (const auto* sec = res.as<model::Secret>()) validateSecret(res, *sec, r);
    else if (const auto* cm = res.as<model::ConfigMap>()) validateConfigMap(res, *cm, r);
}

}  // namespace ilab::validation
