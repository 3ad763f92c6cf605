#pragma once

#include <QMainWindow>
#include <QTimer>

#include "core/lessons/lesson_pack.h"
#include "ui/app_services.h"
#include "ui/document/file_io.h"
#include "ui/document/workspace_document.h"

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QTextBrowser;
class QStackedWidget;
class QTreeView;

namespace ilab::ui {

class ClusterPanel;
class ExportDialog;
class FileWatcher;
class HelpWindow;
class FormPanel;
class LabPanel;
class LessonCheckPanel;
class PresenterMode;
class ProblemsModel;
class WorkspaceTreeModel;
class YamlEditor;

// The designer window: workspace tree (left), form editor and YAML editor side by side (centre), Problems,
// kubectl views and the live lab (bottom docks), the lesson guide (right dock). Owns the WorkspaceDocument
// and wires everything to it; file handling, autosave/recovery, theme, command palette and window state
// live here too. GUI thread; created by app/gui/main.cpp, which hands it the core services (AppServices: the
// controller on its control thread, the load generators, the cluster session) and keeps them alive longer.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // `recoveryDir` lets tests use a private recovery location.
    explicit MainWindow(const AppServices& services, QWidget* parent = nullptr, const QString& recoveryDir = {});
    ~MainWindow() override;

    bool openPath(const QString& path);
    // A built-in lesson by id, or a lesson folder (a path: see openLessonFolder).
    void openLesson(const QString& id);
    // An instructor's lesson folder (guide.md, workspace.yaml, checks.yaml; core/lessons/lesson_pack.h). A bad
    // folder gets a message box saying what is wrong and nothing else changes. False when it was not opened.
    bool openLessonFolder(const QString& dir);
    void newWorkspace();
    // Writes the workspace text to `path`. Generated key material (Secrets annotated
    // ingress-lab.dev/generate-self-signed) is left out unless File > "Save generated keys too" is checked;
    // the status bar says which Secrets were saved without it.
    bool saveTo(const QString& path);
    void setSaveGeneratedKeys(bool on);
    // Offers the crash-recovery texts other sessions left (asks Restore / Discard / Keep for later, unless
    // `askUser` is false: then restores the newest). True when a text was restored.
    bool offerRecovery(bool askUser = true);
    // Reopens what was open when the app last ran (a lesson, a file that still exists, the demo; settings.h).
    bool restoreLastSession();
    void selectObject(const QString& kind, const QString& ns, const QString& name);
    void showCreateTlsSecretDialog(const QString& ns, const QString& name, const QStringList& hosts);
    // Dock/tab to bring forward for screenshots: "problems", "kubectl", "lab", "guide", "cluster".
    void raisePanel(const QString& name);
    enum class Theme { System, Light, Dark };
    void setTheme(Theme theme);

