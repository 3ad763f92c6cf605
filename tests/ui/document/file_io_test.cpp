// Saving is atomic and keeps keys private (0600); folders open as one workspace; the recovery store
// brings back unsaved text after a crash, and MainWindow restores it as an unsaved edit.
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/gui_services.h"
#include "ui/document/file_io.h"
#include "ui/main_window.h"

using namespace ilab;
using namespace ilab::ui;

class FileIoTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabTest"));
    }

    void atomicSaveAndPermissions() {
        QTemporaryDir dir;
        const QString plain = dir.filePath(QStringLiteral("a.yaml"));
        QVERIFY(saveAtomically(plain, QStringLiteral("apiVersion: v1\nkind: Service\n")).ok());
        QFile f(plain);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("apiVersion: v1\nkind: Service\n"));
        const QString secret = dir.filePath(QStringLiteral("s.yaml"));
        QVERIFY(saveAtomically(secret, QStringLiteral("kind: Secret\ndata:\n  tls.key: AAAA\n")).ok());
        QCOMPARE(QFile::permissions(secret) & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther),
                 QFileDevice::Permissions());
        // an existing world-readable file that now gets a key becomes 0600
        QFile::setPermissions(plain, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
        QVERIFY(saveAtomically(plain, QStringLiteral("-----BEGIN PRIVATE KEY-----\n")).ok());
        QVERIFY(!(QFile::permissions(plain) & QFileDevice::ReadOther));
        // no temporary files left behind
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 2);
        // unwritable target: a clear error, the old file untouched
        QVERIFY(!saveAtomically(dir.filePath(QStringLiteral("missing/dir/x.yaml")), QStringLiteral("x")).ok());
    }

    void folderOpensAsOneText() {
        QTemporaryDir dir;
        QDir(dir.path()).mkpath(QStringLiteral("sub"));
        QVERIFY(saveAtomically(dir.filePath(QStringLiteral("b.yaml")), QStringLiteral("kind: B\n")).ok());
        QVERIFY(saveAtomically(dir.filePath(QStringLiteral("sub/a.yaml")), QStringLiteral("kind: A\n")).ok());
        QVERIFY(saveAtomically(dir.filePath(QStringLiteral("notes.txt")), QStringLiteral("ignored")).ok());
        auto text = readWorkspaceText(dir.path());
        QVERIFY(text.ok());
        QVERIFY(text->contains(QLatin1String("# file: b.yaml\nkind: B\n---\n# file: sub/a.yaml\nkind: A\n")));
        QVERIFY(!text->contains(QLatin1String("ignored")));
        QVERIFY(!readWorkspaceText(dir.filePath(QStringLiteral("nope.yaml"))).ok());
    }

    void recoveryAfterCrash() {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("w.yaml"));
        QVERIFY(saveAtomically(file, QStringLiteral("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n")).ok());
        const QString recoveryDir = dir.filePath(QStringLiteral("recovery"));
        {
            // "crash": the window is destroyed without closeEvent after the autosave wrote the text
            const ilab::app::GuiServices services;
            MainWindow w(services.services(), nullptr, recoveryDir);
            QVERIFY(w.openPath(file));
            w.document()->setTextFromEditor(QStringLiteral("apiVersion: v1\nkind: Service\nmetadata:\n  name: typed\n"));
            QVERIFY(w.recovery().write(w.document()->text(), w.document()->filePath()));
            QVERIFY(QFile::exists(w.recovery().sessionFile()));
            QVERIFY(!(QFile::permissions(w.recovery().sessionFile()) & QFileDevice::ReadOther));
        }
        const ilab::app::GuiServices services2;
        MainWindow w2(services2.services(), nullptr, recoveryDir);
        QVERIFY(w2.offerRecovery(false));
        QCOMPARE(w2.document()->filePath(), file);
        QVERIFY(w2.document()->isModified());
        w2.document()->reparseNow();
        QCOMPARE(w2.document()->workspace().resources[0].meta.name, std::string("typed"));
        // undo goes back to the file as saved
        w2.document()->undoStack()->undo();
        QVERIFY(w2.document()->text().contains(QLatin1String("name: a")));
        w2.document()->undoStack()->redo();
        QVERIFY(w2.saveTo(file));
        QVERIFY(!w2.recovery().hasRecovery());
        QVERIFY(!w2.document()->isModified());
    }
};

QTEST_MAIN(FileIoTest)
#include "file_io_test.moc"
