// Saving from the GUI leaves generated key material out unless asked: the demo's TLS Secret (signed with the
// lab's own key) is saved as the demo ships it and the status bar says so; "Save generated keys too" writes it;
// a file saved without it gets the pair generated again when opened.
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/gui_services.h"
#include "core/yaml/yaml_reader.h"
#include "ui/main_window.h"

using namespace ilab;
using namespace ilab::ui;

namespace {

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The base64 of "-----BEGIN PRIVATE KEY" as it appears in `data:`.
const QByteArray KEY_BASE64 = QByteArray("-----BEGIN PRIVATE KEY").toBase64().left(28);

}  // namespace

class SaveGeneratedKeysTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_cache;

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabTest"));
        qputenv("XDG_CACHE_HOME", m_cache.path().toUtf8());  // this test's lab key
    }

    void demoIsSavedWithoutItsGeneratedKeyUnlessAsked() {
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        QVERIFY(w.openPath(QStringLiteral(":/demo/demo-workspace.yaml")));
        QVERIFY(w.document()->text().contains(KEY_BASE64));  // the lab generated the pair (editor and lab use it)

        const QString file = dir.filePath(QStringLiteral("demo.yaml"));
        QVERIFY(w.saveTo(file));
        const QByteArray saved = readAll(file);
        QVERIFY(!saved.contains(KEY_BASE64));
        QVERIFY(!saved.contains("PRIVATE KEY"));
        QCOMPARE(saved, readAll(QStringLiteral(":/demo/demo-workspace.yaml")));  // exactly as the demo ships
        const QString message = w.statusBar()->currentMessage();
        QVERIFY2(message.contains(QStringLiteral("without generated keys")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("Secret default/agent-tls")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("Save generated keys too")), qPrintable(message));
        QVERIFY(!w.document()->isModified());
        QVERIFY(w.document()->text().contains(KEY_BASE64));  // the open document keeps working with its pair

        // Opened again, the Secret gets its pair (the same lab key) and serves as before.
        const ilab::app::GuiServices services2;
        MainWindow w2(services2.services(), nullptr, dir.filePath(QStringLiteral("recovery2")));
        QVERIFY(w2.openPath(file));
        QVERIFY(w2.document()->text().contains(KEY_BASE64));
        w2.document()->reparseNow();
        QVERIFY(!w2.document()->workspace().secret("default", "agent-tls")->tlsKey().empty());

        // Asked for: the pair is written (and the file is private, as any file with a key).
        w.setSaveGeneratedKeys(true);
        const QString withKeys = dir.filePath(QStringLiteral("with-keys.yaml"));
        QVERIFY(w.saveTo(withKeys));
        QVERIFY(readAll(withKeys).contains(KEY_BASE64));
        QVERIFY(!(QFile::permissions(withKeys) & (QFileDevice::ReadGroup | QFileDevice::ReadOther)));
        QVERIFY(!w.statusBar()->currentMessage().contains(QStringLiteral("without generated keys")));
    }

    void userSecretsAreSavedAsWritten() {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("mine.yaml"));
        const QByteArray mine = "apiVersion: v1\nkind: Secret\nmetadata: {name: mine}\ntype: kubernetes.io/tls\n"
                                "data:\n  tls.crt: Q0VSVA==\n  tls.key: S0VZ\n";
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(mine);
        f.close();
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        QVERIFY(w.openPath(file));
        QVERIFY(w.saveTo(file));
        QCOMPARE(readAll(file), mine);
        QVERIFY2(!w.statusBar()->currentMessage().contains(QStringLiteral("without generated keys")),
                 qPrintable(w.statusBar()->currentMessage()));
    }
};

QTEST_MAIN(SaveGeneratedKeysTest)
#include "save_generated_keys_test.moc"
