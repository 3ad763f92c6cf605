#pragma once

#include <string>
#include <vector>

#include "core/common/diagnostic.h"
#include "core/common/field_path.h"
#include "core/model/resource.h"

namespace ilab::validation {

// Appends diagnostics about one resource, in the API server's field.Error vocabulary (Invalid, Required,
// NotSupported, Duplicate, Forbidden, TooLong). Fills object ("Ingress default/web"), rule, severity and the
// source position of the field (the nearest written ancestor when the field itself was not written).
// A short-lived helper owned by the validating function; not thread-safe (it appends to one list).
class Reporter {
public:
    Reporter(const model::Resource& resource, Diagnostics& out, std::string rule, Severity severity = Severity::Error);

    // `posField` (optional): where the source position is looked up when it differs from the printed field
    // (a bad label key is reported on metadata.labels but sits at metadata.labels[key]).
    void invalid(const FieldPath& field, const std::string& badValue, const std::string& detail,
                 const std::string& posField = {});
    // A non-string bad value (number, null, Go-formatted struct): printed unquoted.
    void invalidLiteral(const FieldPath& field, const std::string& literal, const std::string& detail);
    void required(const FieldPath& field, const std::string& detail = {});
    void notSupported(const FieldPath& field, const std::string& badValue, const std::vector<std::string>& supported);
    void duplicate(const FieldPath& field, const std::string& badValue, bool isLiteral = false);
    void forbidden(const FieldPath& field, const std::string& detail);
    void tooLong(const FieldPath& field, long long maxBytes);

    // Fully custom diagnostic; object/rule/severity/pos are filled when empty. `posField` overrides the
    // field used to find the source position (for paths the API prints differently from the YAML layout).
    Diagnostic& add(Diagnostic d, const std::string& posField = {});

    // Source position of a field path of this resource.
    SourcePos posOf(const std::string& field) const;
    const model::Resource& resource() const { return m_resource; }
    std::size_t count() const { return m_out.size() - m_start; }

private:
    const model::Resource& m_resource;
    Diagnostics& m_out;
    std::string m_rule;
    Severity m_severity;
    std::size_t m_start;
};

}  // namespace ilab::validation
