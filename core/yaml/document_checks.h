#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

namespace ilab::yaml {

// Checks run on a freshly parsed document before anything else walks it (style.md D.14: input we do not
// control is bounded and reported, never trusted).
//
// Alias expansion: yaml-cpp keeps an alias as a shared node, but every walker (positions, typed parsing,
// validation, export, clone) expands it, so nine nested aliases of nine items (the "billion laughs", 419 bytes)
// become 10^9 nodes and exhaust memory. A document may expand to at most max(MIN_EXPANDED_NODES, its size in
// bytes) nodes and max(MIN_EXPANDED_SCALAR_BYTES, 2 x its size) bytes of scalars. Without aliases a node needs at
// least one byte of text and a scalar cannot be longer than its text, so only alias expansion can cross the
// bound. 400,000 nodes is where kubectl's YAML decoder (go-yaml's excessive-aliasing check) starts to restrict
// aliases; Kubernetes objects are at most 1.5 MB (etcd's request limit).
inline constexpr std::size_t MIN_EXPANDED_NODES = 400'000;
inline constexpr std::size_t MIN_EXPANDED_SCALAR_BYTES = 16u << 20;

struct DocumentProblem {
    enum class Kind {
        ExcessiveAliasing,  // fatal: the document is refused
        DuplicateKey,       // an error for the object (the API server's strict decoding rejects it), kept loaded
    };
    Kind kind;
    int line = 0;    // 0-based, as YAML::Mark
    int column = 0;  // 0-based
    std::string message;
};

// Walks `doc` (expanding aliases, bounded as above) and returns its problems: at most one ExcessiveAliasing
// (then nothing else is checked) or every duplicate mapping key, each once.
std::vector<DocumentProblem> checkDocument(const YAML::Node& doc, std::size_t textBytes);

// yaml-cpp throws DeepRecursion ("bad file", often at 1:1) for collections nested past its recursion limit.
// Finds where the text first nests deeper than `maxDepth` flow collections or block levels, for the message.
struct NestingPosition {
    int line = 0;  // 1-based
    int column = 0;
    bool found = false;
};
NestingPosition findDeepNesting(const std::string& text, int maxDepth);

}  // namespace ilab::yaml
