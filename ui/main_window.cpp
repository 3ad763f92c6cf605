#include "ui/main_window.h"

#include "core/common/build_info.h"
#include "core/lessons/generated_secrets.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QLineEdit>
#include <QLocale>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QStyle>
#include <cstdio>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHeaderView>
#include <QToolButton>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyleFactory>
#include <QStyleHints>
#include <QTextBrowser>
#include <QToolBar>
#include <QTreeView>
#include <QUndoStack>
#include <QVBoxLayout>

#include "ui/cluster/cluster_panel.h"
#include "ui/cluster_session.h"
#include "ui/dialogs/certificate_dialog.h"
#include "ui/dialogs/command_palette.h"
#include "ui/dialogs/export_dialog.h"
#include "ui/dialogs/lesson_picker.h"
#include "ui/document/quick_fixes.h"
#include "ui/document/templates.h"
#include "ui/editors/yaml_editor.h"
#include "ui/forms/object_forms.h"
#include "ui/gateway/gateway_migration_ui.h"
#include "ui/gateway/migration_view.h"
#include "ui/lab/lab_panel.h"
#include "ui/lab/workspace_gate.h"
#include "ui/models/problems_model.h"
#include "ui/models/workspace_tree_model.h"
#include "ui/settings.h"
#include "ui/file_watcher.h"
#include "ui/help/help_content.h"
#include "ui/help/help_window.h"
#include "ui/views/guide_view.h"
#include "ui/views/lesson_check_panel.h"
#include "ui/presenter_mode.h"
#include "ui/views/kubectl_text.h"

namespace ilab::ui {

namespace {
constexpr int LAB_DEBOUNCE_MS = 300;  // the lab recompiles from the whole workspace (style.md B.8)
constexpr int MAX_RECENT = 10;

QString defaultRecoveryDir() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/recovery");
}
}  // namespace

MainWindow::MainWindow(const AppServices& services, QWidget* parent, const QString& recoveryDir)
    : QMainWindow(parent), m_services(services), m_doc(new WorkspaceDocument(this)), m_recovery(recoveryDir.isEmpty() ? defaultRecoveryDir() : recoveryDir) {
    setObjectName(QStringLiteral("MainWindow"));
    setWindowIcon(themedIcon(QStringLiteral("app")));
    setAcceptDrops(true);
    setDockNestingEnabled(true);
    buildUi();
    buildActions();

    connect(m_doc, &WorkspaceDocument::workspaceChanged, this, &MainWindow::onWorkspaceChanged);
    connect(m_doc, &WorkspaceDocument::diagnosticsChanged, this, &MainWindow::onDiagnosticsChanged);
    connect(m_doc, &WorkspaceDocument::modificationChanged, this, [this] {
        updateTitle();
        updateStatus();
    });
    connect(m_doc, &WorkspaceDocument::filePathChanged, this, &MainWindow::updateTitle);

    m_labDebounce.setSingleShot(true);
    m_labDebounce.setInterval(LAB_DEBOUNCE_MS);
    connect(&m_labDebounce, &QTimer::timeout, this, [this] {
        // half-typed YAML never reaches the running lab: the last valid workspace keeps serving (issue 15)
        const QString held = heldBackReason(m_doc->workspace(), m_doc->diagnostics());
        if (held.isEmpty()) m_lab->setWorkspace(m_doc->workspace());
        else m_lab->setHeldBack(held);
    });
    m_autosaver = new RecoveryAutosave(m_doc, &m_recovery, this);  // ~2 s after typing stops (ui/recovery.h)
    m_fileWatcher = new FileWatcher(this);
    connect(m_fileWatcher, &FileWatcher::changedOnDisk, this, &MainWindow::onFileChangedOnDisk);
    connect(m_doc, &WorkspaceDocument::textChanged, this, [this](WorkspaceDocument::Origin origin) {
        if (origin != WorkspaceDocument::Origin::Load) return;
        m_diskChangedUnderEdits = false;
        m_fileWatcher->watch(m_doc->filePath());
    });
    connect(m_doc, &WorkspaceDocument::filePathChanged, m_fileWatcher, &FileWatcher::watch);

    QSettings s;
    m_theme = static_cast<Theme>(s.value(QStringLiteral("view/theme"), 0).toInt());
    applyTheme();
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    connect(QGuiApplication::styleHints(), &QStyleHints::colorSchemeChanged, this, [this] {
        if (m_theme == Theme::System) applyTheme();
    });
#endif
    if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray())) {
        // 1500x940 where there is room; a 1280x720 projector gets its available area (issue 15)
        const QRect avail = screen() ? screen()->availableGeometry() : QRect(0, 0, 1500, 940);
        resize(std::min(1500, avail.width()), std::min(940, avail.height()));
    }
    m_guideDock->hide();
    if (!restoreState(s.value(QStringLiteral("window/state")).toByteArray())) {
        // first start: editors get the room, the bottom panels a third of it
        // after the window got its final size (docks are sized relative to it)
        QTimer::singleShot(0, this, [this] {
            resizeDocks({m_treeDock}, {290}, Qt::Horizontal);
            resizeDocks({m_problemsDock}, {height() / 4}, Qt::Vertical);
        });
    }
    restoreSessionSettings();
    onWorkspaceChanged();
    onDiagnosticsChanged();
    updateTitle();
}

MainWindow::~MainWindow() {
    // before the document goes (with QObject children, after m_recovery): a window destroyed without closing
    // keeps its recovery file, and the undo stack's last signals must not reach the autosave
    delete m_autosaver;
    m_autosaver = nullptr;
    // The document (a QObject child) outlives this destructor: its undo stack's last cleanChanged, sent while it is
    // destroyed, must not reach this window's slots (updateTitle/updateStatus on a destroyed MainWindow crashed).
    disconnect(m_doc, nullptr, this, nullptr);
}

