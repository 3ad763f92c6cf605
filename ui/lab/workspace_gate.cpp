#include "ui/lab/workspace_gate.h"

#include <QCoreApplication>

namespace ilab::ui {

bool holdsBack(const Diagnostic& d) {
    if (d.severity != Severity::Error) return false;
    return d.code == DiagCode::Syntax || d.rule == "yaml-syntax" || d.rule == "apiserver" || d.rule.rfind("admission", 0) == 0;
}

QString heldBackReason(const model::Workspace& ws, const Diagnostics& diags) {
    const Diagnostic* first = nullptr;
    int count = 0;
    auto consider = [&](const Diagnostic& d) {
        if (!holdsBack(d)) return;
        if (!first) first = &d;
        ++count;
    };
    // Syntax errors are in the load diagnostics at once; validation may still be running on a big workspace.
    for (const auto& d : ws.loadDiagnostics) consider(d);
    if (!first)
        for (const auto& d : diags) consider(d);
    if (!first) return {};
    const bool syntax = first->code == DiagCode::Syntax || first->rule == "yaml-syntax";
    QString where;
    if (first->pos && first->pos->line > 0) where = QCoreApplication::translate("WorkspaceGate", "line %1: ").arg(first->pos->line);
    const QString what = QString::fromStdString(first->message());
    const QString why = syntax ? QCoreApplication::translate("WorkspaceGate", "the YAML does not parse")
                               : QCoreApplication::translate("WorkspaceGate", "the API server would reject it");
    QString more;
    if (count > 1) more = QCoreApplication::translate("WorkspaceGate", " (and %n more)", nullptr, count - 1);
    return QCoreApplication::translate("WorkspaceGate", "Edit held back: %1 (%2%3%4). The lab keeps serving the last valid workspace.")
        .arg(why, where, what, more);
}

}  // namespace ilab::ui
