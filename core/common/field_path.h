#pragma once

#include <string>
#include <string_view>

namespace ilab {

// A path to a field, printed the way the Kubernetes API server prints field errors:
//   FieldPath("spec").child("rules").index(0).child("http")  -> spec.rules[0].http
//   FieldPath("metadata").child("annotations").key("a/b")    -> metadata.annotations[a/b]
// (k8s.io/apimachinery/pkg/util/validation/field Path.String()).
class FieldPath {
public:
    FieldPath() = default;
    explicit FieldPath(std::string_view root) : m_path(root) {}

    FieldPath child(std::string_view name) const {
        FieldPath p(*this);
        if (!p.m_path.empty()) p.m_path += '.';
        p.m_path += name;
        return p;
    }
    FieldPath index(std::size_t i) const {
        FieldPath p(*this);
        p.m_path += '[' + std::to_string(i) + ']';
        return p;
    }
    FieldPath key(std::string_view k) const {
        FieldPath p(*this);
        p.m_path += '[';
        p.m_path += k;
        p.m_path += ']';
        return p;
    }
    const std::string& toString() const { return m_path; }
    bool empty() const { return m_path.empty(); }
    bool operator==(const FieldPath&) const = default;

private:
    std::string m_path;
};

}  // namespace ilab