void MainWindow::buildUi() {
    m_treeModel = new WorkspaceTreeModel(this);
    m_tree = new QTreeView(this);
    m_tree->setObjectName(QStringLiteral("workspaceTree"));
    m_tree->setModel(m_treeModel);
    m_tree->setHeaderHidden(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->setExpandsOnDoubleClick(true);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, &MainWindow::onTreeSelection);
    connect(m_treeModel, &QAbstractItemModel::modelReset, this, [this] {
        m_tree->expandToDepth(1);
        QModelIndex idx = m_treeModel->indexForKey(m_selectedKey);
        if (idx.isValid()) m_tree->setCurrentIndex(idx);
    });
    m_treeDock = new QDockWidget(tr("Workspace"), this);
    m_treeDock->setObjectName(QStringLiteral("workspaceDock"));
    m_treeDock->setWidget(m_tree);
    addDockWidget(Qt::LeftDockWidgetArea, m_treeDock);

    m_forms = new FormPanel(m_doc, this);
    m_forms->setObjectName(QStringLiteral("formPanel"));
    m_editor = new YamlEditor(m_doc, this);
    m_editor->setObjectName(QStringLiteral("yamlEditor"));
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("centralSplitter"));
    split->addWidget(m_forms);
    split->addWidget(m_editor);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    split->setSizes({620, 560});
    setCentralWidget(split);
    connect(m_forms, &FormPanel::selectRequested, this, [this](int r, int rule, int path) {
        const QModelIndex idx = m_treeModel->indexFor(r, rule, path);
        if (idx.isValid()) m_tree->setCurrentIndex(idx);
    });
    connect(m_forms, &FormPanel::createTlsSecretRequested, this, &MainWindow::showCreateTlsSecretDialog);

    m_problemsModel = new ProblemsModel(this);
    m_problems = new QTreeView(this);
    m_problems->setObjectName(QStringLiteral("problems"));
    m_problems->setModel(m_problemsModel);
    m_problems->setRootIsDecorated(false);
    m_problems->setUniformRowHeights(true);
    m_problems->setAlternatingRowColors(true);
    m_problems->setContextMenuPolicy(Qt::CustomContextMenu);
    m_problems->header()->setSectionResizeMode(ProblemsModel::SeverityColumn, QHeaderView::ResizeToContents);
    m_problems->header()->setSectionResizeMode(ProblemsModel::MessageColumn, QHeaderView::Stretch);
    m_problems->header()->setSectionResizeMode(ProblemsModel::ObjectColumn, QHeaderView::ResizeToContents);
    m_problems->header()->setSectionResizeMode(ProblemsModel::LineColumn, QHeaderView::ResizeToContents);
    m_problems->header()->setStretchLastSection(false);
    connect(m_problems, &QTreeView::activated, this, &MainWindow::onProblemActivated);
    connect(m_problems, &QTreeView::clicked, this, &MainWindow::onProblemActivated);
    connect(m_problems, &QTreeView::customContextMenuRequested, this, &MainWindow::showProblemMenu);
    m_problemsDock = new QDockWidget(tr("Problems"), this);
    m_problemsDock->setObjectName(QStringLiteral("problemsDock"));
    // An exercise about finding planted mistakes hides them until the student has checked (lesson.yaml
    // `problems: after-check`): the dock shows this note instead of the list.
    auto* hiddenPage = new QWidget(this);
    auto* hiddenNote = new QLabel(tr("Problems are hidden in this exercise until you press Check my work."), hiddenPage);
    hiddenNote->setObjectName(QStringLiteral("problemsHiddenNote"));
    hiddenNote->setWordWrap(true);
    hiddenNote->setAlignment(Qt::AlignCenter);
    auto* showAnyway = new QPushButton(tr("Show problems anyway"), hiddenPage);
    showAnyway->setObjectName(QStringLiteral("showProblemsAnywayButton"));
    connect(showAnyway, &QPushButton::clicked, this, &MainWindow::showProblemsAnyway);
    auto* hiddenLayout = new QVBoxLayout(hiddenPage);
    hiddenLayout->addStretch(1);
    hiddenLayout->addWidget(hiddenNote);
    hiddenLayout->addWidget(showAnyway, 0, Qt::AlignHCenter);
    hiddenLayout->addStretch(1);
    m_problemsStack = new QStackedWidget(this);
    m_problemsStack->addWidget(m_problems);
    m_problemsStack->addWidget(hiddenPage);
    m_problemsDock->setWidget(m_problemsStack);
    addDockWidget(Qt::BottomDockWidgetArea, m_problemsDock);

    m_kubectl = new QPlainTextEdit(this);
    m_kubectl->setObjectName(QStringLiteral("kubectl"));
    m_kubectl->setReadOnly(true);
    m_kubectl->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_kubectl->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_kubectlDock = new QDockWidget(tr("kubectl"), this);
    m_kubectlDock->setObjectName(QStringLiteral("kubectlDock"));
    m_kubectlDock->setWidget(m_kubectl);
    addDockWidget(Qt::BottomDockWidgetArea, m_kubectlDock);

    m_lab = new LabPanel(m_services, this);
    m_lab->setObjectName(QStringLiteral("labPanel"));
    m_labDock = new QDockWidget(tr("Live Lab"), this);
    m_labDock->setObjectName(QStringLiteral("labDock"));
    // in a scroll area, so the lab's minimum size does not dictate the height of the whole bottom area
    auto* labScroll = new QScrollArea(this);
    labScroll->setWidgetResizable(true);
    labScroll->setFrameShape(QFrame::NoFrame);
    labScroll->setWidget(m_lab);
    m_labDock->setWidget(labScroll);
    addDockWidget(Qt::BottomDockWidgetArea, m_labDock);
    m_cluster = new ClusterPanel(m_services.cluster, m_doc, this);
    m_cluster->setObjectName(QStringLiteral("clusterPanel"));
    m_clusterDock = new QDockWidget(tr("Cluster"), this);
    m_clusterDock->setObjectName(QStringLiteral("clusterDock"));
    m_clusterDock->setWidget(m_cluster);
    addDockWidget(Qt::BottomDockWidgetArea, m_clusterDock);
    connect(m_cluster, &ClusterPanel::revealLineRequested, this, [this](int line, int column) { m_editor->revealPosition(line, column); });
    connect(m_cluster, &ClusterPanel::revealFieldRequested, this, [this](int r, const QString& f) { revealField(r, f.toStdString()); });
    connect(m_cluster, &ClusterPanel::serverProblemsChanged, this, &MainWindow::onDiagnosticsChanged);  // 422s
    tabifyDockWidget(m_problemsDock, m_kubectlDock);
    tabifyDockWidget(m_kubectlDock, m_labDock);
    tabifyDockWidget(m_labDock, m_clusterDock);
    m_problemsDock->raise();
    // The lab needs room for its charts (issue 15 item 3): raised in a shorter bottom area (a quarter of a
    // 1280x720 window is ~170 px), the area grows to what the lab needs, between 45 % and 60 % of the window.
    connect(m_labDock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (!visible) return;
        QTimer::singleShot(0, this, [this] {
            const int want = std::clamp(m_lab->minimumSizeHint().height() + 40, height() * 45 / 100, height() * 3 / 5);
            if (m_labDock->isVisible() && m_labDock->height() < want) resizeDocks({m_labDock}, {want}, Qt::Vertical);
        });
    });
    connect(m_lab, &LabPanel::selectObjectRequested, this, &MainWindow::selectObject);
    connect(m_lab, &LabPanel::revealSourceRequested, this, [this](const QString&, int line, int column) { m_editor->revealPosition(line, column); });

    m_guide = new GuideView(this);
    m_guide->setObjectName(QStringLiteral("guide"));
    m_guideDock = new QDockWidget(tr("Lesson guide"), this);
    m_guideDock->setObjectName(QStringLiteral("guideDock"));
    // the guide above, "Check my work" below (issue 15 item 6)
    auto* guideSplit = new QSplitter(Qt::Vertical, this);
    guideSplit->setObjectName(QStringLiteral("guideSplitter"));
    m_checkPanel = new LessonCheckPanel(m_doc, m_lab, this);
    m_checkPanel->setObjectName(QStringLiteral("lessonChecks"));
    // Check my work has run (with a report): the exercise's problems may show now.
    connect(m_checkPanel, &LessonCheckPanel::checksFinished, this, [this](const lessons::CheckReport& report) {
        if (m_problemsHidden && !report.outcomes.empty()) setProblemsHidden(false);
    });
    guideSplit->addWidget(m_guide);
    guideSplit->addWidget(m_checkPanel);
    guideSplit->setStretchFactor(0, 3);
    guideSplit->setStretchFactor(1, 2);
    m_guideDock->setWidget(guideSplit);
    addDockWidget(Qt::RightDockWidgetArea, m_guideDock);

    m_statusFile = new QLabel(this);
    m_statusFile->setObjectName(QStringLiteral("statusFile"));
    m_statusProblems = new QLabel(this);
    m_statusProblems->setObjectName(QStringLiteral("statusProblems"));
    m_statusLab = new QLabel(m_lab->statusText(), this);
    // Permanent, like the rest: QStatusBar draws temporary messages ("Lesson … opened from …") from the left edge
    // over normal widgets, and hides those only when they are already visible; a message shown before the window
    // was (a lesson passed on the command line) was drawn over the file name. Permanent widgets sit to the right of
    // the message area and are never covered.
    statusBar()->addPermanentWidget(m_statusFile);
    m_statusCluster = new QLabel(this);
    m_statusCluster->setObjectName(QStringLiteral("statusCluster"));
    statusBar()->addPermanentWidget(m_statusCluster);
    statusBar()->addPermanentWidget(m_statusLab);
    if (ClusterSession* c = m_services.cluster) {
        connect(c, &ClusterSession::stateChanged, this, &MainWindow::updateClusterStatus);
        connect(c, &ClusterSession::errorChanged, this, &MainWindow::updateClusterStatus);
    }
    updateClusterStatus();
    statusBar()->addPermanentWidget(m_statusProblems);
    connect(m_lab, &LabPanel::statusTextChanged, m_statusLab, &QLabel::setText);
}

