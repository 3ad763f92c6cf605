#include "core/yaml/yaml_writer.h"

#include <algorithm>
#include <regex>
#include <string_view>
#include <vector>
#include <sstream>

#include <QByteArray>

#include "core/yaml/node_access.h"

namespace ilab::yaml {

namespace {

// YAML 1.1 / 1.2 plain scalars that a reader would not take as a string.
bool looksNonString(const std::string& s) {
    static const std::regex re(
        R"(^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|[-+]?[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$)");
    return s.empty() || std::regex_match(s, re);
}

bool isJsonNumber(const std::string& s) {
    static const std::regex re(R"(^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$)");
    return std::regex_match(s, re);
}

void emitNode(YAML::Emitter& out, const YAML::Node& n, int depth = 0) {
    if (depth > 200) {
        out << YAML::Null;
        return;
    }
    switch (n.Type()) {
    case YAML::NodeType::Map:
        out << YAML::BeginMap;
        for (auto it = n.begin(); it != n.end(); ++it) {
            out << YAML::Key;
            emitNode(out, it->first, depth + 1);
            out << YAML::Value;
            emitNode(out, it->second, depth + 1);
        }
        out << YAML::EndMap;
        break;
    case YAML::NodeType::Sequence:
        out << YAML::BeginSeq;
        for (const auto& e : n) emitNode(out, e, depth + 1);
        out << YAML::EndSeq;
        break;
    case YAML::NodeType::Scalar: {
        const std::string& s = n.Scalar();
        const bool quotedInSource = n.Tag() == "!";
        if (s.find('\n') != std::string::npos) {
            out << YAML::Literal << s;
        } else if (quotedInSource && looksNonString(s)) {
            out << YAML::DoubleQuoted << s;
        } else {
            out << s;
        }
        break;
    }
    case YAML::NodeType::Null:
        out << YAML::Null;
        break;
    case YAML::NodeType::Undefined:
        out << YAML::Null;
        break;
    }
}

// ---- layout (YamlLayout) ------------------------------------------------------------------------------

std::vector<std::string_view> splitLines(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(start, nl - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        out.push_back(line);
        start = nl + 1;
    }
    return out;
}

int indentOf(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && line[i] == ' ') ++i;
    return static_cast<int>(i);
}

bool isBlank(std::string_view line) { return static_cast<std::size_t>(indentOf(line)) == line.size(); }

bool isSequenceItem(std::string_view line) {
    const std::string_view rest = line.substr(static_cast<std::size_t>(indentOf(line)));
    return rest == "-" || rest.substr(0, 2) == "- ";
}

// Column of a line's content after its indent and any "- " item markers ("  - - a: 1" -> 6).
int contentColumn(std::string_view line) {
    std::size_t p = static_cast<std::size_t>(indentOf(line));
    while (p + 1 < line.size() && line[p] == '-' && line[p + 1] == ' ') {
        p += 2;
        while (p < line.size() && line[p] == ' ') ++p;
    }
    return static_cast<int>(p);
}

// The content without a trailing " # comment" (a '#' inside quotes is kept; good enough for keys and markers).
std::string_view stripComment(std::string_view content) {
    char quote = 0;
    for (std::size_t i = 0; i < content.size(); ++i) {
        const char c = content[i];
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '#' && (i == 0 || content[i - 1] == ' ')) {
            content = content.substr(0, i);
            break;
        }
    }
    while (!content.empty() && content.back() == ' ') content.remove_suffix(1);
    return content;
}

// "key: |", "key: >-", "- |+2": the lines that follow (indented deeper) are the scalar's text.
bool startsBlockScalar(std::string_view content) {
    static const std::regex re(R"((^|: |^- )[|>][-+0-9]*$)");
    return std::regex_search(std::string(content), re);
}

