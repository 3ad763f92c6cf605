#pragma once

#include <QDialog>
#include <QString>

#include "core/export/workspace_export.h"
#include "core/model/workspace.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace ilab::ui {

// File ▸ Export…: the workspace as kubectl-ready YAML or JSON (core/export, the same code as
// `ingress-lab-cli export`), with "Ingresses only" and "Without Secrets", a preview of what will be written and
// the kubectl-ready check (what `validate --no-lint` says about the exported text). Export… asks for a file and
// writes it atomically. GUI thread; modal, owned by the caller.
class ExportDialog : public QDialog {
    Q_OBJECT
public:
    // `ws` is copied (the dialog may outlive edits); `suggestedPath` is the file name the save dialog starts at.
    ExportDialog(const model::Workspace& ws, bool includeGeneratedKeys, const QString& suggestedPath, QWidget* parent = nullptr);

    exporting::ExportOptions options() const;
    const exporting::ExportResult& result() const { return m_result; }
    // Writes the current export to `path`; false (with the reason in the dialog) when it cannot.
    bool writeTo(const QString& path);
    QString writtenPath() const { return m_written; }

private:
    void refresh();
    void chooseFileAndWrite();

    model::Workspace m_ws;
    bool m_includeGeneratedKeys;
    QString m_suggested;
    QString m_written;
    exporting::ExportResult m_result;
    QCheckBox* m_ingressesOnly;
    QCheckBox* m_withoutSecrets;
    QComboBox* m_format;
    QLabel* m_check;
    QPlainTextEdit* m_preview;
    QPushButton* m_export;
};

}  // namespace ilab::ui