void MainWindow::buildActions() {
    auto make = [this](const QString& text, const QString& icon, const QKeySequence& key, auto slot) {
        auto* a = new QAction(icon.isEmpty() ? QIcon() : themedIcon(icon), text, this);
        if (!key.isEmpty()) a->setShortcut(key);
        connect(a, &QAction::triggered, this, slot);
        return a;
    };
    m_fileMenu = menuBar()->addMenu(tr("&File"));
    QAction* newAct = make(tr("&New workspace"), QStringLiteral("new"), QKeySequence::New, [this] { if (maybeSave()) newWorkspace(); });
    QAction* lessonAct = make(tr("New from &lesson…"), QStringLiteral("lesson"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N), [this] { newFromLesson(); });
    QAction* openAct = make(tr("&Open…"), QStringLiteral("open"), QKeySequence::Open, [this] { open(); });
    QAction* openFolderAct = make(tr("Open &folder…"), QString(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), [this] { openFolder(); });
    QAction* openLessonFolderAct = make(tr("Open lesson fol&der…"), QStringLiteral("lesson"), QKeySequence(), [this] {
        if (!maybeSave()) return;
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open lesson folder (guide.md, workspace.yaml, checks.yaml)"));
        if (!dir.isEmpty()) openLessonFolder(dir);
    });
    openLessonFolderAct->setObjectName(QStringLiteral("openLessonFolder"));
    QAction* demoAct = make(tr("Open the &demo workspace"), QString(), QKeySequence(), [this] { if (maybeSave()) openPath(QStringLiteral(":/demo/demo-workspace.yaml")); });
    m_saveAction = make(tr("&Save"), QStringLiteral("save"), QKeySequence::Save, [this] { save(); });
    QAction* saveAsAct = make(tr("Save &as…"), QString(), QKeySequence::SaveAs, [this] { saveAs(); });
    m_saveGeneratedKeysAction = new QAction(tr("Save &generated keys too"), this);
    m_saveGeneratedKeysAction->setObjectName(QStringLiteral("saveGeneratedKeys"));
    m_saveGeneratedKeysAction->setCheckable(true);
    m_saveGeneratedKeysAction->setToolTip(tr("Also write the certificates and private keys Ingress Lab generated for lesson and demo "
                                             "Secrets (signed with the lab's own key). Off: they are saved empty and generated again on open."));
    QAction* exportAct = make(tr("&Export…"), QString(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), [this] { exportWorkspace(); });
    exportAct->setObjectName(QStringLiteral("exportAction"));
    QAction* quitAct = make(tr("&Quit"), QString(), QKeySequence::Quit, [this] { close(); });
    m_fileMenu->addActions({newAct, lessonAct, openLessonFolderAct, openAct, openFolderAct, demoAct});
    m_recentMenu = m_fileMenu->addMenu(tr("Open &recent"));
    m_fileMenu->addSeparator();
    m_fileMenu->addActions({m_saveAction, saveAsAct, m_saveGeneratedKeysAction, exportAct});
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(quitAct);
    updateRecentMenu();

    m_editMenu = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = m_doc->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setIcon(themedIcon(QStringLiteral("undo")));
    undo->setProperty("helpLabel", tr("Undo"));
    QAction* redo = m_doc->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcuts({QKeySequence::Redo, QKeySequence(Qt::CTRL | Qt::Key_Y)});
    redo->setIcon(themedIcon(QStringLiteral("redo")));
    redo->setProperty("helpLabel", tr("Redo"));
    QAction* palette = make(tr("Command &palette…"), QStringLiteral("palette"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P), [this] { showPalette(); });
    QAction* findYaml = make(tr("Go to YAML"), QString(), QKeySequence(Qt::CTRL | Qt::Key_E), [this] { m_editor->setFocus(); });
    m_editMenu->addActions({undo, redo});
    m_editMenu->addSeparator();
    m_editMenu->addActions({palette, findYaml});

    m_objectMenu = menuBar()->addMenu(tr("&Object"));
    m_objectMenu->addAction(make(tr("New &Ingress"), QStringLiteral("ingress"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_I), [this] { addObject(QStringLiteral("Ingress")); }));
    m_objectMenu->addAction(make(tr("New &Service + Deployment"), QStringLiteral("service"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_S), [this] { addObject(QStringLiteral("Service")); }));
    m_objectMenu->addAction(make(tr("New &Deployment"), QStringLiteral("deployment"), QKeySequence(), [this] { addObject(QStringLiteral("Deployment")); }));
    m_objectMenu->addAction(make(tr("New &TLS Secret (self-signed)…"), QStringLiteral("secret"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_T), [this] { addObject(QStringLiteral("Secret")); }));
    m_objectMenu->addAction(make(tr("New Ingress&Class"), QStringLiteral("ingressclass"), QKeySequence(), [this] { addObject(QStringLiteral("IngressClass")); }));
    m_objectMenu->addAction(make(tr("New controller &ConfigMap"), QStringLiteral("configmap"), QKeySequence(), [this] { addObject(QStringLiteral("ConfigMap")); }));
    m_objectMenu->addSeparator();
    m_objectMenu->addAction(make(tr("De&lete selected object"), QStringLiteral("delete"), QKeySequence(Qt::CTRL | Qt::Key_Delete), [this] { deleteSelected(); }));
    connect(m_tree, &QTreeView::customContextMenuRequested, this, [this](const QPoint& p) { m_objectMenu->exec(m_tree->viewport()->mapToGlobal(p)); });
    m_forms->setEmptyHintActions({m_objectMenu->actions().value(0), m_objectMenu->actions().value(1), lessonAct});

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    // Ctrl+1..5 bring a panel forward (shown, raised, focused); pressing again keeps it there. The dock toggles
    // below them show or hide a panel (issue 15).
    const std::pair<QDockWidget*, QString> panels[] = {{m_treeDock, tr("Go to &workspace tree")}, {m_problemsDock, tr("Go to &Problems")},
                                                       {m_kubectlDock, tr("Go to &kubectl")}, {m_labDock, tr("Go to the Live &Lab")},
                                                       {m_clusterDock, tr("Go to &Cluster")}};
    int key = Qt::Key_1;
    for (const auto& [dock, label] : panels) {
        QDockWidget* d = dock;
        QAction* go = make(label, QString(), QKeySequence(Qt::CTRL | static_cast<Qt::Key>(key++)), [this, d] { showPanel(d); });
        go->setObjectName(QStringLiteral("show_") + d->objectName());
        m_viewMenu->addAction(go);
    }
    m_viewMenu->addSeparator();
    for (QDockWidget* d : {m_treeDock, m_problemsDock, m_kubectlDock, m_labDock, m_clusterDock, m_guideDock}) m_viewMenu->addAction(d->toggleViewAction());
    m_showProblemsAction = make(tr("Show problems anyway"), QString(), QKeySequence(), [this] { showProblemsAnyway(); });
    m_showProblemsAction->setObjectName(QStringLiteral("showProblemsAnyway"));
    m_showProblemsAction->setEnabled(false);
    m_viewMenu->addAction(m_showProblemsAction);
    m_viewMenu->addSeparator();
    QMenu* themeMenu = m_viewMenu->addMenu(themedIcon(QStringLiteral("theme")), tr("&Theme"));
    auto* group = new QActionGroup(this);
    const std::pair<QString, Theme> themes[] = {{tr("Follow the system"), Theme::System}, {tr("Light"), Theme::Light}, {tr("Dark"), Theme::Dark}};
    for (const auto& [label, theme] : themes) {
        QAction* a = themeMenu->addAction(label);
        a->setCheckable(true);
        a->setChecked(theme == m_theme);
        group->addAction(a);
        const Theme t = theme;
        connect(a, &QAction::triggered, this, [this, t] { setTheme(t); });
    }

    // Presenter mode (issue 15 item 7): large fonts, thick chart lines, high contrast; off: the theme again
    m_presenter = new PresenterMode(this, m_editor, this);
    QAction* presenterAct = m_viewMenu->addAction(tr("&Presenter mode"));
    presenterAct->setObjectName(QStringLiteral("presenterMode"));
    presenterAct->setCheckable(true);
    presenterAct->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_P));
    connect(presenterAct, &QAction::toggled, m_presenter, &PresenterMode::setOn);
    connect(m_presenter, &PresenterMode::toggled, this, [this, presenterAct](bool on) {
        presenterAct->setChecked(on);
        if (!on) applyTheme();
    });

    // Gateway API migration (issue 14): Object > Convert to Gateway API (also the tree's context menu), Migration dock
    const GatewayMigrationUi gatewayUi = installGatewayMigration(this, m_doc, m_objectMenu, m_viewMenu, m_clusterDock, &m_services);
    m_problemsDock->raise();  // tabifying put the Migration dock in front; Problems is the first bottom panel
    connect(gatewayUi.view, &MigrationView::selectObjectRequested, this, &MainWindow::selectObject);
    connect(gatewayUi.view, &MigrationView::revealSourceRequested, this, [this](const QString&, int line, int column) { m_editor->revealPosition(line, column); });

    m_runMenu = menuBar()->addMenu(tr("&Run"));
    m_runMenu->addActions(m_lab->startStopActions());

    m_helpMenu = menuBar()->addMenu(tr("&Help"));
    addHelpActions();
    m_helpMenu->addAction(make(tr("&About Ingress Lab"), QStringLiteral("app"), QKeySequence(), [this] {
        QMessageBox::about(this, tr("About Ingress Lab"),
                           tr("<b>Ingress Lab</b> %1<br>Design Kubernetes Ingress routing visually, then run it for real on your computer.")
                                   .arg(QString::fromStdString(ilab::versionString()).toHtmlEscaped()) +
                               QStringLiteral("<pre>%1</pre>").arg(QString::fromStdString(ilab::buildInfoText("ingress-lab")).toHtmlEscaped()));
    }));

    auto* tb = addToolBar(tr("Main"));
    tb->setObjectName(QStringLiteral("mainToolbar"));
    tb->setIconSize(QSize(18, 18));
    tb->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tb->addAction(newAct);
    tb->addAction(lessonAct);
    tb->addAction(openAct);
    tb->addAction(m_saveAction);
    tb->addSeparator();
    tb->addAction(undo);
    tb->addAction(redo);
    tb->addSeparator();
    tb->addActions(m_objectMenu->actions().mid(0, 2));
    tb->addSeparator();
    tb->addActions(m_lab->startStopActions());
    tb->addSeparator();
    tb->addAction(palette);
    for (QAction* a : tb->actions())
        if (a != newAct && a != lessonAct && a != openAct && a != m_saveAction && !m_lab->startStopActions().contains(a)) {
            if (QWidget* w = tb->widgetForAction(a)) {
                if (auto* b = qobject_cast<QToolButton*>(w)) b->setToolButtonStyle(Qt::ToolButtonIconOnly);
            }
        }
}

