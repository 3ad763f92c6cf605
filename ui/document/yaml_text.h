#pragma once

#include <optional>
#include <string>
#include <vector>

#include <QString>
#include <yaml-cpp/yaml.h>

namespace ilab::ui::yamltext {

// Text-level helpers for editing a multi-document YAML stream without re-emitting it: where each
// document lies, where a scalar written at a line:col ends, how to write a new scalar. Pure functions,
// any thread. Offsets are QString (UTF-16) indexes; lines and columns are 1-based as in SourcePos, and
// columns count UTF-8 bytes as yaml-cpp's marks do.

// One document of the stream: [begin, end) offsets in the text, and whether it holds any content
// (documents with only comments/blank lines are skipped by the reader and get no index).
struct DocRange {
    int begin = 0;
    int end = 0;
    int firstLine = 1;  // 1-based line of `begin`
    bool hasContent = false;
};

// The documents of `text` split at `---` / `...` lines, in the same way the workspace reader splits them.
std::vector<DocRange> documentRanges(const QString& text);
// The content document with reader index `documentIndex` (blank documents are not counted), or nullopt.
std::optional<DocRange> contentDocument(const QString& text, int documentIndex);

// Offset of a 1-based line:column (column in UTF-8 bytes) in `text`; -1 when out of range.
int offsetOf(const QString& text, int line, int column);
// 1-based line of an offset.
int lineOf(const QString& text, int offset);

// The extent [begin, end) of the single-line scalar starting at `offset` (plain, 'single' or "double"
// quoted). nullopt when the value is not a single-line scalar (block scalar, flow collection, a map...).
struct ScalarExtent {
    int begin = 0, end = 0;
    char quote = 0;  // 0, '\'' or '"'
};
std::optional<ScalarExtent> scalarAt(const QString& text, int offset);

// How a form value is written.
enum class ScalarStyle {
    String,  // quoted when a reader would otherwise take it as a number/bool/null or when YAML needs it
    Raw,     // written as is (integers, booleans meant as such)
};
// `value` written as a YAML scalar. `forceQuote` keeps the user's quoting when the old value was quoted.
QString formatScalar(const QString& value, ScalarStyle style, bool forceQuote = false);
// A YAML 1.1/1.2 plain scalar that a reader would not read back as a string.
bool looksNonString(const std::string& s);

// A string node that stays a string when emitted ("true", "80" are tagged as quoted).
YAML::Node stringNode(const std::string& value);

// Navigates a field path as FieldPath prints it ("spec.rules[0].host", "metadata.annotations[a/b]").
// Returns an undefined node when any step is missing. Never modifies `root`.
YAML::Node nodeAt(const YAML::Node& root, const std::string& fieldPath);

// Sets (creating maps and growing sequences as needed) the value at `fieldPath` in `root`.
// Returns false when a step crosses a scalar or an index beyond size (size itself appends).
bool setAt(YAML::Node root, const std::string& fieldPath, const YAML::Node& value);
// Removes the value at `fieldPath` (map key or sequence element). False when absent.
bool removeAt(YAML::Node root, const std::string& fieldPath);

// Splits "spec.rules[0].http" into steps: {"spec"}, {"rules"}, {index 0}, {"http"}.
struct PathStep {
    std::string key;
    int index = -1;  // >= 0: sequence index
};
std::vector<PathStep> splitPath(const std::string& fieldPath);
// The inverse of splitPath (keys containing '.' or '/' use the bracket form).
std::string joinPath(const std::vector<PathStep>& steps);

}  // namespace ilab::ui::yamltext
