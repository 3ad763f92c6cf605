// Nothing typed is lost (issue 16 item 3b), with real processes: a real ingress-lab (offscreen) opens a workspace,
// text is typed into its YAML editor as key events, the autosave writes the recovery file, and the process is
// killed with SIGKILL (no chance to clean up). The next ingress-lab offers the text in its recovery dialog; its
// Restore button is clicked and the document is then byte for byte the text the killed process had.
// The processes use private XDG folders, so the user's settings and recovery files are never touched.
#include <QDirIterator>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

#include "ui/document/file_io.h"

class RecoveryKillTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;

    QProcessEnvironment env() const {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        e.insert(QStringLiteral("XDG_CONFIG_HOME"), m_tmp.filePath(QStringLiteral("config")));
        e.insert(QStringLiteral("XDG_DATA_HOME"), m_tmp.filePath(QStringLiteral("data")));
        e.insert(QStringLiteral("HOME"), m_tmp.filePath(QStringLiteral("home")));
        e.remove(QStringLiteral("KUBECONFIG"));
        return e;
    }
    static QByteArray readAll(const QString& path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
    QStringList recoveryFiles() const {
        QStringList out;
        QDirIterator it(m_tmp.filePath(QStringLiteral("data")), {QStringLiteral("session-*.yaml")}, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) out << it.next();
        return out;
    }

private Q_SLOTS:
    void killedSessionComesBack() {
        QVERIFY(m_tmp.isValid());
        const QString workspace = m_tmp.filePath(QStringLiteral("w.yaml"));
        const QByteArray original = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: default\nspec:\n  ports:\n  - port: 80\n";
        QVERIFY(ilab::ui::saveAtomically(workspace, QString::fromUtf8(original)).ok());
        const QString typed = m_tmp.filePath(QStringLiteral("typed.txt"));
        {
            QFile f(typed);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("# typed before kill -9: ünïcode ✓ \"quotes\"");
        }

        QProcess first;
        QProcessEnvironment e = env();
        e.insert(QStringLiteral("ILAB_TEST_TYPE_FILE"), typed);
        e.insert(QStringLiteral("ILAB_TEST_DUMP"), m_tmp.filePath(QStringLiteral("dump1.yaml")));
        first.setProcessEnvironment(e);
        first.start(QStringLiteral(ILAB_GUI_PATH), {workspace});
        QVERIFY2(first.waitForStarted(), qPrintable(first.errorString()));
        QByteArray firstOut;
        QTRY_VERIFY_WITH_TIMEOUT((firstOut += first.readAllStandardOutput()).contains("ilab-test: dumped") || first.state() != QProcess::Running, 120000);
        QCOMPARE(first.state(), QProcess::Running);
        const QByteArray before = readAll(m_tmp.filePath(QStringLiteral("dump1.yaml")));
        QVERIFY2(before.startsWith(original) && before.contains("ünïcode ✓"), before.constData());
        // the debounced autosave writes the exact text (atomically) while the process keeps running
        QTRY_VERIFY_WITH_TIMEOUT(recoveryFiles().size() == 1 && readAll(recoveryFiles().front()) == before, 60000);

        ::kill(static_cast<pid_t>(first.processId()), SIGKILL);
        QVERIFY(first.waitForFinished(30000));
        QCOMPARE(first.exitStatus(), QProcess::CrashExit);
        QCOMPARE(recoveryFiles().size(), 1);  // nothing cleaned up: it was killed

        // a new start (no arguments): the recovery dialog, Restore clicked
        QProcess second;
        e = env();
        e.insert(QStringLiteral("ILAB_TEST_ANSWER"), QStringLiteral("recoveryRestore"));
        e.insert(QStringLiteral("ILAB_TEST_DUMP"), m_tmp.filePath(QStringLiteral("dump2.yaml")));
        second.setProcessEnvironment(e);
        second.start(QStringLiteral(ILAB_GUI_PATH), {});
        QVERIFY(second.waitForStarted());
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += second.readAllStandardOutput()).contains("ilab-test: dumped") || second.state() != QProcess::Running, 120000);
        QVERIFY2(out.contains("ilab-test: dialog recoveryDialog"), out.constData());
        QVERIFY2(out.contains(workspace.toUtf8()), out.constData());  // the dialog names the file
        QCOMPARE(readAll(m_tmp.filePath(QStringLiteral("dump2.yaml"))), before);
        // the restored text now belongs to the new session: the killed session's file is gone, a new one holds it
        QTRY_VERIFY_WITH_TIMEOUT(recoveryFiles().size() == 1 && readAll(recoveryFiles().front()) == before, 30000);
        // and the file on disk was not touched by any of this
        QCOMPARE(readAll(workspace), original);
        second.kill();
        second.waitForFinished();
    }
};

QTEST_GUILESS_MAIN(RecoveryKillTest)
#include "recovery_kill_test.moc"
