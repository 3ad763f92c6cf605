#pragma once

#include <QJsonObject>
#include <QObject>

#include <functional>
#include <optional>
#include <string>

#include "core/kube/resource.h"
#include "core/kube/rest_client.h"

namespace ilab::kube {

inline constexpr const char* FIELD_MANAGER = "ingress-lab";

// Server-side apply (cluster.md §2.5): PATCH <item URL>?fieldManager=ingress-lab[&force=true][&dryRun=All] with
// Content-Type application/apply-patch+yaml. The body may be YAML or JSON (JSON is YAML).
struct ApplyOptions {
    bool force = false;   // take ownership of fields other managers own (only when the user asked for it)
    bool dryRun = false;  // dryRun=All: validated and defaulted by the server, nothing stored
    std::string fieldManager = FIELD_MANAGER;
    bool strictFieldValidation = false;  // fieldValidation=Strict (honoured from Kubernetes 1.25; ignored before)
};

RestRequest applyRequest(const ResourceRef& ref, const std::string& ns, const std::string& name, std::string body,
                         const ApplyOptions& options = {});
// Sends it. Server-side apply is idempotent, so 429/503/504 are retried (RestRequest::throttleRetries).
RestClient::RequestId apply(RestClient& client, const ResourceRef& ref, const std::string& ns, const std::string& name,
                            std::string body, const ApplyOptions& options, QObject* context,
                            std::function<void(const RestReply&)> done);

struct DeleteOptions {
    bool dryRun = false;
    std::string propagationPolicy = "Background";  // Foreground | Background | Orphan
};
RestRequest deleteRequest(const ResourceRef& ref, const std::string& ns, const std::string& name,
                          const DeleteOptions& options = {});
RestClient::RequestId deleteObject(RestClient& client, const ResourceRef& ref, const std::string& ns,
                                   const std::string& name, const DeleteOptions& options, QObject* context,
                                   std::function<void(const RestReply&)> done);

// ---- preview: `kubectl diff --server-side` ----------------------------------------------------------------------

struct DiffResult {
    std::string text;        // unified diff LIVE -> MERGED; empty when nothing would change
    bool changed = false;
    bool exists = false;     // the object exists on the server (LIVE was not 404)
    QJsonObject live, merged;  // normalised and masked, as diffed
    std::optional<RestError> error;  // GET (other than 404) or the dry-run apply failed (e.g. 409 conflict, 422)
};

// GET the live object and, in parallel, dry-run apply `body` (dryRun=All, options.force as given); normalise both
// (normaliseForDiff), mask Secret data (maskSecretData) and diff their YAML. Labels are kubectl's file names:
// "LIVE/<group>.<version>.<Kind>.<namespace>.<name>" and "MERGED/...".
void diffServerSide(RestClient& client, const ResourceRef& ref, const std::string& ns, const std::string& name,
                    std::string body, ApplyOptions options, QObject* context,
                    std::function<void(const DiffResult&)> done);

// Drops what changes on every write or belongs to the server only: metadata.managedFields, resourceVersion,
// generation, uid, creationTimestamp, selfLink, the kubectl last-applied-configuration annotation (and
// annotations when that leaves it empty), and status.
QJsonObject normaliseForDiff(QJsonObject object);

// kubectl diff's Masker (staging/src/k8s.io/kubectl/pkg/cmd/diff/diff.go) for Secrets: every value of `data`
// becomes "***", except keys present on both sides with different values: "*** (before)" / "*** (after)". Done on
// `stringData` the same way (kubectl masks only data; stringData never comes back from the server, but a body
// could carry it). No-op unless either object is a Secret.
void maskSecretData(QJsonObject& live, QJsonObject& merged);

// YAML as kubectl prints objects (sigs.k8s.io/yaml over go-yaml v2): sorted keys, two-space indent, sequences
// not indented under their key, strings that would read as another type double-quoted ("80", "true",
// timestamps), other strings that cannot be plain single-quoted ('***'), multi-line strings as literal blocks.
std::string toYaml(const QJsonObject& object);

// A unified diff like `diff -u -N`: "--- fromLabel", "+++ toLabel", hunks with `context` lines around changes;
// empty when the texts are equal. An empty side counts as an absent file (-N).
std::string unifiedDiff(const std::string& from, const std::string& to, const std::string& fromLabel,
                        const std::string& toLabel, int context = 3);

}  // namespace ilab::kube
