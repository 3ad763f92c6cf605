#pragma once

#include <QList>
#include <QWidget>

#include "core/model/workspace.h"

class QAction;

namespace ilab::ui {

// The live lab (issue 7): run controls, traffic panel, live charts, logs, routing map and explainer, in one
// widget that the designer's MainWindow embeds (a dock or a bottom area). Lives on the GUI thread; owns the
// LocalController (which runs on its own control thread) and the load generator.
//
// Contract with the designer (ui/main_window.*), fixed so both can be built in parallel:
//  - The main window calls setWorkspace() whenever the edited workspace changes (debounced by the lab).
//  - startStopActions() are put in the main toolbar and menus by the main window.
//  - When the lab wants the editor to show something it emits selectObjectRequested / revealSourceRequested.
//  - statusText() is shown in the status bar (listening addresses) and changes with statusTextChanged.
class LabPanel : public QWidget {
    Q_OBJECT
public:
    explicit LabPanel(QWidget* parent = nullptr);
    ~LabPanel() override;

    void setWorkspace(const model::Workspace& ws);
    QList<QAction*> startStopActions() const;  // Start, Stop (and Restart) with icons and shortcuts (F5 / Shift+F5)
    QString statusText() const;
    bool isRunning() const;

Q_SIGNALS:
    void selectObjectRequested(const QString& kind, const QString& ns, const QString& name);
    void revealSourceRequested(const QString& file, int line, int column);
    void statusTextChanged(const QString& text);
    void runningChanged(bool running);

private:
    struct Impl;
    Impl* m_impl = nullptr;
};

}  // namespace ilab::ui
