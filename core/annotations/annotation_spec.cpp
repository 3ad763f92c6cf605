#include "core/annotations/annotation_spec.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/common/field_path.h"

namespace ilab::annotations {

const char* toString(ValueType t) {
    switch (t) {
    case ValueType::Bool: return "bool";
    case ValueType::Int: return "int";
    case ValueType::Float: return "float";
    case ValueType::String: return "string";
    case ValueType::Url: return "url";
    case ValueType::Path: return "path";
    case ValueType::ByteSize: return "size";
    case ValueType::CidrList: return "cidr-list";
    case ValueType::Regex: return "regex";
    case ValueType::HeaderName: return "header-name";
    case ValueType::CookieName: return "cookie-name";
    case ValueType::Enum: return "enum";
    case ValueType::StringList: return "list";
    case ValueType::Map: return "map";
    case ValueType::Seconds: return "seconds";
    }
    return "string";
}

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

std::vector<std::string> splitList(std::string_view s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t end = s.find(sep, start);
        if (end == std::string_view::npos) end = s.size();
        std::string item = trim(s.substr(start, end - start));
        if (!item.empty()) out.push_back(std::move(item));
        start = end + 1;
    }
    return out;
}

std::optional<std::uint64_t> parseByteSize(std::string_view s) {
    std::string t = trim(s);
    if (t.empty()) return std::nullopt;
    std::uint64_t mult = 1;
    char last = static_cast<char>(std::tolower(static_cast<unsigned char>(t.back())));
    if (last == 'k') mult = 1024ULL;
    else if (last == 'm') mult = 1024ULL * 1024;
    else if (last == 'g') mult = 1024ULL * 1024 * 1024;
    if (mult != 1) t.pop_back();
    if (t.empty()) return std::nullopt;
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || p != t.data() + t.size()) return std::nullopt;
    return v * mult;
}

bool isHttpUrl(std::string_view s) {
    return (s.rfind("http://", 0) == 0 && s.size() > 7) || (s.rfind("https://", 0) == 0 && s.size() > 8);
}

AnnotationReader::AnnotationReader(const model::Ingress& ing, const model::Resource* res, Diagnostics* diags)
    : m_ing(ing), m_res(res), m_diags(diags) {}

std::optional<std::string> AnnotationReader::raw(std::string_view key) const {
    auto it = m_ing.meta.annotations.find(std::string(NGINX_PREFIX) + std::string(key));
    if (it == m_ing.meta.annotations.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> AnnotationReader::string(std::string_view key) const {
    auto v = raw(key);
    if (!v) return std::nullopt;
    return trim(*v);
}

std::optional<bool> AnnotationReader::boolean(std::string_view key) const {
    auto v = string(key);
    if (!v) return std::nullopt;
    // ingress-nginx parser.GetBoolAnnotation uses strconv.ParseBool.
    if (*v == "true" || *v == "True" || *v == "TRUE" || *v == "1" || *v == "t" || *v == "T") return true;
    if (*v == "false" || *v == "False" || *v == "FALSE" || *v == "0" || *v == "f" || *v == "F") return false;
    warn(key, "must be \"true\" or \"false\"; the default applies");
    return std::nullopt;
}

std::optional<std::int64_t> AnnotationReader::integer(std::string_view key, std::int64_t min, std::int64_t max) const {
    auto v = string(key);
    if (!v) return std::nullopt;
    std::int64_t x = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
    if (ec != std::errc() || p != v->data() + v->size()) {
        warn(key, "must be an integer; the default applies");
        return std::nullopt;
    }
    if (x < min || x > max) {
        warn(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + "; the default applies");
        return std::nullopt;
    }
    return x;
}

std::optional<double> AnnotationReader::number(std::string_view key, double min, double max) const {
    auto v = string(key);
    if (!v) return std::nullopt;
    char* end = nullptr;
    double x = std::strtod(v->c_str(), &end);
    if (v->empty() || end != v->c_str() + v->size() || !std::isfinite(x)) {
        warn(key, "must be a number; the default applies");
        return std::nullopt;
    }
    if (x < min || x > max) {
        warn(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + "; the default applies");
        return std::nullopt;
    }
    return x;
}

void AnnotationReader::add(Severity sev, DiagCode code, std::string_view key, const std::string& detail,
                           const std::string& rule) const {
    if (sev == Severity::Error) ++m_errors;
    if (!m_diags) return;
    const std::string full = std::string(NGINX_PREFIX) + std::string(key);
    Diagnostic d;
    d.severity = sev;
    d.code = code;
    d.object = "Ingress " + m_ing.meta.qualifiedName();
    d.field = FieldPath("metadata").child("annotations").key(full).toString();
    if (auto v = raw(key)) d.badValue = *v;
    d.detail = detail;
    if (m_res) d.pos = m_res->source.find(d.field);
    d.rule = rule;
    m_diags->push_back(std::move(d));
}

void AnnotationReader::warn(std::string_view key, const std::string& detail, DiagCode code, const std::string& rule) const {
    add(Severity::Warning, code, key, detail, rule);
}
void AnnotationReader::error(std::string_view key, const std::string& detail, const std::string& rule) const {
    add(Severity::Error, DiagCode::Invalid, key, detail, rule);
}
void AnnotationReader::info(std::string_view key, const std::string& detail, const std::string& rule) const {
    add(Severity::Info, DiagCode::Lint, key, detail, rule);
}

}  // namespace ilab::annotations