// yaml-cpp's "key:\n  - item" turned into "key:\n- item": every line inside a sequence that is the value of a
// mapping key moves two columns left per such enclosing sequence. Block scalar text moves with its key.
std::string compactSequences(const std::string& emitted) {
    const std::vector<std::string_view> lines = splitLines(emitted);
    std::vector<int> open;       // key columns of the enclosing key-valued sequences
    int blockScalarIndent = -1;  // as in detectLayout
    std::string out;
    out.reserve(emitted.size());
    auto put = [&out](std::string_view line, int shift) {
        const int drop = std::min(shift, indentOf(line));
        out.append(line.substr(static_cast<std::size_t>(drop)));
        out += '\n';
    };
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        const int indent = indentOf(line);
        if (blockScalarIndent >= 0) {
            if (isBlank(line) || indent > blockScalarIndent) {
                put(line, 2 * static_cast<int>(open.size()));
                continue;
            }
            blockScalarIndent = -1;
        }
        if (isBlank(line)) {
            put(line, 0);
            continue;
        }
        while (!open.empty() && indent <= open.back()) open.pop_back();
        put(line, 2 * static_cast<int>(open.size()));
        const int keyCol = contentColumn(line);
        const std::string_view content = line.substr(static_cast<std::size_t>(keyCol));
        if (startsBlockScalar(content)) {
            blockScalarIndent = indent;
            continue;
        }
        if (!content.empty() && content.back() == ':' && i + 1 < lines.size() && isSequenceItem(lines[i + 1]) &&
            indentOf(lines[i + 1]) > keyCol)
            open.push_back(keyCol);
    }
    return out;
}

YAML::Node orderedMap(const YAML::Node& in, std::initializer_list<const char*> first) {
    YAML::Node out(YAML::NodeType::Map);
    for (const char* k : first)
        if (in[k].IsDefined()) out[k] = in[k];
    for (auto it = in.begin(); it != in.end(); ++it) {
        if (!it->first.IsScalar()) continue;
        const std::string& k = it->first.Scalar();
        bool done = false;
        for (const char* f : first) done = done || k == f;
        if (!done) out[it->first] = it->second;
    }
    return out;
}

void jsonString(std::ostringstream& o, const std::string& s) {
    o << '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': o << "\\\""; break;
        case '\\': o << "\\\\"; break;
        case '\n': o << "\\n"; break;
        case '\r': o << "\\r"; break;
        case '\t': o << "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                o << buf;
            } else {
                o << c;
            }
        }
    }
    o << '"';
}

void toJsonImpl(std::ostringstream& o, const YAML::Node& n, int indent, int level) {
    const std::string pad = indent > 0 ? std::string((level + 1) * indent, ' ') : "";
    const std::string padEnd = indent > 0 ? std::string(level * indent, ' ') : "";
    const char* nl = indent > 0 ? "\n" : "";
    switch (n.Type()) {
    case YAML::NodeType::Map: {
        if (n.size() == 0) {
            o << "{}";
            return;
        }
        o << '{' << nl;
        bool first = true;
        for (auto it = n.begin(); it != n.end(); ++it) {
            if (!first) o << ',' << nl;
            first = false;
            o << pad;
            jsonString(o, it->first.IsScalar() ? it->first.Scalar() : std::string("?"));
            o << (indent > 0 ? ": " : ":");
            toJsonImpl(o, it->second, indent, level + 1);
        }
        o << nl << padEnd << '}';
        return;
    }
    case YAML::NodeType::Sequence: {
        if (n.size() == 0) {
            o << "[]";
            return;
        }
        o << '[' << nl;
        for (std::size_t i = 0; i < n.size(); ++i) {
            if (i) o << ',' << nl;
            o << pad;
            toJsonImpl(o, n[i], indent, level + 1);
        }
        o << nl << padEnd << ']';
        return;
    }
    case YAML::NodeType::Scalar: {
        const std::string& s = n.Scalar();
        if (n.Tag() != "!") {
            if (s == "true" || s == "false") { o << s; return; }
            if (s == "True" || s == "TRUE") { o << "true"; return; }
            if (s == "False" || s == "FALSE") { o << "false"; return; }
            if (s == "null" || s == "~" || s == "Null" || s == "NULL") { o << "null"; return; }
            if (isJsonNumber(s)) { o << s; return; }
        }
        jsonString(o, s);
        return;
    }
    default:
        o << "null";
    }
}

}  // namespace