    WorkspaceDocument* document() const { return m_doc; }
    FormPanel* forms() const { return m_forms; }
    YamlEditor* editor() const { return m_editor; }
    QTreeView* tree() const { return m_tree; }
    QList<QAction*> allActions() const;
    RecoveryStore& recovery() { return m_recovery; }
    // The cluster session the composition root handed in (null: none yet, the window works offline).
    ClusterSession* clusterSession() const { return m_services.cluster; }
    ClusterPanel* clusterPanel() const { return m_cluster; }
    LabPanel* labPanel() const { return m_lab; }
    LessonCheckPanel* lessonChecks() const { return m_checkPanel; }
    PresenterMode* presenterMode() const { return m_presenter; }
    QMenu* recentMenu() const { return m_recentMenu; }
    Theme theme() const { return m_theme; }
    QString lessonId() const { return m_lessonId; }
    // An exercise lesson with `problems: after-check` (lesson.yaml): the Problems panel, the status bar's count and
    // the problem marks in the tree and editor hold back the workspace's problems (YAML syntax errors excepted)
    // until Check my work has run or View > Show problems anyway is chosen.
    bool areProblemsHidden() const { return m_problemsHidden; }
    void showProblemsAnyway();
    RecoveryAutosave* autosave() const { return m_autosaver; }
    // Opens the offline help window on `topic` (ui/help/help_content.h); F1 opens the focused field's topic.
    HelpWindow* showHelp(const QString& topic = QStringLiteral("index"));
    void showHelpForFocus();
    // File ▸ Export…: opens the export dialog (window-modal, deletes itself when closed) and returns it.
    ExportDialog* exportWorkspace(bool modal = true);

protected:
    void closeEvent(QCloseEvent* e) override;
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;
    void changeEvent(QEvent* e) override;

private:
    void buildUi();
    void buildActions();
    void onWorkspaceChanged();
    void onDiagnosticsChanged();
    void onTreeSelection();
    void onProblemActivated(const QModelIndex& idx);
    void showProblemMenu(const QPoint& pos);
    // The name of what is open, as the window title and the status bar both show it ("Lesson: canary",
    // "shop.yaml", "untitled.yaml").
    QString documentName() const;
    void updateTitle();
    void updateStatus();
    void showPanel(QDockWidget* dock);
    void updateKubectl();
    void updateClusterStatus();
    void updateRecentMenu();
    void addRecent(const QString& path);
    bool maybeSave();
    bool save();
    bool saveAs();
    void open();
    void openFolder();
    void newFromLesson();
    void openLessonPack(const lessons::Lesson& lesson);
    void addObject(const QString& kind);
    void deleteSelected();
    void showPalette();
    void applyTheme();
    bool isDark() const;
    void revealField(int resourceIndex, const std::string& fieldPath);
    void restoreSessionSettings();
    void saveSessionSettings();
    void onFileChangedOnDisk(const QString& path);
    void addHelpActions();
    bool confirmOverwriteExternalChange(const QString& path);

    AppServices m_services;
    WorkspaceDocument* m_doc;
    WorkspaceTreeModel* m_treeModel;
    QTreeView* m_tree;
    FormPanel* m_forms;
    YamlEditor* m_editor;
    ProblemsModel* m_problemsModel;
    QTreeView* m_problems;
    QStackedWidget* m_problemsStack = nullptr;  // the list, or the "hidden in this exercise" note
    QAction* m_showProblemsAction = nullptr;
    bool m_problemsHidden = false;
    void setProblemsHidden(bool hidden);
    QPlainTextEdit* m_kubectl;
    QTextBrowser* m_guide;
    LabPanel* m_lab;
    ClusterPanel* m_cluster;
    QDockWidget* m_clusterDock;
    QLabel* m_statusCluster;
    QDockWidget* m_treeDock;
    QDockWidget* m_problemsDock;
    QDockWidget* m_kubectlDock;
    QDockWidget* m_labDock;
    QDockWidget* m_guideDock;
    QLabel* m_statusFile;
    QLabel* m_statusProblems;
    QLabel* m_statusLab;
    QMenu* m_recentMenu;
    QMenu* m_fileMenu;
    QMenu* m_editMenu;
    QMenu* m_objectMenu;
    QMenu* m_viewMenu;
    QMenu* m_runMenu;
    QMenu* m_helpMenu;
    QAction* m_saveAction;
    QAction* m_saveGeneratedKeysAction;
    QTimer m_labDebounce;
    RecoveryStore m_recovery;
    RecoveryAutosave* m_autosaver = nullptr;
    FileWatcher* m_fileWatcher = nullptr;
    HelpWindow* m_help = nullptr;
    bool m_diskChangedUnderEdits = false;  // the file changed on disk while we kept unsaved edits
    Theme m_theme = Theme::System;
    QString m_selectedKey;
    QString m_lessonId;
    LessonCheckPanel* m_checkPanel = nullptr;
    PresenterMode* m_presenter = nullptr;
};

}  // namespace ilab::ui
