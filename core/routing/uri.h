#pragma once

#include <optional>
#include <string>

namespace ilab::routing {

// Request normalisation as nginx does it before matching (semantics.md §2.2, §3.2.6).

// Host header -> server-name key: port dropped, lowercased, one trailing dot removed. nullopt = nginx answers 400
// (consecutive dots, illegal characters). "" stays "" (no Host / IP-less request).
std::optional<std::string> normalizeHost(const std::string& host);
// The Host header without its port (case kept), for Location headers.
std::string hostWithoutPort(const std::string& host);

struct SplitTarget {
    std::string path;   // raw path as sent
    std::string query;  // without '?', "" if none
    bool hasQuery = false;
};
SplitTarget splitTarget(const std::string& target);

// nginx $uri: %XX decoded, "." and ".." resolved, repeated slashes merged. nullopt = 400 (".." above root,
// bad escape).
std::optional<std::string> normalizePath(const std::string& rawPath);

// Lowercase ASCII.
std::string toLower(std::string s);

}  // namespace ilab::routing
