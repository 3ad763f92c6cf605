#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "core/model/workspace.h"

namespace ilab::yaml {

// kubectl-ready output (issue 2 §5): top-level keys in a stable order (apiVersion, kind, metadata, spec,
// then the rest as written), metadata keys name, namespace, labels, annotations first, no fields the user
// did not write, Secret stringData folded into base64 `data`, quoted scalars stay quoted (so annotation
// values such as "true" stay strings), multi-line strings as literal blocks. Unknown fields and kinds are kept.

// The resource's document, normalised as above.
YAML::Node normalizedNode(const model::Resource& r);

std::string toYaml(const model::Resource& r);
// All resources as a multi-document stream separated by "---".
std::string toYaml(const model::Workspace& ws);

// JSON: one object, or {"apiVersion":"v1","kind":"List","items":[...]} for several.
std::string toJson(const model::Resource& r, int indent = 2);
std::string toJson(const model::Workspace& ws, int indent = 2);
// A YAML node as JSON (plain scalars that look like numbers/booleans/null stay unquoted).
std::string nodeToJson(const YAML::Node& n, int indent = 2);

}  // namespace ilab::yaml
