// `serve` bound to a non-loopback address says on stderr that the lab (proxy, fake certificate, simulated pods)
// is then reachable from the network. The test binds 0.0.0.0 on a free port only to read that line; all
// traffic in the tests stays on 127.0.0.1 (none is sent here).
#include <csignal>

#include <QProcess>
#include <QTest>

#include "core/controller/listen_exposure.h"
#include "support/test_paths.h"

using namespace ilab;

namespace {

struct ServeRun {
    bool ready = false;
    QByteArray err;
};

// Starts serve with the given listener flags, waits for the ready line, stops it with SIGTERM.
ServeRun serveUntilReady(const QStringList& listeners) {
    QProcess p;
    p.start(testing::cliPath(), QStringList{QStringLiteral("serve"), QStringLiteral("demo")} + listeners);
    ServeRun r;
    if (!p.waitForStarted(5000)) return r;
    QByteArray out;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 20000 && p.state() == QProcess::Running && !out.contains("ready http=")) {
        p.waitForReadyRead(200);
        out += p.readAllStandardOutput();
    }
    r.ready = out.contains("ready http=");
    ::kill(static_cast<pid_t>(p.processId()), SIGTERM);
    if (!p.waitForFinished(15000)) {
        p.kill();
        p.waitForFinished();
    }
    r.err = p.readAllStandardError();
    return r;
}

}  // namespace

class ServeListenWarningTest : public QObject {
    Q_OBJECT
private slots:
    void wildcardListenerWarnsOnStderr() {
        const ServeRun r = serveUntilReady({"--http", "0.0.0.0:0", "--https", "127.0.0.1:0", "--admin", "127.0.0.1:0"});
        QVERIFY(r.ready);
        QVERIFY2(r.err.contains("ingress-lab-cli serve: warning: listening on a non-loopback address (http=0.0.0.0:0)"),
                 r.err.constData());
        QVERIFY(r.err.contains("fake certificate"));
        QVERIFY(r.err.contains("reachable from the network"));
    }

    void loopbackListenersDoNotWarn() {
        const ServeRun r = serveUntilReady({"--http", "127.0.0.1:0", "--https", "[::1]:0", "--admin", "127.0.0.1:0"});
        if (!r.ready && r.err.contains("::1")) QSKIP("no IPv6 loopback on this machine");
        QVERIFY(r.ready);
        QVERIFY2(!r.err.contains("non-loopback"), r.err.constData());
    }

    void loopbackAddresses_data() {
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("loopback");
        QTest::newRow("127.0.0.1") << "127.0.0.1" << true;
        QTest::newRow("127.8.9.10") << "127.8.9.10" << true;
        QTest::newRow("::1") << "::1" << true;
        QTest::newRow("0.0.0.0") << "0.0.0.0" << false;
        QTest::newRow("::") << "::" << false;
        QTest::newRow("lan") << "192.168.1.20" << false;
        QTest::newRow("v4-mapped lan") << "::ffff:10.0.0.1" << false;
    }
    void loopbackAddresses() {
        QFETCH(QString, address);
        QFETCH(bool, loopback);
        QCOMPARE(controller::isLoopbackAddress(address.toStdString()), loopback);
        controller::StartOptions o;
        o.proxy.httpAddress = address.toStdString();
        QCOMPARE(controller::exposureWarning(o).empty(), loopback);
        o.proxy.httpAddress = "127.0.0.1";
        o.adminAddress = address.toStdString();
        o.adminPort = -1;  // a disabled listener exposes nothing
        QVERIFY(controller::exposureWarning(o).empty());
    }
};

QTEST_GUILESS_MAIN(ServeListenWarningTest)
#include "serve_listen_warning_test.moc"
