// WorkspaceReloader (issue 11, item 2): a serving workspace is replaced only by whole files that load. Real files
// in a temporary folder, real inotify; the loader is the real YAML importer.
#include <fcntl.h>
#include <unistd.h>

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/controller/workspace_reloader.h"
#include "core/yaml/yaml_reader.h"

using namespace ilab;
using controller::ReloadVerdict;
using controller::WorkspaceReloader;

Q_DECLARE_METATYPE(std::shared_ptr<const ilab::model::Workspace>)

namespace {

QByteArray services(int n, const char* prefix = "svc") {
    QByteArray y;
    for (int i = 0; i < n; ++i)
        y += QStringLiteral("---\napiVersion: v1\nkind: Service\nmetadata: {name: %1-%2}\nspec: {ports: [{port: 80}]}\n")
                 .arg(prefix)
                 .arg(i)
                 .toUtf8();
    return y;
}

void writeWhole(const QString& path, const QByteArray& content) {
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    QVERIFY(fd >= 0);
    QCOMPARE(::write(fd, content.constData(), content.size()), static_cast<ssize_t>(content.size()));
    ::close(fd);
}

model::Workspace load(const QString& path) { return yaml::loadPaths({path.toStdString()}); }

}  // namespace

class WorkspaceReloaderTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_file;
    std::unique_ptr<WorkspaceReloader> m_reloader;
    std::unique_ptr<QSignalSpy> m_reloaded, m_held;

    void startOn(const QByteArray& content) {
        writeWhole(m_file, content);
        m_reloader = std::make_unique<WorkspaceReloader>(
            QStringList{m_file},
            [f = m_file](model::Workspace& ws) { return yaml::readPath(f.toStdString(), ws); }, load(m_file));
        QVERIFY(m_reloader->isWatching());
        m_reloaded = std::make_unique<QSignalSpy>(m_reloader.get(), &WorkspaceReloader::reloaded);
        m_held = std::make_unique<QSignalSpy>(m_reloader.get(), &WorkspaceReloader::heldBack);
    }
    std::size_t lastReloadedSize() const {
        return m_reloaded->last().at(0).value<std::shared_ptr<const model::Workspace>>()->resources.size();
    }

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<std::shared_ptr<const model::Workspace>>(); }
    void init() { m_file = m_dir.filePath("ws.yaml"); }
    void cleanup() {
        m_held.reset();
        m_reloaded.reset();
        m_reloader.reset();
    }

    void judge() {
        const model::Workspace three = [] { model::Workspace w; yaml::readText(services(3).toStdString(), "a.yaml", w); return w; }();
        const model::Workspace four = [] { model::Workspace w; yaml::readText(services(4).toStdString(), "a.yaml", w); return w; }();
        model::Workspace broken;
        yaml::readText((services(3) + "---\nkind: Service\nmetadata: {name: x\n").toStdString(), "a.yaml", broken);
        QCOMPARE(controller::judgeReload(three, four).action, ReloadVerdict::Action::Apply);
        const ReloadVerdict lose = controller::judgeReload(four, three);
        QCOMPARE(lose.action, ReloadVerdict::Action::Settle);
        QVERIFY2(lose.reason.find("Service default/svc-3") != std::string::npos, lose.reason.c_str());
        const ReloadVerdict hold = controller::judgeReload(three, broken);
        QCOMPARE(hold.action, ReloadVerdict::Action::Hold);
        QVERIFY2(hold.reason.find("a.yaml:") == 0, hold.reason.c_str());
    }

    void wholeSaveReloads() {
        startOn(services(2));
        writeWhole(m_file, services(3));
        QTRY_COMPARE_WITH_TIMEOUT(m_reloaded->size(), 1, 5000);
        QCOMPARE(lastReloadedSize(), std::size_t(3));
        QCOMPARE(m_held->size(), 0);
    }

    void openWriterIsWaitedFor() {
        startOn(services(2));
        const QByteArray next = services(5);
        const int fd = ::open(QFile::encodeName(m_file).constData(), O_WRONLY | O_TRUNC);
        QVERIFY(fd >= 0);
        QVERIFY(::write(fd, next.constData(), next.size() / 2) > 0);
        QTest::qWait(1200);  // half the file, still open: nothing may be read as the workspace
        QCOMPARE(m_reloaded->size(), 0);
        QVERIFY(::write(fd, next.constData() + next.size() / 2, next.size() - next.size() / 2) > 0);
        ::close(fd);
        QTRY_COMPARE_WITH_TIMEOUT(m_reloaded->size(), 1, 5000);
        QCOMPARE(lastReloadedSize(), std::size_t(5));
    }

    void brokenFileIsHeldBackAndSaid() {
        startOn(services(2));
        writeWhole(m_file, services(2) + "---\napiVersion: v1\nkind: Service\nmetadata: {name: x\n");
        QTRY_COMPARE_WITH_TIMEOUT(m_held->size(), 1, 5000);
        QTest::qWait(800);
        QCOMPARE(m_held->size(), 1);  // said once per content
        QCOMPARE(m_reloaded->size(), 0);
        const QString reason = m_held->first().at(0).toString();
        QVERIFY2(reason.startsWith(m_file + ":1"), qPrintable(reason));
        QCOMPARE(m_held->first().at(1).toBool(), false);
        writeWhole(m_file, services(4));  // fixed: applies
        QTRY_COMPARE_WITH_TIMEOUT(m_reloaded->size(), 1, 5000);
        QCOMPARE(lastReloadedSize(), std::size_t(4));
    }

    void aliasBombIsHeldBack() {
        startOn(services(1));
        QByteArray bomb = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  a: &a [x,x,x,x,x,x,x,x,x]\n";
        const char* n = "abcdefghi";
        for (int i = 1; i < 9; ++i) {
            bomb += QByteArray("  ") + n[i] + ": &" + n[i] + " [";
            for (int j = 0; j < 9; ++j) bomb += QByteArray(j ? "," : "") + "*" + n[i - 1];
            bomb += "]\n";
        }
        writeWhole(m_file, services(1) + "---\n" + bomb);
        QTRY_COMPARE_WITH_TIMEOUT(m_held->size(), 1, 10000);
        QVERIFY2(m_held->first().at(0).toString().contains("excessive aliasing"), qPrintable(m_held->first().at(0).toString()));
        QCOMPARE(m_reloaded->size(), 0);
    }

    void emptiedForAMomentChangesNothing() {
        startOn(services(3));
        writeWhole(m_file, QByteArray());
        QTest::qWait(700);
        writeWhole(m_file, services(3));
        QTest::qWait(2500);
        QCOMPARE(m_reloaded->size(), 0);  // never served empty, and back to the same content
        QVERIFY(m_held->size() >= 1);
        QCOMPARE(m_held->first().at(1).toBool(), true);  // "waiting": it would have applied had it stayed
    }

    void emptiedOnPurposeAppliesAfterSettling() {
        startOn(services(3));
        m_reloader->setTimingsForTest(100, 200, 1000);
        writeWhole(m_file, QByteArray());
        QTRY_COMPARE_WITH_TIMEOUT(m_reloaded->size(), 1, 5000);
        QCOMPARE(lastReloadedSize(), std::size_t(0));
    }

    void renameOverIsSeen() {
        startOn(services(1));
        writeWhole(m_file + ".swp", services(2));
        QVERIFY(::rename(QFile::encodeName(m_file + ".swp").constData(), QFile::encodeName(m_file).constData()) == 0);
        QTRY_COMPARE_WITH_TIMEOUT(m_reloaded->size(), 1, 5000);
        QCOMPARE(lastReloadedSize(), std::size_t(2));
    }
};

QTEST_GUILESS_MAIN(WorkspaceReloaderTest)
#include "workspace_reloader_test.moc"
