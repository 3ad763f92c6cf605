#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>

#include <yaml-cpp/yaml.h>

#include "core/common/source_pos.h"
#include "core/model/ingress.h"
#include "core/model/workload.h"

namespace ilab::model {

// Where a resource came from, and where each of its fields is: field path (as FieldPath prints it,
// e.g. "spec.rules[0].host") -> position of that field's value. Lookups fall back to the nearest parent.
struct SourceInfo {
    std::string file;       // file the document was read from ("" for text not yet saved)
    int documentIndex = 0;  // index of the YAML document in that file (0-based)
    SourcePos pos;          // where the document starts
    std::map<std::string, SourcePos> fields;

    // Position of the field, or of its nearest written ancestor, or of the document.
    SourcePos find(const std::string& fieldPath) const;
};

using TypedObject = std::variant<std::monostate, Ingress, IngressClass, Service, Endpoints, EndpointSlice, Deployment,
                                 Secret, ConfigMap>;

// One object of a workspace: the document exactly as written (`node`, which keeps unknown fields and
// unknown kinds for a lossless round trip) plus its typed view (`object`), derived from `node` by
// reparse(). The node is the source of truth; edit it, then call reparse().
//
// Thread note: YAML::Node copies share storage. Hand other threads a Workspace::clone(), never a copy.
struct Resource {
    std::string apiVersion;
    std::string kind;
    ObjectMeta meta;
    YAML::Node node;
    SourceInfo source;
    int creationOrder = 0;  // order of appearance; tie-break where creationTimestamp is absent
    TypedObject object;

    template <class T>
    const T* as() const { return std::get_if<T>(&object); }
    bool isKnownKind() const { return !std::holds_alternative<std::monostate>(object); }
    // "Ingress default/web"
    std::string displayName() const { return kind + " " + meta.ns + "/" + meta.name; }
};

}  // namespace ilab::model
