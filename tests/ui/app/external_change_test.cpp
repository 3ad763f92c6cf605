// A file changed on disk by another program while open is noticed and offered for reload, and never silently
// overwritten either way (issue 16 item 3d). Real rewrites of a real file: an atomic rename-over save (what most
// editors and tools do, which ends a plain file watch) and an in-place write.
#include <QSaveFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/gui_services.h"
#include "tests/ui/app/dialog_answer.h"
#include "ui/document/file_io.h"
#include "ui/file_watcher.h"
#include "ui/main_window.h"
#include "ui/settings.h"

using namespace ilab;
using namespace ilab::ui;

class ExternalChangeTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    static QString readAll(const QString& path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }
    static void renameOver(const QString& path, const QByteArray& bytes) {  // like an editor's atomic save
        QSaveFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        QVERIFY(f.commit());
    }
    static void writeInPlace(const QString& path, const QByteArray& bytes) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(bytes);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_tmp.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabExternalChangeTest"));
        settings::redirectForTest(m_tmp.filePath(QStringLiteral("settings")));
    }

    void reloadOfferedAndNothingOverwrittenSilently() {
        app::GuiServices services;
        MainWindow w(services.services(), nullptr, m_tmp.filePath(QStringLiteral("recovery")));
        w.show();
        const QString file = m_tmp.filePath(QStringLiteral("w.yaml"));
        const QString v1 = QStringLiteral("apiVersion: v1\nkind: Service\nmetadata:\n  name: v1\n");
        QVERIFY(saveAtomically(file, v1).ok());
        QVERIFY(w.openPath(file));

        // 1. no local edits, atomic rename save by another program: offered, Reload takes it
        QString seen;
        answerNextMessageBox(&w, QStringLiteral("fileChangedReload"), QMessageBox::NoButton, &seen);
        const QString v2 = QStringLiteral("apiVersion: v1\nkind: Service\nmetadata:\n  name: v2\n");
        renameOver(file, v2.toUtf8());
        QTRY_COMPARE_WITH_TIMEOUT(w.document()->text(), v2, 10000);
        QVERIFY(seen.startsWith(QLatin1String("fileChangedDialog ")));
        QVERIFY(!w.document()->isModified());

        // 2. our own save is not an outside change (no dialog: a dialog would block saveTo's caller here)
        const QString mine = v2 + QStringLiteral("# mine\n");
        w.document()->replaceText(mine, QStringLiteral("edit"));
        QVERIFY(w.saveTo(file));
        QTest::qWait(3 * FileWatcher::SETTLE_MS);
        QCOMPARE(w.document()->text(), mine);

        // 3. the watch survived the rename: local edits + an in-place rewrite; "Keep mine" keeps both sides
        const QString edited = mine + QStringLiteral("# unsaved local edit\n");
        w.document()->replaceText(edited, QStringLiteral("edit"));
        seen.clear();
        answerNextMessageBox(&w, QStringLiteral("fileChangedKeep"), QMessageBox::NoButton, &seen);
        const QString theirs = QStringLiteral("apiVersion: v1\nkind: Service\nmetadata:\n  name: theirs\n");
        writeInPlace(file, theirs.toUtf8());
        QTRY_VERIFY_WITH_TIMEOUT(!seen.isEmpty(), 10000);
        QVERIFY(seen.contains(QLatin1String("unsaved changes")));
        QCOMPARE(w.document()->text(), edited);
        QVERIFY(w.document()->isModified());
        QCOMPARE(readAll(file), theirs);

        // 4. saving now asks before replacing their version: Cancel leaves it, Overwrite writes mine
        answerNextMessageBox(&w, {}, QMessageBox::Cancel);
        QVERIFY(!w.saveTo(file));
        QCOMPARE(readAll(file), theirs);
        answerNextMessageBox(&w, QStringLiteral("overwriteYes"));
        QVERIFY(w.saveTo(file));
        QCOMPARE(readAll(file), edited);
        QVERIFY(!w.document()->isModified());
    }
};

QTEST_MAIN(ExternalChangeTest)
#include "external_change_test.moc"
