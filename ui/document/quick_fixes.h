#pragma once

#include <functional>
#include <vector>

#include <QString>

#include "core/common/diagnostic.h"
#include "core/model/workspace.h"

namespace ilab::ui {

class WorkspaceDocument;

// A one-click repair offered for a diagnostic. apply() edits the document as one undo step and returns
// false when the workspace changed so that the fix no longer applies.
struct QuickFix {
    QString id;     // "create-service", "create-tls-secret", "regenerate-tls-secret", "add-path-type", "service-weights-to-canary"
    QString title;  // shown in menus: "Create Service 'web' (port 80) and its Deployment"
    std::function<bool(WorkspaceDocument&)> apply;
};

// The fixes that apply to `diag` in `ws`. Recognised by the field path and the workspace state (not by the
// wording), so they also work for the same problem found by another check:
//  - a backend Service that does not exist            -> create the Service and a Deployment for it
//  - a Service with no Deployment selecting it          -> create the Deployment
//  - a TLS secretName that does not exist              -> generate a self-signed TLS Secret for the hosts
//  - a TLS Secret that does not cover a host / expired  -> regenerate it for the entry's hosts
//  - a path without pathType                            -> add pathType Prefix (or Exact)
//  - the Traefik-style service-weights annotation        -> split into the primary and an ingress-nginx canary Ingress
std::vector<QuickFix> quickFixesFor(const Diagnostic& diag, const model::Workspace& ws);

// "Ingress ns/name" -> kind, ns, name (false when not of that form).
bool parseObjectRef(const std::string& object, std::string* kind, std::string* ns, std::string* name);

}  // namespace ilab::ui