YAML::Node normalizedNode(const model::Resource& r) {
    YAML::Node doc = YAML::Clone(r.node);
    if (!doc.IsMap()) return doc;
    if (get(doc, "metadata").IsMap())
        doc["metadata"] = orderedMap(get(doc, "metadata"), {"name", "namespace", "labels", "annotations"});
    // Secrets: stringData is folded into base64 data (as the API server stores it)
    if (r.kind == "Secret" && get(doc, "stringData").IsMap()) {
        YAML::Node data = get(doc, "data").IsMap() ? get(doc, "data") : YAML::Node(YAML::NodeType::Map);
        const YAML::Node stringData = get(doc, "stringData");
        for (auto it = stringData.begin(); it != stringData.end(); ++it) {
            if (!it->second.IsScalar() && !it->second.IsNull()) continue;
            const std::string v = it->second.IsScalar() ? it->second.Scalar() : std::string();
            data[it->first.Scalar()] = QByteArray::fromStdString(v).toBase64().toStdString();
        }
        YAML::Node rebuilt(YAML::NodeType::Map);
        for (auto it = doc.begin(); it != doc.end(); ++it) {
            const std::string k = it->first.Scalar();
            if (k == "stringData") {
                if (!get(rebuilt, "data").IsDefined()) rebuilt["data"] = data;
            } else if (k == "data") {
                rebuilt["data"] = data;
            } else {
                rebuilt[it->first] = it->second;
            }
        }
        doc = rebuilt;
    }
    return orderedMap(doc, {"apiVersion", "kind", "metadata", "spec"});
}

std::string toYaml(const model::Resource& r) { return toYaml(r, YamlLayout{}); }

std::string toYaml(const model::Resource& r, const YamlLayout& layout) {
    YAML::Emitter out;
    out.SetIndent(2);
    out.SetSeqFormat(YAML::Block);
    out.SetMapFormat(YAML::Block);
    emitNode(out, normalizedNode(r));
    std::string s = out.c_str();
    if (!s.empty() && s.back() != '\n') s += '\n';
    return layout.indentSequences ? s : compactSequences(s);
}

std::optional<YamlLayout> detectLayout(std::string_view text) {
    const std::vector<std::string_view> lines = splitLines(text);
    int blockScalarIndent = -1;  // inside a block scalar started by a line with this indent
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        const int indent = indentOf(line);
        if (blockScalarIndent >= 0) {
            if (isBlank(line) || indent > blockScalarIndent) continue;
            blockScalarIndent = -1;
        }
        if (isBlank(line) || line[static_cast<std::size_t>(indent)] == '#') continue;
        const int keyCol = contentColumn(line);
        const std::string_view content = stripComment(line.substr(static_cast<std::size_t>(keyCol)));
        if (startsBlockScalar(content)) {
            blockScalarIndent = indent;
            continue;
        }
        if (content.empty() || content.back() != ':') continue;
        // the next line that is neither blank nor a comment
        std::size_t j = i + 1;
        while (j < lines.size() && (isBlank(lines[j]) || lines[j][static_cast<std::size_t>(indentOf(lines[j]))] == '#')) ++j;
        if (j == lines.size() || !isSequenceItem(lines[j])) continue;
        const int itemIndent = indentOf(lines[j]);
        if (itemIndent == keyCol) return YamlLayout{false};
        if (itemIndent > keyCol) return YamlLayout{true};
    }
    return std::nullopt;
}

std::string toYaml(const model::Workspace& ws) {
    std::string out;
    for (std::size_t i = 0; i < ws.resources.size(); ++i) {
        if (i) out += "---\n";
        out += toYaml(ws.resources[i]);
    }
    return out;
}

std::string nodeToJson(const YAML::Node& n, int indent) {
    std::ostringstream o;
    toJsonImpl(o, n, indent, 0);
    return o.str();
}

std::string toJson(const model::Resource& r, int indent) { return nodeToJson(normalizedNode(r), indent) + "\n"; }

std::string toJson(const model::Workspace& ws, int indent) {
    if (ws.resources.size() == 1) return toJson(ws.resources.front(), indent);
    YAML::Node list(YAML::NodeType::Map);
    list["apiVersion"] = "v1";
    list["kind"] = "List";
    YAML::Node items(YAML::NodeType::Sequence);
    for (const auto& r : ws.resources) items.push_back(normalizedNode(r));
    list["items"] = items;
    return nodeToJson(list, indent) + "\n";
}

}  // namespace ilab::yaml
