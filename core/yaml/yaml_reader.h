#pragma once

#include <string>
#include <vector>

#include "core/model/workspace.h"

namespace ilab::yaml {

// Reads workspace files: multi-document YAML, JSON, `kind: List`, single files and folders.
// Never throws: syntax and type errors become Diagnostics in Workspace::loadDiagnostics (with
// file:line:col), and every other document of the file is still loaded. Ingresses in
// extensions/v1beta1 and networking.k8s.io/v1beta1 are converted to v1 with a warning.

// Parses `text` (the content of `fileName`) and appends its objects to `ws`.
void readText(const std::string& text, const std::string& fileName, model::Workspace& ws);

// Reads a file, or every *.yaml/*.yml/*.json file of a folder (sorted, recursively).
// Returns false (and adds a diagnostic) when the path cannot be read at all.
bool readPath(const std::string& path, model::Workspace& ws);

// Convenience: a fresh workspace from paths. `allReadable` is set false if any path was unreadable.
model::Workspace loadPaths(const std::vector<std::string>& paths, bool* allReadable = nullptr);

// Rebuilds the typed view (apiVersion, kind, meta, object) and field positions of a resource from its node,
// appending type errors (wrong YAML type for a known field) to `diags`.
void reparse(model::Resource& r, Diagnostics* diags = nullptr);

}  // namespace ilab::yaml
