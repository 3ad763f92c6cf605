#pragma once

#include <map>
#include <optional>
#include <string>

namespace ilab::model {

// metadata of any object. namespace defaults to "default" (isNamespaceSet says whether the user wrote it).
struct ObjectMeta {
    std::string name;
    std::string ns = "default";
    bool isNamespaceSet = false;
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> annotations;
    std::optional<std::string> creationTimestamp;  // RFC 3339 as written
    std::optional<std::string> uid;

    std::string annotation(const std::string& key, const std::string& fallback = {}) const {
        auto it = annotations.find(key);
        return it == annotations.end() ? fallback : it->second;
    }
    bool hasAnnotation(const std::string& key) const { return annotations.count(key) != 0; }
    std::string qualifiedName() const { return ns + "/" + name; }
    bool operator==(const ObjectMeta&) const = default;
};

}  // namespace ilab::model
