#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/diagnostic.h"
#include "core/model/ingress.h"
#include "core/model/resource.h"

namespace ilab::annotations {

// Every ingress-nginx annotation key starts with this prefix (annotations-prefix flag default).
inline constexpr std::string_view NGINX_PREFIX = "nginx.ingress.kubernetes.io/";

// Value type of an annotation: drives parsing, the annotation editor's widgets and its completion.
enum class ValueType {
    Bool,        // "true" / "false"
    Int,         // decimal integer
    Float,       // decimal number
    String,      // free text
    Url,         // absolute http(s) URL (or a path where documented)
    Path,        // URI path starting with "/"
    ByteSize,    // nginx size: 1024, 8k, 8m, 1g; 0 = unlimited
    CidrList,    // comma-separated CIDRs / IPs
    Regex,       // PCRE
    HeaderName,  // an HTTP header name
    CookieName,  // a cookie name
    Enum,        // one of AnnotationSpec::allowed
    StringList,  // comma-separated list
    Map,         // YAML map "name: value" lines
    Seconds,     // integer seconds
};
const char* toString(ValueType t);

// One annotation key (style.md C.12): the same table drives parsing, lint and the GUI designer.
struct AnnotationSpec {
    std::string_view key;          // without prefix: "canary-weight"
    ValueType type = ValueType::String;
    std::string_view defaultText;  // "" = unset / off
    std::string_view allowed;      // Enum: "cookie|balanced" ('|'-separated); otherwise ""
    std::string_view doc;          // one line
    std::string_view family;       // "canary", "cors", ...
    bool simulated = true;         // false: ingress-nginx knows it, Ingress Lab does not simulate it
    std::string fullKey() const { return std::string(NGINX_PREFIX) + std::string(key); }
};

// Typed access to one Ingress's nginx.ingress.kubernetes.io/ annotations with diagnostics: an invalid value
// gives a warning (field metadata.annotations[<key>], source position) and the caller's default applies.
// Not thread-safe; used by one compile() call.
class AnnotationReader {
public:
    AnnotationReader(const model::Ingress& ing, const model::Resource* res, Diagnostics* diags);

    const model::Ingress& ingress() const { return m_ing; }
    std::optional<std::string> raw(std::string_view key) const;  // short key, value as written
    bool has(std::string_view key) const { return raw(key).has_value(); }
    std::optional<bool> boolean(std::string_view key) const;
    std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) const;
    std::optional<double> number(std::string_view key, double min, double max) const;
    std::optional<std::string> string(std::string_view key) const;  // trimmed; nullopt if unset

    // Diagnostics on a key (short key), with field path and position.
    void warn(std::string_view key, const std::string& detail, DiagCode code = DiagCode::Invalid,
              const std::string& rule = "annotation-invalid") const;
    void error(std::string_view key, const std::string& detail, const std::string& rule = "annotation-invalid") const;
    void info(std::string_view key, const std::string& detail, const std::string& rule) const;
    bool hasErrors() const { return m_errors > 0; }

private:
    void add(Severity sev, DiagCode code, std::string_view key, const std::string& detail, const std::string& rule) const;
    const model::Ingress& m_ing;
    const model::Resource* m_res;
    Diagnostics* m_diags;
    mutable int m_errors = 0;
};

// Helpers shared by the families.
std::string trim(std::string_view s);
std::vector<std::string> splitList(std::string_view s, char sep = ',');  // trimmed, empty items dropped
// nginx size ("1m", "8k", "1024", "1g"); nullopt when invalid (template.go isValidByteSize).
std::optional<std::uint64_t> parseByteSize(std::string_view s);
bool isHttpUrl(std::string_view s);

}  // namespace ilab::annotations
