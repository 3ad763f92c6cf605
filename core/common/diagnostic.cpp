#include "core/common/diagnostic.h"

#include <algorithm>

#include "core/common/display_text.h"

namespace ilab {

const char* toString(Severity s) {
    switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Info: return "info";
    }
    return "error";
}

const char* apiTypeName(DiagCode c) {
    switch (c) {
    case DiagCode::Required: return "FieldValueRequired";
    case DiagCode::Invalid: return "FieldValueInvalid";
    case DiagCode::NotSupported: return "FieldValueNotSupported";
    case DiagCode::Duplicate: return "FieldValueDuplicate";
    case DiagCode::Forbidden: return "FieldValueForbidden";
    case DiagCode::TooLong: return "FieldValueTooLong";
    case DiagCode::TypeInvalid: return "FieldValueTypeInvalid";
    case DiagCode::NotFound: return "FieldValueNotFound";
    case DiagCode::Conflict: return "Conflict";
    case DiagCode::Syntax: return "SyntaxError";
    case DiagCode::Converted: return "Converted";
    case DiagCode::Lint: return "Lint";
    case DiagCode::Unknown: return "Unknown";
    }
    return "FieldValueInvalid";
}

const char* apiTypeText(DiagCode c) {
    switch (c) {
    case DiagCode::Required: return "Required value";
    case DiagCode::Invalid: return "Invalid value";
    case DiagCode::NotSupported: return "Unsupported value";
    case DiagCode::Duplicate: return "Duplicate value";
    case DiagCode::Forbidden: return "Forbidden";
    case DiagCode::TooLong: return "Too long";
    case DiagCode::TypeInvalid: return "Invalid value";
    case DiagCode::NotFound: return "Not found";
    case DiagCode::Conflict: return "Conflict";
    case DiagCode::Syntax: return "Syntax error";
    case DiagCode::Converted: return "Converted";
    case DiagCode::Lint: return "Warning";
    case DiagCode::Unknown: return "Unknown";
    }
    return "Invalid value";
}

namespace {
// The bad value as the API server quotes it; cut and with control characters escaped (a 1 MB name or an ESC
// sequence must not reach the terminal whole).
std::string quoted(const std::string& v) {
    std::string escaped;
    escaped.reserve(std::min<std::size_t>(v.size(), DISPLAY_TEXT_MAX_BYTES) + 8);
    for (std::size_t i = 0; i < v.size() && escaped.size() <= DISPLAY_TEXT_MAX_BYTES; ++i) {
        if (v[i] == '"' || v[i] == '\\') escaped += '\\';
        escaped += v[i];
    }
    const std::string shown = displayText(escaped, DISPLAY_TEXT_MAX_BYTES, v.size());
    return "\"" + shown + "\"";
}
}  // namespace

std::string Diagnostic::message() const {
    std::string out;
    if (!field.empty()) out = field + ": ";
    switch (code) {
    case DiagCode::Required:
    case DiagCode::Invalid:
    case DiagCode::NotSupported:
    case DiagCode::Duplicate:
    case DiagCode::Forbidden:
    case DiagCode::TooLong:
    case DiagCode::TypeInvalid:
    case DiagCode::NotFound:
        out += apiTypeText(code);
        if (badValue) out += ": " + (isBadValueLiteral ? *badValue : quoted(*badValue));
        if (!detail.empty()) out += ": " + detail;
        break;
    default:
        out += detail;
        break;
    }
    return out;
}

}  // namespace ilab
