#include "ui/models/problems_model.h"

#include <algorithm>

#include "ui/models/workspace_tree_model.h"

namespace ilab::ui {

ProblemsModel::ProblemsModel(QObject* parent) : QAbstractTableModel(parent) {}

void ProblemsModel::setDiagnostics(const Diagnostics& diags) {
    beginResetModel();
    m_diags = diags;
    std::stable_sort(m_diags.begin(), m_diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
        if (a.severity != b.severity) return static_cast<int>(a.severity) < static_cast<int>(b.severity);
        const int la = a.pos ? a.pos->line : 0, lb = b.pos ? b.pos->line : 0;
        return la < lb;
    });
    m_errors = m_warnings = 0;
    for (const auto& d : m_diags) {
        if (d.severity == Severity::Error) ++m_errors;
        else if (d.severity == Severity::Warning) ++m_warnings;
    }
    endResetModel();
}

const Diagnostic* ProblemsModel::diagnostic(int row) const {
    if (row < 0 || row >= static_cast<int>(m_diags.size())) return nullptr;
    return &m_diags[static_cast<std::size_t>(row)];
}

int ProblemsModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(m_diags.size()); }
int ProblemsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ProblemsModel::data(const QModelIndex& index, int role) const {
    const Diagnostic* d = index.isValid() ? diagnostic(index.row()) : nullptr;
    if (!d) return {};
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case SeverityColumn: return role == Qt::ToolTipRole ? QString::fromLatin1(toString(d->severity)) : QVariant();
        case MessageColumn: return QString::fromStdString(d->message());
        case ObjectColumn: return QString::fromStdString(d->object);
        case LineColumn: return d->pos && d->pos->line > 0 ? QStringLiteral("%1:%2").arg(d->pos->line).arg(d->pos->column) : QString();
        default: return {};
        }
    }
    if (role == Qt::DecorationRole && index.column() == SeverityColumn)
        return themedIcon(d->severity == Severity::Error ? QStringLiteral("error") : d->severity == Severity::Warning ? QStringLiteral("warning") : QStringLiteral("info"));
    if (role == Qt::UserRole) return QString::fromStdString(d->field);
    return {};
}

QVariant ProblemsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case SeverityColumn: return QString();
    case MessageColumn: return tr("Problem");
    case ObjectColumn: return tr("Object");
    case LineColumn: return tr("Line");
    default: return {};
    }
}

}  // namespace ilab::ui
