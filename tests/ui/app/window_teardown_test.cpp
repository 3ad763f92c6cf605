// Destroying the designer window while the document has unsaved edits (what app/gui/main.cpp does after the user
// chose Discard at quit, and every GUI test that ends with edits): the undo stack, destroyed with the document,
// reports "clean" one last time, and that signal reached MainWindow::updateStatus on a window whose destructor had
// already run (a crash in QWidget::setWindowTitle, seen after ui_gateway_migration_live_test converted the canary
// lesson). Edits of three kinds: a typed edit, a form-style command, a whole conversion.
#include <QAction>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/gui_services.h"
#include "ui/document/workspace_document.h"
#include "ui/main_window.h"

using namespace ilab;
using namespace ilab::ui;

class WindowTeardownTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabTest"));
    }

    void destroyedWithUnsavedEdits_data() {
        QTest::addColumn<QString>("edit");
        QTest::newRow("typed") << QStringLiteral("typed");
        QTest::newRow("converted") << QStringLiteral("converted");
    }

    void destroyedWithUnsavedEdits() {
        QFETCH(QString, edit);
        const ilab::app::GuiServices services;
        auto w = std::make_unique<MainWindow>(services.services(), nullptr, m_dir.filePath(QStringLiteral("recovery")));
        w->show();
        w->openLesson(QStringLiteral("canary"));
        if (edit == QLatin1String("typed")) {
            w->document()->setTextFromEditor(w->document()->text() + QStringLiteral("\n# a note\n"));
        } else {
            QAction* convert = w->findChild<QAction*>(QStringLiteral("convertToGateway"));
            QVERIFY(convert);
            convert->trigger();
        }
        QTRY_VERIFY(w->document()->isModified());
        w.reset();  // crashed here before the fix
    }
};

QTEST_MAIN(WindowTeardownTest)
#include "window_teardown_test.moc"
