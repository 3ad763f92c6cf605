#pragma once

#include <string>

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

}  // namespace ilab::lessons
