#pragma once

#include <string>
#include <vector>

#include "core/common/diagnostic.h"
#include "core/model/resource.h"

namespace ilab::model {

// The whole editable specification: every object of every file, in load order.
// Owned by whoever loaded it (the GUI document, the CLI, the controller's control thread).
class Workspace {
public:
    std::vector<Resource> resources;
    std::vector<std::string> files;      // files (or the folder) it was loaded from
    Diagnostics loadDiagnostics;         // syntax errors, conversions, type errors found while reading

    template <class T>
    std::vector<const T*> all() const {
        std::vector<const T*> out;
        for (const auto& r : resources)
            if (const T* t = r.as<T>()) out.push_back(t);
        return out;
    }
    // Resources of a kind (with their source info) in creation order.
    std::vector<const Resource*> ofKind(const std::string& kind) const;

    const Resource* find(const std::string& kind, const std::string& ns, const std::string& name) const;
    const Service* service(const std::string& ns, const std::string& name) const;
    const Secret* secret(const std::string& ns, const std::string& name) const;
    const Endpoints* endpoints(const std::string& ns, const std::string& name) const;
    std::vector<const EndpointSlice*> endpointSlices(const std::string& ns, const std::string& serviceName) const;
    std::vector<const Deployment*> deploymentsSelectedBy(const Service& svc) const;
    // The controller ConfigMap (name ingress-nginx-controller, any namespace), or nullptr.
    const ConfigMap* controllerConfigMap() const;
    const Resource* resourceOf(const Ingress& ing) const;

    // Deep copy (YAML nodes cloned): safe to hand to another thread.
    Workspace clone() const;
    bool operator==(const Workspace& other) const;  // typed objects + unknown docs, not positions
};

}  // namespace ilab::model
