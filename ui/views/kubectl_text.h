#pragma once

#include <cstdint>
#include <string>

#include "core/model/workspace.h"

namespace ilab::ui::kubectl {

// The text kubectl prints for an Ingress, computed from the workspace (no cluster): what a learner will see
// on a real one. Pure functions, any thread.

// `kubectl get ingress NAME` (header + one line): NAME CLASS HOSTS ADDRESS PORTS AGE.
// ADDRESS is the lab's listening address once the controller runs ("" before), PORTS is "80" or "80, 443".
std::string getLine(const model::Workspace& ws, const model::Ingress& ing, const std::string& address = {},
                    const std::string& age = "<unknown>");

// `kubectl describe ingress NAME`: Name, Labels, Namespace, Address, Ingress Class, Default backend, TLS,
// Rules (host, path, backends with their endpoints "svc:port (10.0.0.1:8080,...)"), Annotations, Events.
std::string describe(const model::Workspace& ws, const model::Ingress& ing, const std::string& address = {});

// Endpoints of a Service port as describe prints them: "10.244.0.5:8080,10.244.0.6:8080" or "<none>".
// Simulated pods get stable pseudo pod IPs (10.244.0.x by Deployment and replica order).
std::string endpointsText(const model::Workspace& ws, const std::string& ns, const model::IngressServiceBackend& backend);

}  // namespace ilab::ui::kubectl
