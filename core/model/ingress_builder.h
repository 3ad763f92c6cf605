#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <algorithm>

#include <yaml-cpp/yaml.h>

namespace ilab::model {

// A compact description of an Ingress, as `kubectl create ingress` takes it, turned into the document an
// author would write: only the fields that are set, in kubectl's key order. Used by "New Ingress" style
// actions and to check our output against kubectl's.
struct IngressDraft {
    struct Path {
        std::string host;        // "" = any host
        std::string path = "/";
        std::string pathType = "Prefix";
        std::string service;
        std::optional<int> portNumber;
        std::optional<std::string> portName;
    };
    struct Tls {
        std::vector<std::string> hosts;
        std::string secretName;
    };
    std::string name;
    std::string ns;              // "" = leave metadata.namespace out
    std::string ingressClassName;
    std::map<std::string, std::string> annotations;
    std::vector<Path> paths;     // paths of one host are grouped into one rule, in order of first appearance
    std::vector<Tls> tls;
    std::optional<Path> defaultBackend;  // service + port only
};

YAML::Node buildIngress(const IngressDraft& draft);

}  // namespace ilab::model
