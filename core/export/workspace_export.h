#pragma once

#include <string>
#include <vector>

#include "core/common/diagnostic.h"
#include "core/model/workspace.h"

namespace ilab::exporting {

// What `ingress-lab-cli export` and the GUI's File > Export… write.
struct ExportOptions {
    enum class Format { Yaml, Json };
    Format format = Format::Yaml;
    bool ingressesOnly = false;         // only Ingress objects (what a team hands to the cluster's owners)
    bool withoutSecrets = false;        // leave every Secret out (keys stay on this machine)
    bool includeGeneratedKeys = false;  // see lessons::withholdGeneratedKeys: off = generated keys written empty
};

struct ExportResult {
    std::string text;                         // normalised, kubectl-ready YAML (multi-document) or JSON
    std::size_t objects = 0;                  // objects written
    std::vector<std::string> withheldKeys;    // "Secret ns/name" whose generated key material was left out
    // The kubectl-ready check: what `ingress-lab-cli validate --no-lint` says about the exported text read back
    // (syntax, the API server's validation, the ingress-nginx admission webhook). Errors mean `kubectl apply`
    // would refuse part of it; warnings do not.
    Diagnostics check;
    bool isKubectlReady() const;
};

// Exports `ws` (not modified): filters, withholds generated keys, writes, then reads the text back and validates
// it. Pure function; any thread.
ExportResult exportWorkspace(const model::Workspace& ws, const ExportOptions& options);

}  // namespace ilab::exporting
