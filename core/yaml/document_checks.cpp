#include "core/yaml/document_checks.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace ilab::yaml {

namespace {

class Walker {
public:
    Walker(std::size_t maxNodes, std::size_t maxScalarBytes) : m_maxNodes(maxNodes), m_maxScalarBytes(maxScalarBytes) {}

    // Returns false once the expansion is over the bound (m_over then says where).
    bool walk(const YAML::Node& n) {
        if (!n.IsDefined()) return true;
        if (++m_nodes > m_maxNodes) return over(n, /*nodes=*/true);
        if (n.IsScalar()) {
            m_scalarBytes += n.Scalar().size();
            if (m_scalarBytes > m_maxScalarBytes) return over(n, /*nodes=*/false);
            return true;
        }
        if (n.IsSequence()) {
            for (std::size_t i = 0; i < n.size(); ++i)
                if (!walk(n[i])) return false;
            return true;
        }
        if (!n.IsMap()) return true;
        const YAML::Mark mapMark = n.Mark();
        const bool firstVisit = m_checkedMaps.insert({mapMark.pos, mapMark.line, mapMark.column}).second;
        std::map<std::string, YAML::Mark> seen;
        for (auto it = n.begin(); it != n.end(); ++it) {
            if (!walk(it->first)) return false;
            if (firstVisit && it->first.IsScalar()) {
                const YAML::Mark keyMark = it->first.Mark();
                auto [at, inserted] = seen.emplace(it->first.Scalar(), keyMark);
                if (!inserted) duplicate(it->first.Scalar(), keyMark, at->second);
            }
            if (!walk(it->second)) return false;
        }
        return true;
    }

    std::vector<DocumentProblem> problems;

private:
    bool over(const YAML::Node& n, bool nodes) {
        const YAML::Mark m = n.Mark();
        DocumentProblem p{DocumentProblem::Kind::ExcessiveAliasing, std::max(m.line, 0), std::max(m.column, 0), {}};
        p.message = std::string("document contains excessive aliasing: expanding its YAML aliases (*name) gives more than ") +
                    (nodes ? std::to_string(m_maxNodes) + " nodes"
                                                  : std::to_string(m_maxScalarBytes) + " bytes of values") +
                    " (a \"billion laughs\" document?); refused, nothing of it was loaded";
        problems.clear();  // duplicate keys of a refused document do not matter
        problems.push_back(std::move(p));
        return false;
    }

    void duplicate(const std::string& key, const YAML::Mark& at, const YAML::Mark& first) {
        DocumentProblem p{DocumentProblem::Kind::DuplicateKey, std::max(at.line, 0), std::max(at.column, 0), {}};
        std::string shown = key.size() > 80 ? key.substr(0, 80) + "..." : key;
        p.message = "mapping key \"" + shown + "\" already defined at line " + std::to_string(first.line + 1) +
                    ": the API server rejects the object (strict decoding error: duplicate field \"" + shown +
                    "\"), and which value counts is not defined";
        problems.push_back(std::move(p));
    }

    std::size_t m_maxNodes;
    std::size_t m_maxScalarBytes;
    std::size_t m_nodes = 0;
    std::size_t m_scalarBytes = 0;
    // A map reached again through an alias reports its duplicates once.
    std::set<std::tuple<int, int, int>> m_checkedMaps;
};

}  // namespace

std::vector<DocumentProblem> checkDocument(const YAML::Node& doc, std::size_t textBytes) {
    Walker w(std::max(MIN_EXPANDED_NODES, textBytes), std::max(MIN_EXPANDED_SCALAR_BYTES, 2 * textBytes));
    w.walk(doc);
    return std::move(w.problems);
}

NestingPosition findDeepNesting(const std::string& text, int maxDepth) {
    // Flow collections: count [ and { outside quotes and comments. Block collections: a "- " item or a
    // "key:" at a deeper indentation opens a level; approximated by the number of "- " on one line plus the
    // indentation steps, which is what makes yaml-cpp recurse.
    int line = 1, col = 0, flow = 0;
    char quote = 0;
    bool comment = false;
    int blockOnLine = 0;
    std::vector<int> indents;  // indentation of the open block levels
    bool atLineStart = true;
    int indent = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        ++col;
        if (c == '\n') {
            ++line;
            col = 0;
            comment = false;
            blockOnLine = 0;
            atLineStart = true;
            indent = 0;
            continue;  // a quoted scalar may go on over several lines: `quote` stays set
        }
        if (comment) continue;
        if (quote) {
            if (c == quote && (quote == '\'' || text[i - 1] != '\\')) quote = 0;
            continue;
        }
        if (atLineStart) {
            if (c == ' ') {
                ++indent;
                continue;
            }
            atLineStart = false;
            while (!indents.empty() && indents.back() >= indent) indents.pop_back();
            if (c != '#') indents.push_back(indent);
        }
        if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t')) {
            comment = true;
            continue;
        }
        if (c == '"' || c == '\'') {
            quote = c;
            continue;
        }
        if (c == '[' || c == '{') ++flow;
        else if ((c == ']' || c == '}') && flow > 0) --flow;
        else if (c == '-' && i + 1 < text.size() && text[i + 1] == ' ' && flow == 0) ++blockOnLine;
        if (flow + blockOnLine + static_cast<int>(indents.size()) > maxDepth) return {line, col, true};
    }
    return {};
}

}  // namespace ilab::yaml
