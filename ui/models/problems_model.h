#pragma once

#include <QAbstractTableModel>

#include "core/common/diagnostic.h"

namespace ilab::ui {

// The Problems panel's table: severity, message (API-server wording), object, field, line. Replaced as a
// whole after each validation (a reset; the list is short and fully re-sorted: errors first, then by line).
// GUI thread; owned by the MainWindow.
class ProblemsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { SeverityColumn, MessageColumn, ObjectColumn, LineColumn, ColumnCount };
    explicit ProblemsModel(QObject* parent = nullptr);

    void setDiagnostics(const Diagnostics& diags);
    const Diagnostic* diagnostic(int row) const;
    int errorCount() const { return m_errors; }
    int warningCount() const { return m_warnings; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    Diagnostics m_diags;
    int m_errors = 0, m_warnings = 0;
};

}  // namespace ilab::ui
