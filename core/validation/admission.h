#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/diagnostic.h"
#include "core/model/workspace.h"

namespace ilab::validation {

// Settings of the ingress-nginx validating webhook (semantics.md §1.1). Defaults are the Helm chart's.
struct AdmissionOptions {
    bool allowSnippetAnnotations = false;         // ConfigMap allow-snippet-annotations
    std::string annotationsRiskLevel = "High";    // ConfigMap annotations-risk-level (Low|Medium|High|Critical)
    bool strictValidatePathType = true;           // ConfigMap strict-validate-path-type
    bool deepInspect = true;                      // --deep-inspect
    std::vector<std::string> annotationValueWordBlocklist;  // ConfigMap annotation-value-word-blocklist
    std::string ingressClass = "nginx";           // --ingress-class
    std::string controllerClass = "k8s.io/ingress-nginx";
    // Ingresses without any class: checked as if this controller claims them (a workspace is written for the
    // controller it simulates). false = only --watch-ingress-without-class behaviour.
    bool claimIngressesWithoutClass = true;
};

// Facts about Ingresses shared by the admission checks and the lint.
namespace ingress_facts {
// strconv.ParseBool of nginx.ingress.kubernetes.io/canary: nullopt when absent, false when unparsable.
std::optional<bool> canaryAnnotation(const model::Ingress& ing);
bool isCanary(const model::Ingress& ing);
// Whether ingress-nginx (with `opts`) reconciles this Ingress (store.GetIngressClass).
bool isClaimed(const model::Workspace& ws, const model::Ingress& ing, const AdmissionOptions& opts);
// Creation order: metadata.creationTimestamp when both have one, else order of appearance.
bool createdBefore(const model::Resource& a, const model::Resource& b);
// Ingress resources sorted by creation.
std::vector<const model::Resource*> ingressesByCreation(const model::Workspace& ws);
}  // namespace ingress_facts

// The nginx locations the existing Ingresses define, as ingress-nginx builds them (controller.go
// getBackendServers): the first non-canary Ingress to define a (host, path, pathType) owns it; hostless rules
// use host "_", an empty path is "/", backends that are not Services make no location. Add Ingresses oldest
// first, only those the controller claims. Lookups are O(log n).
class LocationIndex {
public:
    void add(const model::Resource& ingress);
    // Owners of the locations with this host and path (any pathType), oldest first.
    std::vector<const model::Resource*> owners(const std::string& host, const std::string& path) const;
    bool has(const std::string& host, const std::string& path, const std::string& pathType) const;

private:
    // (host, path) -> [(pathType, owner)] in the order the locations were created
    std::map<std::pair<std::string, std::string>, std::vector<std::pair<std::string, const model::Resource*>>> m_locations;
};

// The webhook's verdict on `ingress`, as if it were created after the Ingresses in `existing`:
// deep inspection, strict path types, snippet and risky annotations, the word blocklist, and host+path overlap
// (controller.go CheckIngress / checkOverlap). Each problem is an Error with its own rule id
// (admission-deep-inspection, admission-strict-path-type, admission-snippet, admission-risky-annotation,
// admission-word-blocklist, admission-overlap) and the webhook's message as detail. Unlike the webhook, which
// stops at the first error, every problem of a stage is reported. Pure; any thread.
void checkAdmission(const model::Workspace& ws, const model::Resource& ingress, const LocationIndex& existing,
                    const AdmissionOptions& opts, Diagnostics& out);
// Convenience: `existing` oldest first; those this controller claims are indexed.
void checkAdmission(const model::Workspace& ws, const model::Resource& ingress,
                    const std::vector<const model::Resource*>& existing, const AdmissionOptions& opts, Diagnostics& out);

// Options from the workspace's ingress-nginx-controller ConfigMap layered over `base`.
AdmissionOptions admissionOptionsFrom(const model::Workspace& ws, AdmissionOptions base);

}  // namespace ilab::validation
