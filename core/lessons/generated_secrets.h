#pragma once

#include <string>
#include <vector>

#include "core/common/diagnostic.h"
#include "core/model/workspace.h"

namespace ilab::lessons {

// Secrets that ask for key material instead of shipping it (the demo workspace and the lessons never ship a
// private key): a kubernetes.io/tls Secret with the annotation
//     ingress-lab.dev/generate-self-signed: "host1,host2"
// and an empty tls.crt gets a fresh self-signed certificate for those hosts (RSA 2048, 365 days, CN = first
// host), as the lesson's `openssl req -x509 -nodes -newkey rsa:2048` would make. The annotation stays, so the
// file keeps saying where the certificate came from. Secrets that already hold a certificate are left alone.
inline constexpr const char* GENERATE_ANNOTATION = "ingress-lab.dev/generate-self-signed";

// Fills every such Secret in place (node and typed view). Returns how many were generated; problems
// (generation failed) are appended to `diags`.
int fillGeneratedSecrets(model::Workspace& ws, Diagnostics* diags = nullptr);

// The same on the text of a workspace, for editors that keep the user's text (comments, layout): the empty
// `tls.crt: ""` / `tls.key: ""` values of such Secrets are replaced by the generated base64 in place, and
// nothing else of the text changes. Secrets without both empty data keys written are left alone.
std::string fillGeneratedSecretsInText(const std::string& text, int* generated = nullptr);

// Generated key material leaves the app only when asked for. The certificate and key of a Secret carrying
// GENERATE_ANNOTATION are made by Ingress Lab and signed with the lab's own key (the one behind the fake
// controller certificate), so exports and saves withhold them by default: tls.crt and tls.key written with a
// value are emptied (`""`), which is exactly how the demo and the lessons ship the Secret; the next load
// generates them again, and `kubectl apply` accepts it (both keys present). Nothing else changes: Secrets
// without the annotation are the user's and stay as written, and data keys that are not written are not added.
// Returns the display names ("Secret ns/name") of every Secret carrying the annotation (the ones a caller tells
// the user about), whether or not its values were written.
std::vector<std::string> withholdGeneratedKeys(model::Workspace& ws);

// The same on the text of a workspace, for the GUI's save: only the two values change (comments and layout
// stay). `names` receives the display names as above. When the values cannot be rewritten in place (an
// unusual layout), the text of the workspace with the keys withheld is rewritten in normal form instead and
// `*normalized` is set, so key material is never kept by accident.
std::string withholdGeneratedKeysInText(const std::string& text, std::vector<std::string>* names = nullptr,
                                        bool* normalized = nullptr);

}  // namespace ilab::lessons
