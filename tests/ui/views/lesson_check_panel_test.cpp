// Issue 15 items 6 and 8 in the GUI: "Check my work" under the lesson guide and lesson folders.
// The Check button starts the real lab when it is not running (free ports here), syncs the edited workspace into
// the controller and runs the lesson's checks with real requests; the canary lesson shows step 3 failing with the
// explainer's reason, then all green after the student adds canary-by-header in the editor. Half-typed YAML is
// reported instead of checked. File > Open lesson folder opens an instructor's folder (guide, workspace, checks);
// a bad folder gets a message box that says what is wrong, and the open workspace stays.
// With ILAB_SHOT_DIR set, the guide dock is saved as PNGs there (the screenshots of the report).
#include <QAbstractButton>
#include <QDir>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QUndoStack>

#include "app/gui/gui_services.h"
#include "ui/document/workspace_document.h"
#include "ui/lab/lab_panel.h"
#include "ui/main_window.h"
#include "ui/views/lesson_check_panel.h"

using namespace ilab;
using namespace ilab::ui;

namespace {

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

// Closes the next message box and records its objectName, text and informative text.
void closeNextMessageBox(QObject* context, QString* seen) {
    auto* poll = new QTimer(context);
    QObject::connect(poll, &QTimer::timeout, context, [poll, seen] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box || !box->isVisible()) return;
        *seen = box->objectName() + QLatin1Char('|') + box->text() + QLatin1Char('|') + box->informativeText();
        poll->stop();
        poll->deleteLater();
        box->button(QMessageBox::Ok)->click();
    });
    poll->start(20);
}

void shot(MainWindow& w, const QString& name) {
    const QString dir = qEnvironmentVariable("ILAB_SHOT_DIR");
    if (dir.isEmpty()) return;
    QDir().mkpath(dir);
    QWidget* dock = w.lessonChecks()->parentWidget();
    while (dock && !dock->inherits("QDockWidget")) dock = dock->parentWidget();
    (dock ? dock : static_cast<QWidget*>(&w))->grab().save(dir + QLatin1Char('/') + name + QStringLiteral("-guide.png"));
    w.grab().save(dir + QLatin1Char('/') + name + QStringLiteral("-window.png"));
}

bool clickCheckAndWait(LessonCheckPanel* panel) {
    QSignalSpy finished(panel, &LessonCheckPanel::checksFinished);
    QTest::mouseClick(panel->checkButton(), Qt::LeftButton);
    return QTest::qWaitFor([&] { return finished.count() > 0; }, 60000);
}

}  // namespace

class LessonCheckPanelTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabTest"));
    }

    void checkButtonRunsTheCanaryChecks() {
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        w.resize(1600, 1000);
        w.show();
        w.openLesson(QStringLiteral("canary"));
        LessonCheckPanel* panel = w.lessonChecks();
        QVERIFY(panel->isVisible());
        QCOMPARE(panel->checks().count(), 4);
        QVERIFY(panel->resultText().contains(QStringLiteral("4 checks for this lesson")) ||
                panel->resultText().contains(QStringLiteral("4 check(s) for this lesson")));
        LabPanel* lab = w.labPanel();
        lab->setListenPorts(0, 0);
        QVERIFY(!lab->isRunning());

        // Untouched: the lab starts, steps 1 and 2 pass, step 3 (a change the student still has to make) fails.
        QVERIFY(clickCheckAndWait(panel));
        QVERIFY(lab->isRunning());
        QString text = panel->resultText();
        QVERIFY2(text.contains(QStringLiteral("2 of 4 check(s) pass; 2 to fix.")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("✗ X-Canary: always sends every request to agent-test")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("✓ agent-test gets about 10 % of 400 requests")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("Step 3 · Force the canary with a header")));
        QVERIFY(text.contains(QStringLiteral("nothing in the route looks at the X-Canary header")));
        QVERIFY(text.contains(QStringLiteral("Why: Proxy to default/agent-stable:80 (main)")));
        w.raisePanel(QStringLiteral("guide"));
        shot(w, QStringLiteral("check-canary-failing"));

        // The student adds the header annotation in the editor; Check syncs it at once and everything passes.
        WorkspaceDocument* doc = w.document();
        QString yaml = doc->text();
        const QString weight = QStringLiteral("    nginx.ingress.kubernetes.io/canary-weight: \"10\"\n");
        QVERIFY(yaml.contains(weight));
        yaml.replace(weight, weight + QStringLiteral("    nginx.ingress.kubernetes.io/canary-by-header: \"X-Canary\"\n"));
        doc->replaceText(yaml, QStringLiteral("add canary-by-header"));
        QVERIFY(clickCheckAndWait(panel));
        text = panel->resultText();
        QVERIFY2(text.contains(QStringLiteral("All 4 check(s) pass")), qPrintable(text));
        QVERIFY(!text.contains(QStringLiteral("✗")));
        shot(w, QStringLiteral("check-canary-passing"));

        // Half-typed YAML is not checked: the panel says the workspace does not reach the lab.
        yaml.replace(QStringLiteral("  name: agent-stable\n  labels:\n"), QStringLiteral("  name: agent-stable\n  labels: {\n"));
        doc->replaceText(yaml, QStringLiteral("typing"));
        QVERIFY(clickCheckAndWait(panel));
        QVERIFY2(panel->resultText().contains(QStringLiteral("does not reach the lab")), qPrintable(panel->resultText()));
        lab->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!lab->isRunning(), 10000);
    }

    void debuggingLessonInTheGui() {
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        w.setTheme(MainWindow::Theme::Dark);
        w.resize(1280, 720);
        w.show();
        w.openLesson(QStringLiteral("exercise-debugging"));
        w.labPanel()->setListenPorts(0, 0);
        LessonCheckPanel* panel = w.lessonChecks();
        QVERIFY(clickCheckAndWait(panel));
        const QString text = panel->resultText();
        QVERIFY2(text.contains(QStringLiteral("1 of 5 check(s) pass")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("Service default/catalogue not found")));
        QVERIFY(text.contains(QStringLiteral("Fake Certificate")));
        w.raisePanel(QStringLiteral("guide"));
        shot(w, QStringLiteral("check-debugging-1280-dark"));
        w.setTheme(MainWindow::Theme::Light);
        w.labPanel()->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!w.labPanel()->isRunning(), 10000);
    }

    // "Reset workspace" puts the lesson's start back as one edit; Undo brings the student's version back.
    void resetPutsTheLessonBack() {
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        w.show();
        w.openLesson(QStringLiteral("canary"));
        LessonCheckPanel* panel = w.lessonChecks();
        WorkspaceDocument* doc = w.document();
        const QString start = doc->text();
        QVERIFY(panel->resetButton()->isVisible());
        QString mine = start;
        mine.replace(QStringLiteral("canary-weight: \"10\""), QStringLiteral("canary-weight: \"30\""));
        QVERIFY(mine != start);
        doc->replaceText(mine, QStringLiteral("weight 30"));
        QTest::mouseClick(panel->resetButton(), Qt::LeftButton);
        QCOMPARE(doc->text(), start);
        QVERIFY(panel->resultText().contains(QStringLiteral("Undo brings your version back")));
        doc->undoStack()->undo();
        QCOMPARE(doc->text(), mine);

        w.newWorkspace();
        QVERIFY(!panel->resetButton()->isVisibleTo(panel));
        QCOMPARE(panel->checks().count(), 0);
    }

    void lessonFolders() {
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        w.show();
        w.openLesson(QStringLiteral("canary"));
        const QString canaryText = w.document()->text();

        // A bad folder: a message box names the problem; nothing else changes.
        const QString bad = dir.filePath(QStringLiteral("bad-lesson"));
        QDir().mkpath(bad);
        writeFile(bad + QStringLiteral("/guide.md"), "# Bad\n");
        QString seen;
        closeNextMessageBox(this, &seen);
        QVERIFY(!w.openLessonFolder(bad));
        QVERIFY2(seen.startsWith(QStringLiteral("lessonFolderError|")), qPrintable(seen));
        QVERIFY2(seen.contains(QStringLiteral("has no workspace.yaml")), qPrintable(seen));
        QCOMPARE(w.document()->text(), canaryText);
        QCOMPARE(w.lessonId(), QStringLiteral("canary"));

        writeFile(bad + QStringLiteral("/workspace.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n");
        writeFile(bad + QStringLiteral("/checks.yaml"), "steps:\n- checks:\n  - request: {url: http://a/}\n    expect: {satus: 200}\n");
        closeNextMessageBox(this, &seen);
        QVERIFY(!w.openLessonFolder(bad));
        QVERIFY2(seen.contains(QStringLiteral("checks.yaml:4: unknown key \"satus\"")), qPrintable(seen));
        QCOMPARE(w.document()->text(), canaryText);

        // A good folder, opened the way --lesson FOLDER does.
        const QString good = dir.filePath(QStringLiteral("my-lesson"));
        QDir().mkpath(good);
        writeFile(good + QStringLiteral("/guide.md"), "# Instructor's lesson\n\n## Steps\n1. Press **Start**.\n");
        writeFile(good + QStringLiteral("/workspace.yaml"),
                  "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n");
        writeFile(good + QStringLiteral("/checks.yaml"), "steps:\n- step: 1\n  checks:\n  - request: {url: http://web.example.com/}\n    expect: {status: 404}\n");
        w.openLesson(good);
        QCOMPARE(w.lessonId(), QStringLiteral("my-lesson"));
        QVERIFY(w.document()->text().contains(QStringLiteral("name: web")));
        QCOMPARE(w.lessonChecks()->checks().count(), 1);
        auto* guide = w.findChild<QTextBrowser*>(QStringLiteral("guide"));
        QVERIFY(guide && guide->toPlainText().contains(QStringLiteral("Instructor's lesson")));
        QVERIFY(w.windowTitle().contains(QStringLiteral("my-lesson")));

        // The File menu has the entry.
        bool found = false;
        for (QAction* a : w.allActions()) found |= a->objectName() == QLatin1String("openLessonFolder");
        QVERIFY(found);
    }
};

QTEST_MAIN(LessonCheckPanelTest)
#include "lesson_check_panel_test.moc"
