#include "core/validation/reporter.h"

#include "core/validation/name_rules.h"

namespace ilab::validation {

Reporter::Reporter(const model::Resource& resource, Diagnostics& out, std::string rule, Severity severity)
    : m_resource(resource), m_out(out), m_rule(std::move(rule)), m_severity(severity), m_start(out.size()) {}

SourcePos Reporter::posOf(const std::string& field) const {
    // The API prints annotation keys as annotations.<key> or metadata.annotations; the reader records
    // metadata.annotations[<key>].
    static const std::string ANN = "annotations.";
    if (field.rfind(ANN, 0) == 0) return m_resource.source.find("metadata.annotations[" + field.substr(ANN.size()) + "]");
    return m_resource.source.find(field);
}

Diagnostic& Reporter::add(Diagnostic d, const std::string& posField) {
    if (d.object.empty()) d.object = m_resource.displayName();
    if (d.rule.empty()) d.rule = m_rule;
    if (!d.pos) d.pos = posOf(posField.empty() ? d.field : posField);
    m_out.push_back(std::move(d));
    return m_out.back();
}

namespace {
Diagnostic make(Severity s, DiagCode c, const FieldPath& f) {
    Diagnostic d;
    d.severity = s;
    d.code = c;
    d.field = f.toString();
    return d;
}
}  // namespace

void Reporter::invalid(const FieldPath& field, const std::string& badValue, const std::string& detail,
                       const std::string& posField) {
    Diagnostic d = make(m_severity, DiagCode::Invalid, field);
    d.badValue = badValue;
    d.detail = detail;
    add(std::move(d), posField);
}

void Reporter::invalidLiteral(const FieldPath& field, const std::string& literal, const std::string& detail) {
    Diagnostic d = make(m_severity, DiagCode::Invalid, field);
    d.badValue = literal;
    d.isBadValueLiteral = true;
    d.detail = detail;
    add(std::move(d));
}

void Reporter::required(const FieldPath& field, const std::string& detail) {
    Diagnostic d = make(m_severity, DiagCode::Required, field);
    d.detail = detail;
    add(std::move(d));
}

void Reporter::notSupported(const FieldPath& field, const std::string& badValue, const std::vector<std::string>& supported) {
    Diagnostic d = make(m_severity, DiagCode::NotSupported, field);
    d.badValue = badValue;
    if (!supported.empty()) {
        d.detail = "supported values: ";
        for (std::size_t i = 0; i < supported.size(); ++i) d.detail += (i ? ", " : "") + names::goQuote(supported[i]);
    }
    add(std::move(d));
}

void Reporter::duplicate(const FieldPath& field, const std::string& badValue, bool isLiteral) {
    Diagnostic d = make(m_severity, DiagCode::Duplicate, field);
    d.badValue = badValue;
    d.isBadValueLiteral = isLiteral;
    add(std::move(d));
}

void Reporter::forbidden(const FieldPath& field, const std::string& detail) {
    Diagnostic d = make(m_severity, DiagCode::Forbidden, field);
    d.detail = detail;
    add(std::move(d));
}

void Reporter::tooLong(const FieldPath& field, long long maxBytes) {
    Diagnostic d = make(m_severity, DiagCode::TooLong, field);
    d.detail = "must have at most " + std::to_string(maxBytes) + " bytes";
    add(std::move(d));
}

}  // namespace ilab::validation
