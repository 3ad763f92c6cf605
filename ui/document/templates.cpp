#include "ui/document/templates.h"

#include <algorithm>

#include <QByteArray>

#include "ui/document/yaml_text.h"

namespace ilab::ui::templates {

namespace {
YAML::Node meta(const std::string& name, const std::string& ns) {
    YAML::Node m(YAML::NodeType::Map);
    m["name"] = name;
    if (!ns.empty() && ns != "default") m["namespace"] = ns;
    return m;
}
}  // namespace

YAML::Node ingress(const std::string& name, const std::string& ns, const std::string& className) {
    YAML::Node n(YAML::NodeType::Map);
    n["apiVersion"] = "networking.k8s.io/v1";
    n["kind"] = "Ingress";
    n["metadata"] = meta(name, ns);
    YAML::Node spec(YAML::NodeType::Map);
    if (!className.empty()) spec["ingressClassName"] = className;
    spec["rules"] = YAML::Node(YAML::NodeType::Sequence);
    n["spec"] = spec;
    return n;
}

YAML::Node ingressClass(const std::string& name, bool isDefault) {
    YAML::Node n(YAML::NodeType::Map);
    n["apiVersion"] = "networking.k8s.io/v1";
    n["kind"] = "IngressClass";
    n["metadata"] = meta(name, "");
    if (isDefault) n["metadata"]["annotations"]["ingressclass.kubernetes.io/is-default-class"] = yamltext::stringNode("true");
    n["spec"]["controller"] = "k8s.io/ingress-nginx";
    return n;
}

YAML::Node service(const std::string& name, const std::string& ns, int port, int targetPort) {
    YAML::Node n(YAML::NodeType::Map);
    n["apiVersion"] = "v1";
    n["kind"] = "Service";
    n["metadata"] = meta(name, ns);
    n["spec"]["selector"]["app"] = name;
    YAML::Node p(YAML::NodeType::Map);
    p["name"] = "http";
    p["port"] = port;
    p["targetPort"] = targetPort;
    n["spec"]["ports"].push_back(p);
    return n;
}

YAML::Node deployment(const std::string& name, const std::string& ns, const std::string& image, int containerPort, int replicas) {
    YAML::Node n(YAML::NodeType::Map);
    n["apiVersion"] = "apps/v1";
    n["kind"] = "Deployment";
    n["metadata"] = meta(name, ns);
    n["metadata"]["labels"]["app"] = name;
    n["spec"]["replicas"] = replicas;
    n["spec"]["selector"]["matchLabels"]["app"] = name;
    n["spec"]["template"]["metadata"]["labels"]["app"] = name;
    YAML::Node c(YAML::NodeType::Map);
    c["name"] = name;
    c["image"] = image;
    YAML::Node port(YAML::NodeType::Map);
    port["name"] = "http";
    port["containerPort"] = containerPort;
    c["ports"].push_back(port);
    n["spec"]["template"]["spec"]["containers"].push_back(c);
    return n;
}

YAML::Node tlsSecret(const std::string& name, const std::string& ns, const std::string& certPem, const std::string& keyPem) {
    YAML::Node n(YAML::NodeType::Map);
    n["apiVersion"] = "v1";
    n["kind"] = "Secret";
    n["metadata"] = meta(name, ns);
    n["type"] = "kubernetes.io/tls";
    n["data"]["tls.crt"] = QByteArray::fromStdString(certPem).toBase64().toStdString();
    n["data"]["tls.key"] = QByteArray::fromStdString(keyPem).toBase64().toStdString();
    return n;
}

YAML::Node controllerConfigMap(const std::string& ns) {
    YAML::Node n(YAML::NodeType::Map);
    n["apiVersion"] = "v1";
    n["kind"] = "ConfigMap";
    n["metadata"] = meta(model::CONTROLLER_CONFIGMAP_NAME, ns.empty() ? "ingress-nginx" : ns);
    n["data"] = YAML::Node(YAML::NodeType::Map);
    return n;
}

std::string uniqueName(const model::Workspace& ws, const std::string& kind, const std::string& ns, const std::string& base) {
    if (!ws.find(kind, ns, base)) return base;
    for (int i = 2;; ++i) {
        std::string candidate = base + "-" + std::to_string(i);
        if (!ws.find(kind, ns, candidate)) return candidate;
    }
}

std::string defaultClassName(const model::Workspace& ws) {
    auto classes = ws.all<model::IngressClass>();
    for (const auto* c : classes)
        if (c->isDefault()) return c->meta.name;
    return classes.empty() ? std::string() : classes.front()->meta.name;
}

std::vector<std::string> hostsOf(const model::Ingress& ing) {
    std::vector<std::string> out;
    auto add = [&](const std::string& h) {
        if (!h.empty() && std::find(out.begin(), out.end(), h) == out.end()) out.push_back(h);
    };
    for (const auto& r : ing.spec.rules) add(r.host.value_or(""));
    for (const auto& t : ing.spec.tls)
        for (const auto& h : t.hosts) add(h);
    return out;
}

}  // namespace ilab::ui::templates