QList<QAction*> MainWindow::allActions() const {
    QList<QAction*> out;
    std::function<void(QMenu*)> collect = [&](QMenu* m) {
        for (QAction* a : m->actions()) {
            if (a->menu()) collect(a->menu());
            else out << a;
        }
    };
    for (QMenu* m : {m_fileMenu, m_editMenu, m_objectMenu, m_viewMenu, m_runMenu, m_helpMenu}) collect(m);
    return out;
}

// ---- document -> views ------------------------------------------------------------------------------

void MainWindow::onWorkspaceChanged() {
    m_treeModel->rebuild(m_doc->workspace(), m_doc->diagnostics(), m_doc->heldBackObjects());
    if (m_tree->currentIndex().isValid()) m_selectedKey = m_tree->currentIndex().data(WorkspaceTreeModel::KeyRole).toString();
    updateKubectl();
    m_labDebounce.start();
}

void MainWindow::setProblemsHidden(bool hidden) {
    m_problemsHidden = hidden;
    if (m_showProblemsAction) m_showProblemsAction->setEnabled(hidden);
    m_problemsStack->setCurrentIndex(hidden ? 1 : 0);
    onDiagnosticsChanged();
}

void MainWindow::showProblemsAnyway() { setProblemsHidden(false); }

void MainWindow::onDiagnosticsChanged() {
    if (m_problemsHidden) {
        // Only what the student typed wrong as YAML is marked; the planted mistakes stay for Check my work.
        Diagnostics syntax;
        for (const Diagnostic& d : m_doc->diagnostics())
            if (d.code == DiagCode::Syntax) syntax.push_back(d);
        m_problemsModel->setDiagnostics(syntax);
        m_editor->setProblems(syntax);
        m_treeModel->rebuild(m_doc->workspace(), syntax, m_doc->heldBackObjects());
        updateStatus();
        return;
    }
    Diagnostics shown = m_doc->diagnostics();
    const QString held = heldBackReason(m_doc->workspace(), m_doc->diagnostics());
    if (!held.isEmpty()) {
        Diagnostic note;
        note.severity = Severity::Info;
        note.code = DiagCode::Syntax;
        note.detail = held.toStdString();
        note.rule = "lab-held-back";
        shown.push_back(std::move(note));
    }
    Diagnostics marked = m_doc->diagnostics();
    for (const Diagnostic& d : m_cluster->serverProblems()) {  // what the API server refused (issue 12 item 6)
        shown.push_back(d);
        marked.push_back(d);
    }
    m_problemsModel->setDiagnostics(shown);
    m_editor->setProblems(marked);
    m_treeModel->rebuild(m_doc->workspace(), m_doc->diagnostics(), m_doc->heldBackObjects());
    updateStatus();
}

void MainWindow::onTreeSelection() {
    const QModelIndex idx = m_tree->currentIndex();
    if (!idx.isValid()) return;
    m_selectedKey = idx.data(WorkspaceTreeModel::KeyRole).toString();
    const int r = idx.data(WorkspaceTreeModel::ResourceIndexRole).toInt();
    const int rule = idx.data(WorkspaceTreeModel::RuleIndexRole).toInt();
    const int path = idx.data(WorkspaceTreeModel::PathIndexRole).toInt();
    if (r < 0) return;
    m_forms->showNode(r, rule, path);
    if (const model::Resource* res = m_doc->resource(r)) {
        std::string field;
        if (path >= 0) field = "spec.rules[" + std::to_string(rule) + "].http.paths[" + std::to_string(path) + "]";
        else if (rule >= 0) field = "spec.rules[" + std::to_string(rule) + "]";
        const SourcePos pos = field.empty() ? res->source.pos : res->source.find(field);
        if (!m_editor->hasFocus()) m_editor->revealPosition(pos.line, 1, false);
    }
    updateKubectl();
}

void MainWindow::revealField(int resourceIndex, const std::string& fieldPath) {
    const model::Resource* res = m_doc->resource(resourceIndex);
    if (!res) return;
    // select the deepest tree node the field belongs to
    int rule = -1, path = -1;
    std::sscanf(fieldPath.c_str(), "spec.rules[%d].http.paths[%d]", &rule, &path);
    if (fieldPath.rfind("spec.rules[", 0) != 0) rule = path = -1;
    const QModelIndex idx = m_treeModel->indexFor(resourceIndex, rule, path);
    if (idx.isValid()) m_tree->setCurrentIndex(idx);
    m_forms->markField(fieldPath);
}

