#include "app/cli/cli_common.h"

#include <sstream>

#include "core/common/display_text.h"
#include "core/lessons/generated_secrets.h"
#include "core/yaml/yaml_reader.h"
#include "core/yaml/yaml_writer.h"

namespace ilab::cli {

bool loadWorkspace(const QStringList& paths, model::Workspace& ws, const char* command, bool generateSecrets) {
    if (paths.isEmpty()) {
        std::fprintf(stderr, "ingress-lab-cli %s: no FILE or DIR given\n", command);
        return false;
    }
    bool allReadable = true;
    for (const QString& p : paths) {
        const std::string path = p == QLatin1String("demo") ? std::string(":/demo/demo-workspace.yaml") : p.toStdString();
        allReadable = yaml::readPath(path, ws) && allReadable;
    }
    if (!allReadable) {
        for (const auto& d : ws.loadDiagnostics)
            if (d.rule == "unreadable") std::fprintf(stderr, "ingress-lab-cli %s: %s\n", command, d.detail.c_str());
        return false;
    }
    if (generateSecrets) lessons::fillGeneratedSecrets(ws, &ws.loadDiagnostics);
    return true;
}

std::string formatDiagnostic(const Diagnostic& d) {
    std::string out;
    if (d.pos && !d.pos->file.empty()) {
        out += d.pos->file;
        if (d.pos->line > 0) out += ":" + std::to_string(d.pos->line) + ":" + std::to_string(d.pos->column);
        out += ": ";
    }
    out += toString(d.severity);
    out += ": ";
    // What the user wrote reaches the terminal escaped and cut (a 1 MB name, an ESC sequence in a label).
    if (!d.object.empty()) out += displayText(d.object) + ": ";
    out += displayText(d.message(), 4096);
    if (!d.rule.empty() && d.severity != Severity::Error) out += " [" + d.rule + "]";
    return out;
}

void printDiagnostics(const Diagnostics& diags, FILE* to) {
    for (const auto& d : diags) printText(to, formatDiagnostic(d) + "\n");
}

std::string diagnosticsToJson(const Diagnostics& diags) {
    YAML::Node list(YAML::NodeType::Sequence);
    for (const auto& d : diags) {
        YAML::Node n(YAML::NodeType::Map);
        n["severity"] = toString(d.severity);
        n["type"] = apiTypeName(d.code);
        n["object"] = d.object;
        n["field"] = d.field;
        if (d.badValue) {
            n["value"] = *d.badValue;
            n["value"].SetTag("!");
        }
        n["detail"] = d.detail;
        n["message"] = d.message();
        if (!d.rule.empty()) n["rule"] = d.rule;
        if (d.pos) {
            n["file"] = d.pos->file;
            n["line"] = d.pos->line;
            n["column"] = d.pos->column;
        }
        list.push_back(n);
    }
    return yaml::nodeToJson(list, 2) + "\n";
}

}  // namespace ilab::cli
