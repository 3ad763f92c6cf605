#include "ui/document/yaml_text.h"

#include <regex>

#include <QStringList>

namespace ilab::ui::yamltext {

namespace {

bool isSeparatorLine(const QString& l, bool* hasInline) {
    *hasInline = false;
    auto rest = [&](int i) { return l.size() == 3 || l[i] == QLatin1Char(' ') || l[i] == QLatin1Char('\t') || l[i] == QLatin1Char('\r'); };
    if (l.startsWith(QLatin1String("---")) && rest(3)) {
        *hasInline = l.size() > 4 && !l.mid(4).trimmed().isEmpty() && !l.mid(4).trimmed().startsWith(QLatin1Char('#'));
        return true;
    }
    if (l.startsWith(QLatin1String("...")) && (l.size() == 3 || l[3] == QLatin1Char(' ') || l[3] == QLatin1Char('\r'))) return true;
    return false;
}

bool blankText(const QString& text) {
    const auto lines = text.split(QLatin1Char('\n'));
    for (const QString& raw : lines) {
        const QString l = raw.trimmed();
        if (l.isEmpty() || l.startsWith(QLatin1Char('#')) || l.startsWith(QLatin1String("%YA")) || l.startsWith(QLatin1String("%TAG"))) continue;
        return false;
    }
    return true;
}

}  // namespace

std::vector<DocRange> documentRanges(const QString& text) {
    std::vector<DocRange> out;
    const int first = [&] {
        for (int i = 0; i < text.size(); ++i)
            if (!text[i].isSpace()) return i;
        return -1;
    }();
    if (first >= 0 && (text[first] == QLatin1Char('{') || text[first] == QLatin1Char('['))) {
        out.push_back(DocRange{0, static_cast<int>(text.size()), 1, true});
        return out;
    }
    DocRange cur{0, 0, 1, false};
    int pos = 0;
    int line = 1;
    while (pos <= text.size()) {
        int nl = text.indexOf(QLatin1Char('\n'), pos);
        const int lineEnd = nl < 0 ? static_cast<int>(text.size()) : nl;
        const QString l = text.mid(pos, lineEnd - pos);
        bool inlineDoc = false;
        if (isSeparatorLine(l, &inlineDoc)) {
            cur.end = pos;
            out.push_back(cur);
            cur = DocRange{nl < 0 ? lineEnd : nl + 1, 0, line + 1, false};
            if (inlineDoc) cur = DocRange{pos + 4, 0, line, false};
        }
        if (nl < 0) break;
        pos = nl + 1;
        ++line;
    }
    cur.end = static_cast<int>(text.size());
    out.push_back(cur);
    for (auto& d : out) d.hasContent = !blankText(text.mid(d.begin, d.end - d.begin));
    return out;
}

std::optional<DocRange> contentDocument(const QString& text, int documentIndex) {
    int idx = 0;
    for (const DocRange& d : documentRanges(text)) {
        if (!d.hasContent) continue;
        if (idx == documentIndex) return d;
        ++idx;
    }
    return std::nullopt;
}

int offsetOf(const QString& text, int line, int column) {
    if (line < 1 || column < 1) return -1;
    int pos = 0;
    for (int l = 1; l < line; ++l) {
        int nl = text.indexOf(QLatin1Char('\n'), pos);
        if (nl < 0) return -1;
        pos = nl + 1;
    }
    int nl = text.indexOf(QLatin1Char('\n'), pos);
    const QString lineText = text.mid(pos, (nl < 0 ? text.size() : nl) - pos);
    const QByteArray utf8 = lineText.toUtf8();
    if (column - 1 > utf8.size()) return -1;
    return pos + static_cast<int>(QString::fromUtf8(utf8.left(column - 1)).size());
}

int lineOf(const QString& text, int offset) {
    int line = 1;
    for (int i = 0; i < offset && i < text.size(); ++i)
        if (text[i] == QLatin1Char('\n')) ++line;
    return line;
}

std::optional<ScalarExtent> scalarAt(const QString& text, int offset) {
    if (offset < 0 || offset > text.size()) return std::nullopt;
    int lineEnd = text.indexOf(QLatin1Char('\n'), offset);
    if (lineEnd < 0) lineEnd = static_cast<int>(text.size());
    if (offset == lineEnd) return std::nullopt;  // value on the next line (or empty): not an in-place scalar
    const QChar c = text[offset];
    if (c == QLatin1Char('"')) {
        for (int i = offset + 1; i < lineEnd; ++i) {
            if (text[i] == QLatin1Char('\\')) { ++i; continue; }
            if (text[i] == QLatin1Char('"')) return ScalarExtent{offset, i + 1, '"'};
        }
        return std::nullopt;  // multi-line double-quoted
    }
    if (c == QLatin1Char('\'')) {
        for (int i = offset + 1; i < lineEnd; ++i) {
            if (text[i] == QLatin1Char('\'')) {
                if (i + 1 < lineEnd && text[i + 1] == QLatin1Char('\'')) { ++i; continue; }
                return ScalarExtent{offset, i + 1, '\''};
            }
        }
        return std::nullopt;
    }
    static const QString notPlainStart = QStringLiteral("|>{[&*!%@`#");
    if (notPlainStart.contains(c) || c == QLatin1Char('\r')) return std::nullopt;
    int end = lineEnd;
    for (int i = offset; i < lineEnd; ++i) {
        if (text[i] == QLatin1Char('#') && i > offset && text[i - 1].isSpace()) { end = i; break; }
    }
    while (end > offset && text[end - 1].isSpace()) --end;
    if (end == offset) return std::nullopt;
    return ScalarExtent{offset, end, 0};
}

bool looksNonString(const std::string& s) {
    static const std::regex re(
        R"(^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|[-+]?[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$)");
    return s.empty() || std::regex_match(s, re);
}

QString formatScalar(const QString& value, ScalarStyle style, bool forceQuote) {
    if (style == ScalarStyle::Raw && !value.isEmpty()) return value;
    bool quote = forceQuote || looksNonString(value.toStdString());
    static const QString specialStart = QStringLiteral("-?:,[]{}#&*!|>'\"%@`");
    if (!quote && !value.isEmpty()) {
        quote = specialStart.contains(value[0]) || value.contains(QLatin1String(": ")) || value.contains(QLatin1String(" #")) ||
                value.endsWith(QLatin1Char(':')) || value.front().isSpace() || value.back().isSpace() ||
                value.contains(QLatin1Char('\t'));
    }
    // "-/" and "/api" are fine unquoted, but a leading "- " or "? " is a YAML indicator
    if (!forceQuote && !value.isEmpty() && (value[0] == QLatin1Char('-') || value[0] == QLatin1Char('?') || value[0] == QLatin1Char(':')) &&
        value.size() > 1 && !value[1].isSpace() && !looksNonString(value.toStdString()))
        quote = value.contains(QLatin1String(": ")) || value.contains(QLatin1String(" #"));
    if (!quote) return value;
    QString out = QStringLiteral("\"");
    for (QChar ch : value) {
        if (ch == QLatin1Char('"')) out += QStringLiteral("\\\"");
        else if (ch == QLatin1Char('\\')) out += QStringLiteral("\\\\");
        else if (ch == QLatin1Char('\n')) out += QStringLiteral("\\n");
        else if (ch == QLatin1Char('\t')) out += QStringLiteral("\\t");
        else out += ch;
    }
    out += QLatin1Char('"');
    return out;
}

YAML::Node stringNode(const std::string& value) {
    YAML::Node n(value);
    if (looksNonString(value)) n.SetTag("!");
    return n;
}

std::vector<PathStep> splitPath(const std::string& fieldPath) {
    std::vector<PathStep> steps;
    std::size_t i = 0;
    std::string cur;
    while (i < fieldPath.size()) {
        const char c = fieldPath[i];
        if (c == '.') {
            if (!cur.empty()) steps.push_back({cur, -1});
            cur.clear();
            ++i;
        } else if (c == '[') {
            if (!cur.empty()) steps.push_back({cur, -1});
            cur.clear();
            // annotation keys may contain '.', but never ']'
            std::size_t close = fieldPath.find(']', i);
            if (close == std::string::npos) close = fieldPath.size();
            const std::string inner = fieldPath.substr(i + 1, close - i - 1);
            const bool numeric = !inner.empty() && inner.find_first_not_of("0123456789") == std::string::npos;
            if (numeric) steps.push_back({"", std::stoi(inner)});
            else steps.push_back({inner, -1});
            i = close + 1;
        } else {
            cur += c;
            ++i;
        }
    }
    if (!cur.empty()) steps.push_back({cur, -1});
    return steps;
}

YAML::Node nodeAt(const YAML::Node& root, const std::string& fieldPath) {
    YAML::Node cur = root;  // shares storage; only const access below
    for (const PathStep& s : splitPath(fieldPath)) {
        const YAML::Node& c = cur;
        if (s.index >= 0) {
            if (!c.IsSequence() || s.index >= static_cast<int>(c.size())) return YAML::Node(YAML::NodeType::Undefined);
            cur.reset(c[static_cast<std::size_t>(s.index)]);
        } else {
            if (!c.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
            YAML::Node next = c[s.key];
            if (!next.IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
            cur.reset(next);
        }
    }
    return cur;
}

bool setAt(YAML::Node root, const std::string& fieldPath, const YAML::Node& value) {
    const auto steps = splitPath(fieldPath);
    if (steps.empty()) return false;
    YAML::Node cur = root;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const PathStep& s = steps[i];
        const bool last = i + 1 == steps.size();
        const bool nextIsIndex = !last && steps[i + 1].index >= 0;
        if (s.index >= 0) {
            if (cur.IsNull() || !cur.IsDefined()) cur = YAML::Node(YAML::NodeType::Sequence);
            if (!cur.IsSequence()) return false;
            const int size = static_cast<int>(cur.size());
            if (s.index > size) return false;
            if (s.index == size) cur.push_back(YAML::Node(nextIsIndex ? YAML::NodeType::Sequence : YAML::NodeType::Map));
            if (last) {
                cur[static_cast<std::size_t>(s.index)] = value;
                return true;
            }
            YAML::Node next = cur[static_cast<std::size_t>(s.index)];
            if (next.IsNull()) {
                cur[static_cast<std::size_t>(s.index)] = YAML::Node(nextIsIndex ? YAML::NodeType::Sequence : YAML::NodeType::Map);
                next = cur[static_cast<std::size_t>(s.index)];
            }
            cur.reset(next);
        } else {
            if (!cur.IsMap()) return false;
            if (last) {
                cur[s.key] = value;
                return true;
            }
            YAML::Node next = cur[s.key];
            if (!next.IsDefined() || next.IsNull()) {
                cur[s.key] = YAML::Node(nextIsIndex ? YAML::NodeType::Sequence : YAML::NodeType::Map);
                next = cur[s.key];
            }
            if (next.IsScalar()) return false;
            cur.reset(next);
        }
    }
    return false;
}

std::string joinPath(const std::vector<PathStep>& steps) {
    std::string out;
    for (const auto& s : steps) {
        if (s.index >= 0) out += "[" + std::to_string(s.index) + "]";
        else if (s.key.find_first_of("./") != std::string::npos && !out.empty()) out += "[" + s.key + "]";
        else out += (out.empty() ? "" : ".") + s.key;
    }
    return out;
}

bool removeAt(YAML::Node root, const std::string& fieldPath) {
    auto steps = splitPath(fieldPath);
    if (steps.empty()) return false;
    const PathStep last = steps.back();
    steps.pop_back();
    const std::string parentPath = joinPath(steps);
    YAML::Node parent = steps.empty() ? root : nodeAt(root, parentPath);
    if (!parent.IsDefined()) return false;
    if (last.index >= 0) {
        if (steps.empty() || !parent.IsSequence() || last.index >= static_cast<int>(parent.size())) return false;
        YAML::Node rebuilt(YAML::NodeType::Sequence);
        for (std::size_t i = 0; i < parent.size(); ++i)
            if (static_cast<int>(i) != last.index) rebuilt.push_back(parent[i]);
        return setAt(root, parentPath, rebuilt);
    }
    if (!parent.IsMap() || !parent[last.key].IsDefined()) return false;
    return parent.remove(last.key);
}

}  // namespace ilab::ui::yamltext
