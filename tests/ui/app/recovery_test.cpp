// Autosave and recovery in one process (issue 16 item 3b, c): the unsaved text is written ~2 s after typing stops
// (QSaveFile, 0600) and removed on save and on a clean close; a window that goes away without closing leaves it
// for the next one, whose dialog offers Restore / Discard / Keep for later; a running window's text is never
// offered to another window. Closing with unsaved changes asks Save / Discard / Cancel, and Cancel keeps the
// window and the text. (The same with a real process killed by SIGKILL: recovery_kill_test.)
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/gui_services.h"
#include "tests/ui/app/dialog_answer.h"
#include "ui/document/file_io.h"
#include "ui/main_window.h"
#include "ui/recovery.h"
#include "ui/settings.h"

using namespace ilab;
using namespace ilab::ui;

class RecoveryTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    struct Window {
        app::GuiServices services;
        MainWindow w;
        explicit Window(const QString& recovery) : w(services.services(), nullptr, recovery) {}
    };
    std::unique_ptr<Window> window(const QString& sub = QStringLiteral("recovery")) { return std::make_unique<Window>(m_tmp.filePath(sub)); }
    static QString readAll(const QString& path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }
    const QString m_text = QStringLiteral("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n");

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_tmp.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabRecoveryTest"));
        settings::redirectForTest(m_tmp.filePath(QStringLiteral("settings")));
    }

    void autosaveIsDebouncedAndRemovedOnSave() {
        auto win = window(QStringLiteral("r1"));
        MainWindow& w = win->w;
        const QString file = m_tmp.filePath(QStringLiteral("a.yaml"));
        QVERIFY(saveAtomically(file, m_text).ok());
        QVERIFY(w.openPath(file));
        const QString session = w.recovery().sessionFile();
        w.document()->replaceText(m_text + QStringLiteral("# edit 1\n"), QStringLiteral("edit"));
        QVERIFY(w.autosave()->isPending());
        QVERIFY(!QFile::exists(session));  // not on every keystroke
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(session), 10000);
        QCOMPARE(readAll(session), m_text + QStringLiteral("# edit 1\n"));
        QVERIFY(!(QFile::permissions(session) & (QFileDevice::ReadOther | QFileDevice::ReadGroup)));
        // undo back to the saved text: nothing to recover
        w.document()->undoStack()->undo();
        QTRY_VERIFY(!QFile::exists(session));
        w.document()->replaceText(m_text + QStringLiteral("# edit 2\n"), QStringLiteral("edit"));
        w.autosave()->flush();
        QVERIFY(QFile::exists(session));
        QVERIFY(w.saveTo(file));
        QVERIFY(!QFile::exists(session));
        QCOMPARE(readAll(file), m_text + QStringLiteral("# edit 2\n"));
    }

    void runningSessionsAreNotOffered_andChoices() {
        auto first = window();
        first->w.document()->load(m_text);
        first->w.document()->replaceText(m_text + QStringLiteral("# unsaved\n"), QStringLiteral("edit"));
        first->w.autosave()->flush();
        {
            // a second window while the first runs: nothing to offer
            auto other = window();
            QVERIFY(other->w.recovery().orphans().isEmpty());
        }
        first.reset();  // gone without a clean close, like a crash
        {
            auto w = window();
            QString seen;
            answerNextMessageBox(&w->w, QStringLiteral("recoveryKeep"), QMessageBox::NoButton, &seen);
            QVERIFY(!w->w.offerRecovery(true));
            QVERIFY2(seen.startsWith(QLatin1String("recoveryDialog ")), qPrintable(seen));
            QVERIFY(!w->w.document()->text().contains(QLatin1String("# unsaved")));
        }
        {
            // kept for later: offered again; Restore brings the text back as an unsaved edit
            auto w = window();
            answerNextMessageBox(&w->w, QStringLiteral("recoveryRestore"));
            QVERIFY(w->w.offerRecovery(true));
            QCOMPARE(w->w.document()->text(), m_text + QStringLiteral("# unsaved\n"));
            QVERIFY(w->w.document()->isModified());
            QCOMPARE(readAll(w->w.recovery().sessionFile()), m_text + QStringLiteral("# unsaved\n"));
        }
        {
            // the restoring window was not closed either: its copy is offered; Discard deletes it
            auto w = window();
            answerNextMessageBox(&w->w, QStringLiteral("recoveryDiscard"));
            QVERIFY(!w->w.offerRecovery(true));
        }
        auto w = window();
        QVERIFY(w->w.recovery().orphans().isEmpty());
    }

    void closeWithUnsavedChangesAsks() {
        auto win = window(QStringLiteral("r3"));
        MainWindow& w = win->w;
        w.show();
        const QString file = m_tmp.filePath(QStringLiteral("c.yaml"));
        QVERIFY(saveAtomically(file, m_text).ok());
        QVERIFY(w.openPath(file));
        const QString edited = m_text + QStringLiteral("# keep me\n");
        w.document()->replaceText(edited, QStringLiteral("edit"));

        QString seen;
        answerNextMessageBox(&w, {}, QMessageBox::Cancel, &seen);
        QVERIFY(!w.close());
        QVERIFY(seen.contains(QLatin1String("unsaved changes")));
        QVERIFY(w.isVisible());
        QCOMPARE(w.document()->text(), edited);
        QVERIFY(w.document()->isModified());

        answerNextMessageBox(&w, {}, QMessageBox::Save);
        QVERIFY(w.close());
        QCOMPARE(readAll(file), edited);

        // Discard: closes, the file keeps the saved text, no recovery file is left
        QVERIFY(w.openPath(file));
        w.show();
        w.document()->replaceText(m_text, QStringLiteral("edit"));
        w.autosave()->flush();
        answerNextMessageBox(&w, {}, QMessageBox::Discard);
        QVERIFY(w.close());
        QCOMPARE(readAll(file), edited);
        QVERIFY(!QFile::exists(w.recovery().sessionFile()));
    }
};

QTEST_MAIN(RecoveryTest)
#include "recovery_test.moc"
