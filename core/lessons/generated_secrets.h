#pragma once

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

}  // namespace ilab::lessons
