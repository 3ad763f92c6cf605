#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "core/model/workspace.h"

namespace ilab::yaml {

// kubectl-ready output (issue 2 §5): top-level keys in a stable order (apiVersion, kind, metadata, spec,
// then the rest as written), metadata keys name, namespace, labels, annotations first, no fields the user
// did not write, Secret stringData folded into base64 `data`, quoted scalars stay quoted (so annotation
// values such as "true" stay strings), multi-line strings as literal blocks. Unknown fields and kinds are kept.

// The resource's document, normalised as above.
YAML::Node normalizedNode(const model::Resource& r);

// How a file lays out block sequences under a mapping key, so that a document written back into it (a form
// edit, a new object) looks like its neighbours:
//     indented (yaml-cpp's default)      compact (kubectl's, most Kubernetes files)
//     rules:                             rules:
//       - host: a                        - host: a
struct YamlLayout {
    bool indentSequences = true;
};
// The layout of `text`: the first block sequence under a mapping key decides (comments and block scalars are
// skipped). nullopt when the text has no such sequence.
std::optional<YamlLayout> detectLayout(std::string_view text);

std::string toYaml(const model::Resource& r, const YamlLayout& layout);
std::string toYaml(const model::Resource& r);
// All resources as a multi-document stream separated by "---".
std::string toYaml(const model::Workspace& ws);

// JSON: one object, or {"apiVersion":"v1","kind":"List","items":[...]} for several.
std::string toJson(const model::Resource& r, int indent = 2);
std::string toJson(const model::Workspace& ws, int indent = 2);
// A YAML node as JSON (plain scalars that look like numbers/booleans/null stay unquoted).
std::string nodeToJson(const YAML::Node& n, int indent = 2);

}  // namespace ilab::yaml
