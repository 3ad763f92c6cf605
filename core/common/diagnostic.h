#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/common/field_path.h"
#include "core/common/source_pos.h"

namespace ilab {

enum class Severity { Error, Warning, Info };

// Error types as the API server names them (field.ErrorType), plus the importer's and linter's own.
enum class DiagCode {
    Required,      // FieldValueRequired   "Required value"
    Invalid,       // FieldValueInvalid    "Invalid value"
    NotSupported,  // FieldValueNotSupported "Unsupported value"
    Duplicate,     // FieldValueDuplicate  "Duplicate value"
    Forbidden,     // FieldValueForbidden  "Forbidden"
    TooLong,       // FieldValueTooLong    "Too long"
    TypeInvalid,   // FieldValueTypeInvalid "Invalid value" (wrong YAML type)
    NotFound,      // FieldValueNotFound   "Not found" (a referenced object is missing)
    Conflict,      // two objects disagree (duplicate host+path, ...)
    Syntax,        // YAML/JSON syntax error
    Converted,     // input was converted (v1beta1 -> v1)
    Lint,          // controller-behaviour advice
    Unknown,       // unknown annotation / field
};

// One problem found in a workspace (style.md D.13). `field` is the API server's field path
// (spec.rules[0].http.paths[1].pathType), `object` is "Kind namespace/name".
struct Diagnostic {
    Severity severity = Severity::Error;
    DiagCode code = DiagCode::Invalid;
    std::string object;  // "Ingress default/web" (empty for file-level problems)
    std::string field;   // "spec.rules[0].host"
    std::optional<std::string> badValue;
    std::string detail;  // "a lowercase RFC 1123 subdomain must consist of ..."
    std::optional<SourcePos> pos;
    std::string rule;    // stable id of a lint rule or check, e.g. "backend-service-missing"
    // Print badValue as is (numbers, null, Go-formatted values such as map[string]string{...}) instead of
    // quoted, as the API server does for non-string values ("Invalid value: 0: must be between 1 and 65535").
    bool isBadValueLiteral = false;

    // "spec.rules[0].host: Invalid value: \"Foo\": detail" — the API server's wording.
    std::string message() const;
};

const char* toString(Severity s);
// "FieldValueInvalid", "FieldValueRequired", ... (the names used in conformance cases and by the API).
const char* apiTypeName(DiagCode c);
// "Invalid value", "Required value", "Unsupported value", ...
const char* apiTypeText(DiagCode c);

using Diagnostics = std::vector<Diagnostic>;

inline bool hasErrors(const Diagnostics& d) {
    for (const auto& x : d)
        if (x.severity == Severity::Error) return true;
    return false;
}

}  // namespace ilab
