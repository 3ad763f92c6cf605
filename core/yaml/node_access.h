#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

namespace ilab::yaml {

// Safe child lookup. yaml-cpp's const operator[] returns an *invalid* ("zombie") node for a missing key or
// a non-map parent, and every accessor but IsDefined() then throws InvalidNode. This returns a valid,
// undefined node instead, so IsMap()/IsScalar() can be asked of anything a user wrote.
inline YAML::Node get(const YAML::Node& n, const std::string& key) {
    if (!n.IsDefined() || !n.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    const YAML::Node& cn = n;
    YAML::Node v = cn[key];
    return v.IsDefined() ? v : YAML::Node(YAML::NodeType::Undefined);
}

inline YAML::Node get(const YAML::Node& n, std::size_t index) {
    if (!n.IsDefined() || !n.IsSequence() || index >= n.size()) return YAML::Node(YAML::NodeType::Undefined);
    return n[index];
}

}  // namespace ilab::yaml