void MainWindow::onProblemActivated(const QModelIndex& idx) {
    const Diagnostic* d = m_problemsModel->diagnostic(idx.row());
    if (!d) return;
    std::string kind, ns, name;
    if (parseObjectRef(d->object, &kind, &ns, &name)) {
        const int r = m_doc->indexOf(kind, ns, name);
        if (r >= 0) revealField(r, d->field);
    }
    if (d->pos && d->pos->line > 0) m_editor->revealPosition(d->pos->line, d->pos->column);
}

void MainWindow::showProblemMenu(const QPoint& pos) {
    const QModelIndex idx = m_problems->indexAt(pos);
    const Diagnostic* d = m_problemsModel->diagnostic(idx.row());
    if (!d) return;
    QMenu menu(this);
    const Diagnostic diag = *d;
    for (const QuickFix& fix : quickFixesFor(diag, m_doc->workspace())) {
        QAction* a = menu.addAction(themedIcon(QStringLiteral("fix")), fix.title);
        const auto apply = fix.apply;
        connect(a, &QAction::triggered, this, [this, apply] {
            if (!apply(*m_doc)) statusBar()->showMessage(tr("The quick fix no longer applies."), 4000);
        });
    }
    if (!menu.isEmpty()) menu.addSeparator();
    menu.addAction(themedIcon(QStringLiteral("copy")), tr("Copy message"), this, [diag] {
        QApplication::clipboard()->setText(QString::fromStdString(diag.message()));
    });
    menu.exec(m_problems->viewport()->mapToGlobal(pos));
}

QString MainWindow::documentName() const {
    if (!m_lessonId.isEmpty() && m_doc->filePath().isEmpty()) return tr("Lesson: %1").arg(m_lessonId);
    return m_doc->displayName();
}

void MainWindow::updateTitle() {
    setWindowTitle(QStringLiteral("%1%2 — Ingress Lab").arg(documentName(), m_doc->isModified() ? QStringLiteral(" •") : QString()));
    setWindowModified(m_doc->isModified());
    updateStatus();
}

void MainWindow::updateStatus() {
    // the same name as the window title (documentName()); the full path is in the tooltip
    m_statusFile->setText(tr("%1%2  ·  %n object(s)", nullptr, int(m_doc->workspace().resources.size()))
                              .arg(documentName(), m_doc->isModified() ? QStringLiteral(" •") : QString()));
    m_statusFile->setToolTip(m_doc->filePath().isEmpty() ? tr("Not saved to a file yet") : QDir::toNativeSeparators(m_doc->filePath()));
    const int e = m_problemsModel->errorCount(), w = m_problemsModel->warningCount();
    if (m_problemsHidden) {
        m_statusProblems->setText(tr("Problems hidden until Check my work"));
        m_problemsDock->setWindowTitle(tr("Problems (hidden)"));
        m_statusProblems->setStyleSheet(QString());
        return;
    }
    if (e == 0 && w == 0) {
        m_statusProblems->setText(tr("✓ No problems"));
        m_problemsDock->setWindowTitle(tr("Problems"));
    } else {
        m_statusProblems->setText(tr("%1 error(s), %2 warning(s)").arg(e).arg(w));
        m_problemsDock->setWindowTitle(tr("Problems (%1)").arg(e + w));
    }
    m_statusProblems->setStyleSheet(e ? QStringLiteral("color: #dc2626;") : w ? QStringLiteral("color: #d97706;") : QStringLiteral("color: #16a34a;"));
}

void MainWindow::updateKubectl() {
    const QModelIndex idx = m_tree->currentIndex();
    const int r = idx.isValid() ? idx.data(WorkspaceTreeModel::ResourceIndexRole).toInt() : -1;
    const model::Resource* res = m_doc->resource(r);
    const model::Ingress* ing = res ? res->as<model::Ingress>() : nullptr;
    if (!ing) {
        const auto all = m_doc->workspace().all<model::Ingress>();
        ing = all.empty() ? nullptr : all.front();
    }
    if (!ing) {
        m_kubectl->setPlainText(tr("No Ingress in this workspace yet."));
        return;
    }
    const std::string name = ing->meta.name;
    const std::string nsFlag = ing->meta.ns == "default" ? "" : " -n " + ing->meta.ns;
    QString text = QStringLiteral("$ kubectl get ingress %1%2\n").arg(QString::fromStdString(name), QString::fromStdString(nsFlag));
    text += QString::fromStdString(kubectl::getLine(m_doc->workspace(), *ing));
    text += QStringLiteral("\n$ kubectl describe ingress %1%2\n").arg(QString::fromStdString(name), QString::fromStdString(nsFlag));
    text += QString::fromStdString(kubectl::describe(m_doc->workspace(), *ing));
    if (m_kubectl->toPlainText() != text) m_kubectl->setPlainText(text);
}

// ---- files --------------------------------------------------------------------------------------------

void MainWindow::newWorkspace() {
    m_lessonId.clear();
    m_checkPanel->setLesson({}, QString());
    setProblemsHidden(false);
    m_guideDock->hide();
    m_lab->resetViews();
    m_doc->load(QString(), QString());
    m_recovery.clear();
}

bool MainWindow::openPath(const QString& path) {
    auto text = readWorkspaceText(path);
    if (!text) {
        QMessageBox::warning(this, tr("Open"), tr("Cannot open %1: %2").arg(path, QString::fromStdString(text.message())));
        return false;
    }
    m_lessonId.clear();
    m_checkPanel->setLesson({}, QString());
    setProblemsHidden(false);
    m_guideDock->hide();
    const bool isFolder = QFileInfo(path).isDir();
    const bool builtin = path.startsWith(QLatin1String(":/"));
    // Built-in workspaces ship no private keys, and saves leave generated ones out: generate the self-signed
    // certificates now (in the text, so the editor, the lab and a later save all see the same Secret).
    const QString loaded = text->contains(QLatin1String(lessons::GENERATE_ANNOTATION))
                               ? QString::fromStdString(lessons::fillGeneratedSecretsInText(text->toStdString()))
                               : *text;
    m_lab->resetViews();
    m_doc->load(loaded, isFolder || builtin ? QString() : path);
    settings::setLastSession(builtin ? settings::LastSession::Kind::Demo : settings::LastSession::Kind::File, builtin ? QString() : path);
    if (!isFolder && !builtin) addRecent(path);
    if (isFolder) statusBar()->showMessage(tr("Folder opened as one workspace; Save writes a single file."), 6000);
    m_tree->expandToDepth(1);
    return true;
}

void MainWindow::openLesson(const QString& id) {
    if (id.contains(QLatin1Char('/')) || id.contains(QLatin1Char('\\')) || QFileInfo(id).isDir()) {
        openLessonFolder(id);
        return;
    }
    const auto lesson = lessons::loadBuiltinLesson(id.toStdString());
    if (!lesson) {
        QMessageBox::warning(this, tr("Lesson"), tr("Lesson %1 is not available.").arg(id));
        return;
    }
    openLessonPack(*lesson);
    settings::setLastSession(settings::LastSession::Kind::Lesson, id);
}

bool MainWindow::openLessonFolder(const QString& dir) {
    const auto lesson = lessons::loadLessonFolder(dir.toStdString());
    if (!lesson) {
        QMessageBox box(QMessageBox::Warning, tr("Open lesson folder"),
                        tr("%1 is not a lesson Ingress Lab can open.").arg(QDir::toNativeSeparators(dir)), QMessageBox::Ok, this);
        box.setObjectName(QStringLiteral("lessonFolderError"));
        box.setInformativeText(QString::fromStdString(lesson.message()));
        box.exec();
        return false;
    }
    openLessonPack(*lesson);
    statusBar()->showMessage(tr("Lesson %1 opened from %2").arg(QString::fromStdString(lesson->title), QDir::toNativeSeparators(dir)), 6000);
    return true;
}

