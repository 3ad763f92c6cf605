#pragma once

#include <QJsonObject>

#include <memory>
#include <optional>
#include <string>

#include "core/common/diagnostic.h"
#include "core/common/source_pos.h"
#include "core/kube/credentials.h"
#include "core/kube/resource.h"
#include "core/kube/rest_client.h"

namespace ilab::model {
struct Resource;
}

// Between workspace objects and the API server, shared by `ingress-lab-cli cluster pull|diff|apply` and the
// GUI's Cluster panel (moved here from app/cli so both do exactly the same). Qt Core only; pure functions.
namespace ilab::kube {

// Set by pull on Secrets written without their values; apply and diff skip such Secrets, so applying a pulled
// workspace never empties the Secret in the cluster.
inline constexpr const char* WITHHELD_ANNOTATION = "ingress-lab.dev/pulled-without-data";

// The resource type of a kind at an apiVersion (the kinds a workspace holds), or nullopt for a kind not known here.
std::optional<ResourceRef> resourceForKind(const std::string& apiVersion, const std::string& kind);

// The server-side apply body (JSON; JSON is YAML) of a workspace object: its normalised document with
// metadata.namespace = `ns` for namespaced kinds, and `protocol: TCP` on Service / container ports that omit it
// (Kubernetes 1.20 refuses SSA of such a port: "associative list with keys has an element that omits key field").
std::string applyBody(const model::Resource& resource, const ResourceRef& ref, const std::string& ns);

// True for a Secret pulled without its data (WITHHELD_ANNOTATION): never applied.
bool isWithheldSecret(const model::Resource& resource);

// Where a field of a server error (a 409 conflict path ".metadata.annotations.KEY", a 422 cause field
// "spec.rules[0].host") is in the workspace file; the object's own position when the field is not recorded.
SourcePos positionOfField(const model::Resource& resource, std::string field);

// A 422 (Invalid) answer to an apply (or dry-run apply) of `resource` in namespace `ns` as workspace diagnostics,
// one per Status cause: object "Kind ns/name", the cause's field (e.g. spec.rules[0].http.paths[0].backend.service.
// port.number), its code (FieldValueInvalid -> Invalid, ...), the server's message without the repeated type
// text, and the field's position in the workspace file (positionOfField). rule = INVALID_RULE. A 422 without causes
// gives one diagnostic with the Status message at the object's position.
inline constexpr const char* INVALID_RULE = "cluster-invalid";
Diagnostics diagnosticsOfInvalid(const ApiError& error, const model::Resource& resource, const std::string& ns);

// A live object made clean for a workspace (what pull writes): normaliseForDiff, Service clusterIP(s) dropped
// (allocated by the cluster), and unless `includeSecrets` Secret values emptied and WITHHELD_ANNOTATION set
// (*withheldData = true).
QJsonObject cleanPulledObject(QJsonObject object, const std::string& kind, bool includeSecrets, bool* withheldData);

// The REST client's CredentialSource over a CredentialProvider (token files re-read, exec plugins run; the REST
// client calls it on its credential thread only).
std::shared_ptr<CredentialSource> providerCredentialSource(std::shared_ptr<CredentialProvider> provider);

}  // namespace ilab::kube
