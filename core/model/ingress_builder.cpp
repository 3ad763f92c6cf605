#include "core/model/ingress_builder.h"

namespace ilab::model {

namespace {

YAML::Node quoted(const std::string& s) {
    YAML::Node n(s);
    n.SetTag("!");  // written as a string even when it looks like a bool or number ("true", "10")
    return n;
}

YAML::Node backendNode(const IngressDraft::Path& p) {
    YAML::Node port(YAML::NodeType::Map);
    if (p.portName) port["name"] = *p.portName;
    else port["number"] = p.portNumber.value_or(80);
    YAML::Node service(YAML::NodeType::Map);
    service["name"] = p.service;
    service["port"] = port;
    YAML::Node backend(YAML::NodeType::Map);
    backend["service"] = service;
    return backend;
}

}  // namespace

YAML::Node buildIngress(const IngressDraft& d) {
    YAML::Node doc(YAML::NodeType::Map);
    doc["apiVersion"] = "networking.k8s.io/v1";
    doc["kind"] = "Ingress";
    YAML::Node meta(YAML::NodeType::Map);
    meta["name"] = d.name;
    if (!d.ns.empty()) meta["namespace"] = d.ns;
    if (!d.annotations.empty()) {
        YAML::Node ann(YAML::NodeType::Map);
        for (const auto& [k, v] : d.annotations) ann[k] = quoted(v);
        meta["annotations"] = ann;
    }
    doc["metadata"] = meta;
    YAML::Node spec(YAML::NodeType::Map);
    if (d.defaultBackend) spec["defaultBackend"] = backendNode(*d.defaultBackend);
    if (!d.ingressClassName.empty()) spec["ingressClassName"] = d.ingressClassName;
    if (!d.paths.empty()) {
        YAML::Node rules(YAML::NodeType::Sequence);
        std::vector<std::string> hosts;
        for (const auto& p : d.paths)
            if (std::find(hosts.begin(), hosts.end(), p.host) == hosts.end()) hosts.push_back(p.host);
        for (const auto& h : hosts) {
            YAML::Node rule(YAML::NodeType::Map);
            if (!h.empty()) rule["host"] = h;
            YAML::Node paths(YAML::NodeType::Sequence);
            for (const auto& p : d.paths) {
                if (p.host != h) continue;
                YAML::Node path(YAML::NodeType::Map);
                path["backend"] = backendNode(p);
                path["path"] = p.path;
                path["pathType"] = p.pathType;
                paths.push_back(path);
            }
            YAML::Node http(YAML::NodeType::Map);
            http["paths"] = paths;
            rule["http"] = http;
            rules.push_back(rule);
        }
        spec["rules"] = rules;
    }
    if (!d.tls.empty()) {
        YAML::Node tls(YAML::NodeType::Sequence);
        for (const auto& t : d.tls) {
            YAML::Node e(YAML::NodeType::Map);
            if (!t.hosts.empty()) {
                YAML::Node hosts(YAML::NodeType::Sequence);
                for (const auto& h : t.hosts) hosts.push_back(h);
                e["hosts"] = hosts;
            }
            if (!t.secretName.empty()) e["secretName"] = t.secretName;
            tls.push_back(e);
        }
        spec["tls"] = tls;
    }
    doc["spec"] = spec;
    return doc;
}

}  // namespace ilab::model