void MainWindow::openLessonPack(const lessons::Lesson& lesson) {
    m_lab->resetViews();
    m_doc->load(QString::fromStdString(lessons::fillGeneratedSecretsInText(lesson.workspace)), QString());
    m_lessonId = QString::fromStdString(lesson.id);
    static_cast<GuideView*>(m_guide)->setGuide(QString::fromStdString(lesson.guide));
    m_checkPanel->setLesson(lesson.checks, m_doc->text());
    setProblemsHidden(lesson.settings.problems == lessons::ProblemsVisibility::AfterCheck);
    m_guideDock->show();
    m_guideDock->raise();
    resizeDocks({m_guideDock}, {380}, Qt::Horizontal);
    updateTitle();
    m_tree->expandToDepth(1);
}

void MainWindow::newFromLesson() {
    if (!maybeSave()) return;
    LessonPicker picker(this);
    if (picker.exec() == QDialog::Accepted && !picker.selectedId().isEmpty()) openLesson(picker.selectedId());
}

void MainWindow::open() {
    if (!maybeSave()) return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open workspace"), QString(), tr("Kubernetes YAML (*.yaml *.yml *.json);;All files (*)"));
    if (!path.isEmpty()) openPath(path);
}

void MainWindow::openFolder() {
    if (!maybeSave()) return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open workspace folder"));
    if (!dir.isEmpty()) openPath(dir);
}

void MainWindow::setSaveGeneratedKeys(bool on) { m_saveGeneratedKeysAction->setChecked(on); }

bool MainWindow::saveTo(const QString& path) {
    QString text = m_doc->text();
    std::vector<std::string> generated;
    bool normalized = false;
    const bool withhold = !m_saveGeneratedKeysAction->isChecked() && text.contains(QLatin1String(lessons::GENERATE_ANNOTATION));
    if (withhold)
        text = QString::fromStdString(lessons::withholdGeneratedKeysInText(text.toStdString(), &generated, &normalized));
    if (!confirmOverwriteExternalChange(path)) return false;
    auto ok = saveAtomically(path, text);
    if (!ok) {
        QMessageBox::warning(this, tr("Save"), tr("Cannot save %1: %2").arg(path, QString::fromStdString(ok.message())));
        return false;
    }
    m_doc->setFilePath(path);
    m_doc->markSaved();
    m_fileWatcher->watch(path);  // our own write is not an outside change
    m_diskChangedUnderEdits = false;
    m_recovery.clear();
    addRecent(path);
    if (generated.empty()) {
        statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 3000);
    } else {
        QStringList names;
        for (const auto& n : generated) names << QString::fromStdString(n);
        statusBar()->showMessage(tr("Saved %1 without generated keys: %2 saved with tls.crt/tls.key empty (generated again on open)%3. "
                                    "File ▸ Save generated keys too includes them.")
                                     .arg(QDir::toNativeSeparators(path), names.join(QStringLiteral(", ")),
                                          normalized ? tr("; the file was rewritten in normal form") : QString()),
                                 15000);
    }
    updateStatus();
    return true;
}

bool MainWindow::save() {
    if (m_doc->filePath().isEmpty()) return saveAs();
    return saveTo(m_doc->filePath());
}

bool MainWindow::saveAs() {
    QString suggestion = m_doc->filePath().isEmpty() ? (m_lessonId.isEmpty() ? QStringLiteral("workspace.yaml") : m_lessonId + QStringLiteral(".yaml")) : m_doc->filePath();
    const QString path = QFileDialog::getSaveFileName(this, tr("Save workspace"), suggestion, tr("Kubernetes YAML (*.yaml *.yml)"));
    return !path.isEmpty() && saveTo(path);
}

ExportDialog* MainWindow::exportWorkspace(bool modal) {
    if (m_doc->isParsePending()) m_doc->reparseNow();
    const QString base = m_doc->filePath().isEmpty() ? (m_lessonId.isEmpty() ? QStringLiteral("workspace") : m_lessonId) : QFileInfo(m_doc->filePath()).completeBaseName();
    const QString dir = m_doc->filePath().isEmpty() ? QDir::homePath() : QFileInfo(m_doc->filePath()).absolutePath();
    auto* dlg = new ExportDialog(m_doc->workspace(), m_saveGeneratedKeysAction->isChecked(), QDir(dir).filePath(base + QStringLiteral("-export.yaml")), this);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    connect(dlg, &QDialog::accepted, this, [this, dlg] {
        statusBar()->showMessage(tr("Exported %n object(s) to %1", nullptr, int(dlg->result().objects)).arg(QDir::toNativeSeparators(dlg->writtenPath())), 5000);
    });
    if (modal) dlg->open();
    return dlg;
}

bool MainWindow::maybeSave() {
    if (!m_doc->isModified()) return true;
    const auto answer = QMessageBox::warning(this, tr("Unsaved changes"), tr("%1 has unsaved changes. Save them?").arg(m_doc->displayName()),
                                             QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel) return false;
    if (answer == QMessageBox::Save) return save();
    return true;
}

bool MainWindow::offerRecovery(bool askUser) {
    const QList<RecoveryEntry> entries = m_recovery.orphans();
    for (qsizetype k = 0; k < entries.size(); ++k) {
        const RecoveryEntry& e = entries[k];
        if (askUser) {
            QMessageBox box(QMessageBox::Question, tr("Recover unsaved work?"),
                            tr("Ingress Lab did not close cleanly. Unsaved changes to %1 from %2 were kept. Restore them?")
                                .arg(e.originalPath.isEmpty() ? tr("an untitled workspace") : QDir::toNativeSeparators(e.originalPath),
                                     QLocale().toString(e.savedAt, QLocale::ShortFormat)),
                            QMessageBox::NoButton, this);
            box.setObjectName(QStringLiteral("recoveryDialog"));
            box.setInformativeText(tr("%n line(s). Keep for later asks again at the next start.", nullptr, int(e.text.count(QLatin1Char('\n')) + 1)));
            QPushButton* restore = box.addButton(tr("Restore"), QMessageBox::AcceptRole);
            QPushButton* discard = box.addButton(tr("Discard"), QMessageBox::DestructiveRole);
            QPushButton* later = box.addButton(tr("Keep for later"), QMessageBox::RejectRole);
            restore->setObjectName(QStringLiteral("recoveryRestore"));
            discard->setObjectName(QStringLiteral("recoveryDiscard"));
            later->setObjectName(QStringLiteral("recoveryKeep"));
            box.setDefaultButton(restore);
            box.setEscapeButton(later);
            box.exec();
            if (box.clickedButton() == discard) {
                m_recovery.discard(e.id);
                continue;
            }
            if (box.clickedButton() != restore) {
                m_recovery.release(e.id);
                continue;
            }
        }
        // restored as an unsaved edit on top of the file (so Save writes it, Undo shows the file)
        auto original = e.originalPath.isEmpty() ? Result<QString, FileError>(QString()) : readWorkspaceText(e.originalPath);
        m_lessonId.clear();
        setProblemsHidden(false);
        m_doc->load(original ? *original : QString(), original ? e.originalPath : QString());
        m_doc->replaceText(e.text, tr("Recovered text"));
        // this session owns the text now: on disk under its own name before the orphan goes
        m_autosaver->flush();
        m_recovery.discard(e.id);
        for (qsizetype rest = k + 1; rest < entries.size(); ++rest) m_recovery.release(entries[rest].id);
        return true;
    }
    return false;
}

bool MainWindow::restoreLastSession() {
    const settings::LastSession last = settings::lastSession();
    switch (last.kind) {
    case settings::LastSession::Kind::Lesson:
        if (lessonWorkspace(last.value).isEmpty()) return false;
        openLesson(last.value);
        return true;
    case settings::LastSession::Kind::File:
        return QFileInfo::exists(last.value) && openPath(last.value);
    case settings::LastSession::Kind::Demo: return openPath(QStringLiteral(":/demo/demo-workspace.yaml"));
    case settings::LastSession::Kind::None: break;
    }
    return false;
}

