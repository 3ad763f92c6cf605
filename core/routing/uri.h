#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ilab::routing {

// Request normalisation as nginx does it before matching (semantics.md §2.2, §3.2.6).
// The *Into / *View forms are the router's hot path: they write into a caller's buffer (its capacity reused
// across requests) or return views into the input, and give exactly what the std::string forms give.

// Host header -> server-name key: port dropped, lowercased, one trailing dot removed. nullopt = nginx answers 400
// (consecutive dots, illegal characters). "" stays "" (no Host / IP-less request).
std::optional<std::string> normalizeHost(const std::string& host);
bool normalizeHostInto(std::string_view host, std::string& out);  // false = 400 (out unspecified)
// The Host header without its port (case kept), for Location headers.
std::string hostWithoutPort(const std::string& host);
std::string_view hostWithoutPortView(std::string_view host);  // a view into `host`

struct SplitTarget {
    std::string path;   // raw path as sent
    std::string query;  // without '?', "" if none
    bool hasQuery = false;
};
SplitTarget splitTarget(const std::string& target);

// The same split as views into the target (path "/" when empty: a static literal).
struct SplitTargetView {
    std::string_view path;
    std::string_view query;
    bool hasQuery = false;
};
SplitTargetView splitTargetView(std::string_view target);

// nginx $uri: %XX decoded, "." and ".." resolved, repeated slashes merged. nullopt = 400 (".." above root,
// bad escape).
std::optional<std::string> normalizePath(const std::string& rawPath);
// `scratch` holds the decoded path in between; false = 400 (out unspecified).
bool normalizePathInto(std::string_view rawPath, std::string& out, std::string& scratch);

// Lowercase ASCII.
std::string toLower(std::string s);

}  // namespace ilab::routing
