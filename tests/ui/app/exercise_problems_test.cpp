// The debugging exercise's planted mistakes (a Service not found, a wrong port name, a missing TLS Secret) were
// listed in the Problems panel the moment the lesson opened, which gave the exercise away. Its lesson.yaml says
// `problems: after-check`: the Problems panel shows a note instead of the list, and neither the status bar nor the
// editor nor the tree marks the mistakes, until the student presses Check my work (with the real lab and real
// requests) or chooses View ▸ Show problems anyway. Other lessons show their problems as before.
#include <QAction>
#include <QDockWidget>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include "app/gui/gui_services.h"
#include "ui/document/workspace_document.h"
#include "ui/lab/lab_panel.h"
#include "ui/main_window.h"
#include "ui/views/lesson_check_panel.h"

using namespace ilab;
using namespace ilab::ui;

namespace {

int listedProblems(MainWindow& w) {
    auto* list = w.findChild<QTreeView*>(QStringLiteral("problems"));
    return list && list->model() ? list->model()->rowCount() : -1;
}

QString listedText(MainWindow& w) {
    auto* list = w.findChild<QTreeView*>(QStringLiteral("problems"));
    QStringList out;
    for (int r = 0; list && r < list->model()->rowCount(); ++r)
        for (int c = 0; c < list->model()->columnCount(); ++c) out << list->model()->index(r, c).data().toString();
    return out.join(QLatin1Char(' '));
}

bool documentHasPlantedMistakes(MainWindow& w) {
    for (const auto& d : w.document()->diagnostics())
        if (QString::fromStdString(d.message()).contains(QLatin1String("not found"), Qt::CaseInsensitive)) return true;
    return false;
}

QAction* showAnywayAction(MainWindow& w) {
    for (QAction* a : w.allActions())
        if (a->objectName() == QLatin1String("showProblemsAnyway")) return a;
    return nullptr;
}

}  // namespace

class ExerciseProblemsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabTest"));
    }

    void hiddenUntilShownAnyway() {
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        w.resize(1600, 1000);
        w.show();
        w.openLesson(QStringLiteral("exercise-debugging"));
        w.raisePanel(QStringLiteral("problems"));
        // There is something to hide: the workspace has the planted mistakes ...
        QTRY_VERIFY(documentHasPlantedMistakes(w));
        // ... and none of it shows.
        QVERIFY(w.areProblemsHidden());
        auto* note = w.findChild<QLabel*>(QStringLiteral("problemsHiddenNote"));
        QVERIFY(note);
        QTRY_VERIFY(note->isVisible());
        QCOMPARE(note->text(), QStringLiteral("Problems are hidden in this exercise until you press Check my work."));
        QVERIFY(!w.findChild<QTreeView*>(QStringLiteral("problems"))->isVisible());
        QCOMPARE(listedProblems(w), 0);
        auto* status = w.findChild<QLabel*>(QStringLiteral("statusProblems"));
        QCOMPARE(status->text(), QStringLiteral("Problems hidden until Check my work"));
        QVERIFY(!status->text().contains(QLatin1String("error")));
        QCOMPARE(w.findChild<QDockWidget*>(QStringLiteral("problemsDock"))->windowTitle(), QStringLiteral("Problems (hidden)"));

        // View ▸ Show problems anyway
        QAction* anyway = showAnywayAction(w);
        QVERIFY(anyway && anyway->isEnabled());
        anyway->trigger();
        QVERIFY(!w.areProblemsHidden());
        QVERIFY(!anyway->isEnabled());
        QTRY_VERIFY(w.findChild<QTreeView*>(QStringLiteral("problems"))->isVisible());
        QVERIFY(listedProblems(w) > 0);
        QVERIFY2(listedText(w).contains(QLatin1String("not found"), Qt::CaseInsensitive), qPrintable(listedText(w)));
        QVERIFY(status->text().contains(QLatin1String("error")));

        // Another lesson shows its problems; coming back to the exercise hides them again.
        w.openLesson(QStringLiteral("canary"));
        QVERIFY(!w.areProblemsHidden());
        w.openLesson(QStringLiteral("exercise-debugging"));
        QVERIFY(w.areProblemsHidden());
        QCOMPARE(listedProblems(w), 0);
        // The note's own button does the same as the menu.
        auto* button = w.findChild<QPushButton*>(QStringLiteral("showProblemsAnywayButton"));
        QVERIFY(button && button->isVisible());
        QTest::mouseClick(button, Qt::LeftButton);
        QVERIFY(!w.areProblemsHidden());
        QVERIFY(listedProblems(w) > 0);
    }

    void shownAfterCheckMyWork() {
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        w.resize(1600, 1000);
        w.show();
        w.labPanel()->setListenPorts(0, 0);
        w.openLesson(QStringLiteral("exercise-debugging"));
        QTRY_VERIFY(documentHasPlantedMistakes(w));
        QVERIFY(w.areProblemsHidden());
        QCOMPARE(listedProblems(w), 0);
        QSignalSpy finished(w.lessonChecks(), &LessonCheckPanel::checksFinished);
        QTest::mouseClick(w.lessonChecks()->checkButton(), Qt::LeftButton);
        QVERIFY(finished.wait(120000));
        QVERIFY2(finished.at(0).at(1).toString().isEmpty(), qPrintable(finished.at(0).at(1).toString()));
        QVERIFY(!w.areProblemsHidden());
        QVERIFY(listedProblems(w) > 0);
        QVERIFY2(listedText(w).contains(QLatin1String("not found"), Qt::CaseInsensitive), qPrintable(listedText(w)));
        w.labPanel()->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!w.labPanel()->isRunning(), 20000);
    }

    // A lesson without the setting shows its problems at once.
    void ordinaryLessonShowsProblems() {
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        w.openLesson(QStringLiteral("canary"));
        QVERIFY(!w.areProblemsHidden());
        QString text = w.document()->text();
        text.replace(QStringLiteral("name: agent-test\n            port"), QStringLiteral("name: agent-tset\n            port"));
        w.document()->replaceText(text, QStringLiteral("typo"));
        QTRY_VERIFY2(listedText(w).contains(QLatin1String("agent-tset")), qPrintable(listedText(w)));
    }
};

QTEST_MAIN(ExerciseProblemsTest)
#include "exercise_problems_test.moc"