void MainWindow::onFileChangedOnDisk(const QString& path) {
    if (path != m_doc->filePath()) return;
    const QString name = QDir::toNativeSeparators(path);
    QMessageBox box(QMessageBox::Warning, tr("File changed on disk"), QString(), QMessageBox::NoButton, this);
    box.setObjectName(QStringLiteral("fileChangedDialog"));
    QPushButton* reload = nullptr;
    if (m_doc->isModified()) {
        box.setText(tr("%1 was changed by another program, and you have unsaved changes here.").arg(name));
        box.setInformativeText(tr("Reload replaces your changes with the file's new content. Keep mine leaves the file as it is; "
                                  "saving later asks before it overwrites the other program's version."));
        reload = box.addButton(tr("Reload (discard my changes)"), QMessageBox::DestructiveRole);
    } else {
        box.setText(tr("%1 was changed by another program. Reload it?").arg(name));
        reload = box.addButton(tr("Reload"), QMessageBox::AcceptRole);
    }
    QPushButton* keep = box.addButton(m_doc->isModified() ? tr("Keep mine") : tr("Keep what is shown"), QMessageBox::RejectRole);
    reload->setObjectName(QStringLiteral("fileChangedReload"));
    keep->setObjectName(QStringLiteral("fileChangedKeep"));
    box.setDefaultButton(m_doc->isModified() ? keep : reload);
    box.setEscapeButton(keep);
    box.exec();
    if (box.clickedButton() == reload) {
        auto text = readWorkspaceText(path);
        if (!text) {
            QMessageBox::warning(this, tr("Reload"), tr("Cannot read %1: %2").arg(name, QString::fromStdString(text.message())));
            m_diskChangedUnderEdits = true;
            return;
        }
        m_doc->load(*text, path);
        statusBar()->showMessage(tr("Reloaded %1").arg(name), 4000);
        return;
    }
    m_diskChangedUnderEdits = true;
}

bool MainWindow::confirmOverwriteExternalChange(const QString& path) {
    if (!m_diskChangedUnderEdits || path != m_doc->filePath()) return true;
    QMessageBox box(QMessageBox::Warning, tr("Overwrite the other program's changes?"),
                    tr("%1 was changed on disk by another program after you opened it. Saving replaces that version with yours.")
                        .arg(QDir::toNativeSeparators(path)),
                    QMessageBox::NoButton, this);
    box.setObjectName(QStringLiteral("overwriteDialog"));
    QPushButton* overwrite = box.addButton(tr("Overwrite"), QMessageBox::DestructiveRole);
    overwrite->setObjectName(QStringLiteral("overwriteYes"));
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    return box.clickedButton() == overwrite;
}

void MainWindow::addHelpActions() {
    QAction* f1 = m_helpMenu->addAction(tr("&Help for this field"), this, [this] { showHelpForFocus(); });
    f1->setShortcut(QKeySequence::HelpContents);  // F1
    f1->setShortcutContext(Qt::ApplicationShortcut);
    f1->setObjectName(QStringLiteral("helpForField"));
    m_helpMenu->addAction(tr("Help &contents"), this, [this] { showHelp(QStringLiteral("index")); });
    m_helpMenu->addAction(tr("&Lessons"), this, [this] { showHelp(QStringLiteral("lessons")); });
    m_helpMenu->addAction(tr("&Annotations reference"), this, [this] { showHelp(QStringLiteral("annotations")); });
    m_helpMenu->addAction(tr("Command &line reference"), this, [this] { showHelp(QStringLiteral("cli")); });
    m_helpMenu->addAction(tr("&Keyboard shortcuts"), this, [this] { showHelp(QStringLiteral("shortcuts")); })
        ->setObjectName(QStringLiteral("helpShortcuts"));
    m_helpMenu->addSeparator();
}

HelpWindow* MainWindow::showHelp(const QString& topic) {
    if (!m_help) m_help = new HelpWindow(this);
    m_help->setShortcutActions(allActions());
    m_help->showTopic(topic);
    m_help->show();
    m_help->raise();
    return m_help;
}

void MainWindow::showHelpForFocus() {
    const QString topic = help::topicForWidget(QApplication::focusWidget());
    showHelp(topic.isEmpty() ? QStringLiteral("index") : topic);
}

void MainWindow::restoreSessionSettings() {
    const settings::ClusterChoice c = settings::lastCluster();
    if (!c.context.isEmpty() && m_services.cluster && m_services.cluster->contexts().contains(c.context))
        m_cluster->setContextAndNamespace(c.context, c.ns);
}

void MainWindow::saveSessionSettings() {
    // the panel's current choice (connected or not): what the user picked last
    const auto* box = m_cluster->findChild<QComboBox*>(QStringLiteral("clusterContext"));
    const auto* ns = m_cluster->findChild<QLineEdit*>(QStringLiteral("clusterNamespace"));
    if (box && ns && !box->currentText().isEmpty()) settings::setLastCluster({box->currentText(), ns->text().trimmed()});
}

