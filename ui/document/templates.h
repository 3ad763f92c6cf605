#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/model/workspace.h"

namespace ilab::ui::templates {

// New objects as the forms, menus and quick fixes create them: minimal, valid, kubectl-ready.
// Pure functions, any thread.

YAML::Node ingress(const std::string& name, const std::string& ns, const std::string& className);
YAML::Node ingressClass(const std::string& name, bool isDefault);
// A Service selecting `app: <name>` with one port (targetPort `http` when the Deployment names it).
YAML::Node service(const std::string& name, const std::string& ns, int port, int targetPort);
// A Deployment whose pods carry `app: <name>` and listen on `containerPort`.
YAML::Node deployment(const std::string& name, const std::string& ns, const std::string& image, int containerPort, int replicas = 1);
// A kubernetes.io/tls Secret (data base64-encoded, as the API server stores it).
YAML::Node tlsSecret(const std::string& name, const std::string& ns, const std::string& certPem, const std::string& keyPem);
YAML::Node controllerConfigMap(const std::string& ns);

// A name not used yet by an object of `kind` in `ns`: base, base-2, base-3...
std::string uniqueName(const model::Workspace& ws, const std::string& kind, const std::string& ns, const std::string& base);
// The default IngressClass name (is-default-class), else the only/first class, else "".
std::string defaultClassName(const model::Workspace& ws);
// Hosts an Ingress uses (rules and TLS), unique, in order of appearance.
std::vector<std::string> hostsOf(const model::Ingress& ing);

}  // namespace ilab::ui::templates