void MainWindow::addRecent(const QString& path) {
    QSettings s;
    QStringList recent = s.value(QStringLiteral("files/recent")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > MAX_RECENT) recent.removeLast();
    s.setValue(QStringLiteral("files/recent"), recent);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu() {
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("files/recent")).toStringList();
    for (const QString& p : recent) {
        m_recentMenu->addAction(QFileInfo(p).fileName() + QStringLiteral("  —  ") + QDir::toNativeSeparators(QFileInfo(p).absolutePath()), this,
                                [this, p] { if (maybeSave()) openPath(p); });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::closeEvent(QCloseEvent* e) {
    if (!maybeSave()) {
        e->ignore();
        return;
    }
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    saveSessionSettings();
    m_recovery.clear();
    e->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
    if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
    const auto urls = e->mimeData()->urls();
    if (urls.isEmpty() || !urls.front().isLocalFile()) return;
    if (maybeSave()) openPath(urls.front().toLocalFile());
    e->acceptProposedAction();
}

// ---- objects ------------------------------------------------------------------------------------------

void MainWindow::addObject(const QString& kind) {
    const model::Workspace& ws = m_doc->workspace();
    int idx = -1;
    if (kind == QLatin1String("Ingress")) {
        idx = m_doc->appendResource(templates::ingress(templates::uniqueName(ws, "Ingress", "default", "web"), "default", templates::defaultClassName(ws)),
                                    tr("New Ingress"));
    } else if (kind == QLatin1String("Service")) {
        const std::string name = templates::uniqueName(ws, "Service", "default", "web");
        idx = m_doc->appendResources({templates::deployment(name, "default", "registry.example.com/" + name + ":1.0", 8080),
                                      templates::service(name, "default", 80, 8080)}, tr("New Service"));
        if (idx >= 0) ++idx;  // select the Service
    } else if (kind == QLatin1String("Deployment")) {
        const std::string name = templates::uniqueName(ws, "Deployment", "default", "app");
        idx = m_doc->appendResource(templates::deployment(name, "default", "registry.example.com/" + name + ":1.0", 8080), tr("New Deployment"));
    } else if (kind == QLatin1String("IngressClass")) {
        idx = m_doc->appendResource(templates::ingressClass(templates::uniqueName(ws, "IngressClass", "default", "nginx"), ws.all<model::IngressClass>().empty()),
                                    tr("New IngressClass"));
    } else if (kind == QLatin1String("ConfigMap")) {
        if (ws.controllerConfigMap()) return;
        idx = m_doc->appendResource(templates::controllerConfigMap("ingress-nginx"), tr("New controller ConfigMap"));
    } else if (kind == QLatin1String("Secret")) {
        QStringList hosts;
        for (const auto* ing : ws.all<model::Ingress>())
            for (const auto& h : templates::hostsOf(*ing)) hosts << QString::fromStdString(h);
        hosts.removeDuplicates();
        showCreateTlsSecretDialog(QStringLiteral("default"), QString::fromStdString(templates::uniqueName(ws, "Secret", "default", "web-tls")), hosts);
        return;
    }
    if (idx >= 0) {
        const QModelIndex ti = m_treeModel->indexFor(idx);
        if (ti.isValid()) m_tree->setCurrentIndex(ti);
    }
}

void MainWindow::deleteSelected() {
    const QModelIndex idx = m_tree->currentIndex();
    const int r = idx.isValid() ? idx.data(WorkspaceTreeModel::ResourceIndexRole).toInt() : -1;
    const model::Resource* res = m_doc->resource(r);
    if (!res) return;
    m_doc->removeResource(r, tr("Delete %1").arg(QString::fromStdString(res->displayName())));
}

void MainWindow::showCreateTlsSecretDialog(const QString& ns, const QString& name, const QStringList& hosts) {
    GenerateCertificateDialog dlg(ns, name, hosts, this);
    if (dlg.exec() != QDialog::Accepted || !dlg.result()) return;
    const std::string secretName = dlg.secretName().toStdString(), secretNs = dlg.secretNamespace().toStdString();
    const YAML::Node secret = templates::tlsSecret(secretName, secretNs, dlg.result()->certPem, dlg.result()->keyPem);
    const int existing = m_doc->indexOf("Secret", secretNs, secretName);
    if (existing >= 0) {
        m_doc->editResource(existing, [&](YAML::Node& n) {
            n["type"] = "kubernetes.io/tls";
            n.remove("stringData");
            n["data"] = secret["data"];
            return true;
        }, tr("Regenerate TLS Secret %1").arg(dlg.secretName()));
    } else {
        m_doc->appendResource(secret, tr("Create TLS Secret %1").arg(dlg.secretName()));
    }
    statusBar()->showMessage(tr("TLS Secret %1 generated (self-signed).").arg(dlg.secretName()), 4000);
}

void MainWindow::selectObject(const QString& kind, const QString& ns, const QString& name) {
    const int r = m_doc->indexOf(kind.toStdString(), ns.toStdString(), name.toStdString());
    const QModelIndex idx = m_treeModel->indexFor(r);
    if (idx.isValid()) m_tree->setCurrentIndex(idx);
}

void MainWindow::raisePanel(const QString& name) {
    QDockWidget* d = name == QLatin1String("problems") ? m_problemsDock : name == QLatin1String("kubectl") ? m_kubectlDock
                   : name == QLatin1String("lab") ? m_labDock : name == QLatin1String("guide") ? m_guideDock
                   : name == QLatin1String("cluster") ? m_clusterDock : nullptr;
    if (d) showPanel(d);
}

void MainWindow::showPanel(QDockWidget* d) {
    d->show();
    d->raise();
    // focus the panel's first widget that takes the keyboard (the tree, the Problems list, the lab's first control)
    QWidget* target = d->widget();
    if (auto* scroll = qobject_cast<QScrollArea*>(target)) target = scroll->widget();  // the lab: its controls
    if (target && (!(target->focusPolicy() & Qt::TabFocus) || qobject_cast<QScrollArea*>(d->widget()))) {
        const auto children = target->findChildren<QWidget*>();
        target = nullptr;
        for (QWidget* w : children)
            if ((w->focusPolicy() & Qt::TabFocus) && w->isVisibleTo(d) && w->isEnabled()) {
                target = w;
                break;
            }
    }
    if (target) target->setFocus(Qt::ShortcutFocusReason);
}

void MainWindow::updateClusterStatus() {
    ClusterSession* c = m_services.cluster;
    if (!c) {
        m_statusCluster->hide();
        return;
    }
    QString text, style;
    switch (c->state()) {
    case ClusterSession::State::Disconnected:
        text = c->error().isEmpty() ? tr("Cluster: not connected") : tr("Cluster: not connected (error)");
        break;
    case ClusterSession::State::Connecting: text = tr("Cluster: connecting…"); break;
    case ClusterSession::State::Connected:
        text = tr("Cluster: %1 · %2 · %3").arg(c->context(), c->serverVersion(), c->ns());
        if (!c->distribution().isEmpty()) text += QStringLiteral(" · ") + c->distribution();
        style = QStringLiteral("QLabel { color: #1b5e20; }");
        break;
    case ClusterSession::State::Lost:
        text = tr("Cluster: connection lost, reconnecting…");
        style = QStringLiteral("QLabel { color: #b71c1c; font-weight: bold; }");
        break;
    }
    if (c->tlsVerificationDisabled() && c->state() != ClusterSession::State::Disconnected) {
        text += tr(" · TLS NOT VERIFIED");
        style = QStringLiteral("QLabel { background: #c62828; color: white; font-weight: bold; padding: 0 4px; }");
    }
    m_statusCluster->setText(text);
    m_statusCluster->setStyleSheet(style);
    m_statusCluster->setToolTip(c->error());
}

void MainWindow::showPalette() {
    CommandPalette palette(allActions(), this);
    const QPoint topCentre = mapToGlobal(QPoint(width() / 2 - palette.width() / 2, 60));
    palette.move(topCentre);
    palette.exec();
}

// ---- theme --------------------------------------------------------------------------------------------

void MainWindow::setTheme(Theme theme) {
    m_theme = theme;
    QSettings().setValue(QStringLiteral("view/theme"), static_cast<int>(theme));
    applyTheme();
}

bool MainWindow::isDark() const {
    if (m_theme == Theme::Dark) return true;
    if (m_theme == Theme::Light) return false;
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    return QGuiApplication::styleHints()->colorScheme() == Qt::ColorScheme::Dark;
#else
    const QPalette p = QGuiApplication::palette();
    return p.color(QPalette::Window).lightness() < p.color(QPalette::WindowText).lightness();
#endif
}

void MainWindow::applyTheme() {
    static const QPalette systemPalette = QApplication::palette();
    const bool dark = isDark();
    if (m_theme == Theme::System) {
        QApplication::setPalette(systemPalette);
    } else if (dark) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QPalette p;
        p.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x30));
        p.setColor(QPalette::WindowText, QColor(0xdf, 0xe1, 0xe5));
        p.setColor(QPalette::Base, QColor(0x1e, 0x1f, 0x22));
        p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2c));
        p.setColor(QPalette::Text, QColor(0xdf, 0xe1, 0xe5));
        p.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3b));
        p.setColor(QPalette::ButtonText, QColor(0xdf, 0xe1, 0xe5));
        p.setColor(QPalette::Highlight, QColor(0x2f, 0x65, 0xca));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::ToolTipBase, QColor(0x35, 0x37, 0x3b));
        p.setColor(QPalette::ToolTipText, QColor(0xdf, 0xe1, 0xe5));
        p.setColor(QPalette::PlaceholderText, QColor(0x80, 0x84, 0x8a));
        p.setColor(QPalette::Link, QColor(0x58, 0x9d, 0xf6));
        p.setColor(QPalette::Mid, QColor(0x4a, 0x4d, 0x52));
        p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x84, 0x8a));
        p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x80, 0x84, 0x8a));
        p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x84, 0x8a));
        QApplication::setPalette(p);
    } else {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QPalette p = QApplication::style()->standardPalette();
        p.setColor(QPalette::Window, QColor(0xf6, 0xf7, 0xf9));
        p.setColor(QPalette::Base, Qt::white);
        p.setColor(QPalette::AlternateBase, QColor(0xf3, 0xf5, 0xf8));
        p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xeb));
        QApplication::setPalette(p);
    }
    m_editor->applyTheme(dark);
}

void MainWindow::changeEvent(QEvent* e) {
    if (e->type() == QEvent::ApplicationPaletteChange && m_theme == Theme::System) m_editor->applyTheme(isDark());
    QMainWindow::changeEvent(e);
}

}  // namespace ilab::ui
