// `ingress-lab-cli traffic` end to end: the built CLI (QProcess) against a real server on 127.0.0.1 that answers
// like a 90/10 canary (every tenth request from agent-v2), checking the summary, verdicts, exit codes and exports.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include "tests/core/loadgen/test_http_server.h"
#include "tests/support/test_paths.h"

using ilab::testing::TestHttpServer;
using ilab::testing::TestRequest;
using ilab::testing::TestResponse;

namespace {

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run runCli(const QStringList& args) {
    QProcess p;
    p.start(ilab::testing::cliPath(), QStringList{"traffic"} + args);
    Run r;
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        r.err = "timed out";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

// Every tenth request is answered by agent-v2: an exact 90/10 split.
class CanaryServer {
public:
    CanaryServer()
        : m_server([this](const TestRequest&) {
              const int i = m_counter++;
              TestResponse r;
              r.body = i % 10 == 9 ? ilab::testing::podJson("agent-v2-service", "agent-v2-0", "v2")
                                   : ilab::testing::podJson("agent-v1-service", "agent-v1-0", "v1");
              return r;
          }) {}
    int port() const { return m_server.port(); }
    const TestHttpServer& server() const { return m_server; }

private:
    std::atomic<int> m_counter{0};
    TestHttpServer m_server;
};

}  // namespace

class TrafficCliTest : public QObject {
    Q_OBJECT
private slots:
    void summaryShowsSplitWithIntervalAndVerdict() {
        CanaryServer s;
        const QString host = QString("api.example.com:%1").arg(s.port());
        const Run r = runCli({"-n", "200", "-c", "4", "--resolve", host + ":127.0.0.1", "http://" + host + "/version"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.err.isEmpty(), qPrintable(r.err));  // no progress bar: stdout is not a terminal
        QVERIFY2(r.out.startsWith("200 requests in "), qPrintable(r.out));
        QVERIFY(r.out.contains("Backends (200 responses):"));
        QVERIFY(r.out.contains(QRegularExpression("agent-v1-service +180 +90\\.0 % ± ")));
        QVERIFY(r.out.contains(QRegularExpression("agent-v2-service +20 +10\\.0 % ± 4\\.[0-9] %")));
        QVERIFY(r.out.contains(QString::fromUtf8("agent-v2-service: 10.0 % ± 4.")));
        QVERIFY(r.out.contains(QString::fromUtf8("— consistent with 10 %")));
        QVERIFY(r.out.contains("Errors: none"));
        QVERIFY(r.out.contains(QRegularExpression("200 +200")));
        QVERIFY(r.out.contains("Latency (ms): min "));
        QCOMPARE(s.server().requests(), 200);
        for (const auto& req : s.server().seen()) QCOMPARE(QString::fromStdString(req.host), host);
    }

    void expectationsDecideTheExitCode() {
        CanaryServer s;
        const QString url = QString("http://127.0.0.1:%1/").arg(s.port());
        Run r = runCli({"-n", "100", "--expect", "agent-v2-service=10%", url});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QString::fromUtf8("agent-v2-service: 10.0 % ± 6.")));
        QVERIFY(r.out.contains("needs 1856 responses"));  // telling 10 % from 12 %
        r = runCli({"-n", "100", "--expect", "agent-v2-service=0.3", url});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.contains(QString::fromUtf8("— NOT consistent with 30 % (p < 0.001)")));
    }

    void jsonOutput() {
        CanaryServer s;
        const Run r = runCli({"-n", "50", "-c", "5", "--json", "--uniq", "--expect", "agent-v1-service=90",
                              QString("http://127.0.0.1:%1/").arg(s.port())});
        QCOMPARE(r.exitCode, 0);
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8(), &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(o["total"].toInt(), 50);
        QCOMPARE(o["responses"].toInt(), 50);
        QCOMPARE(o["backends"].toArray().size(), 2);
        QCOMPARE(o["backends"].toArray()[0].toObject()["count"].toInt(), 45);
        QCOMPARE(o["expectations"].toArray()[0].toObject()["consistent"].toBool(), true);
        QCOMPARE(o["uniq"].toArray()[0].toObject()["count"].toInt(), 45);
        QVERIFY(o["latencyMs"].toObject()["p99"].toDouble() > 0);
        QCOMPARE(o["targets"].toArray()[0].toString(), QString("http://127.0.0.1:%1/").arg(s.port()));
    }

    void csvAndUniqExports() {
        CanaryServer s;
        QTemporaryDir dir;
        const QString csv = dir.filePath("out.csv");
        const Run r = runCli({"-n", "30", "-c", "3", "--csv", csv, "--uniq", QString("http://127.0.0.1:%1/").arg(s.port())});
        QCOMPARE(r.exitCode, 0);
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 31);
        QCOMPARE(lines[0], QString("response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,"
                                   "status-code,offset,backend,error"));
        int v2 = 0;
        for (int i = 1; i < lines.size(); ++i) {
            const QStringList cols = lines[i].split(',');
            QCOMPARE(cols.size(), 10);
            QCOMPARE(cols[6], QString("200"));
            v2 += cols[8] == "agent-v2-service";
        }
        QCOMPARE(v2, 3);
        // `sort | uniq -c`: counts right-aligned in 7 columns, most frequent first, then the summary.
        const QStringList out = r.out.split('\n');
        QVERIFY2(out[0].startsWith("     27 {\"service\":\"agent-v1-service\""), qPrintable(out[0]));
        QVERIFY2(out[1].startsWith("      3 {\"service\":\"agent-v2-service\""), qPrintable(out[1]));
    }

    void requestShapingOptions() {
        CanaryServer s;
        const Run r = runCli({"-n", "2", "-c", "1", "-X", "PATCH", "-H", "X-Canary: always", "--cookie", "a=1",
                              "--cookie", "b=2", "--data", "payload", QString("http://127.0.0.1:%1/p").arg(s.port())});
        QCOMPARE(r.exitCode, 0);
        const auto seen = s.server().seen();
        QCOMPARE(seen.size(), size_t(2));
        QCOMPARE(QString::fromStdString(seen[0].method), QString("PATCH"));
        QCOMPARE(QString::fromStdString(seen[0].headers.at("x-canary")), QString("always"));
        QCOMPARE(QString::fromStdString(seen[0].headers.at("cookie")), QString("a=1; b=2"));
        QCOMPARE(QString::fromStdString(seen[0].body), QString("payload"));
    }

    void weightedUrls() {
        CanaryServer s;
        const QString base = QString("http://127.0.0.1:%1").arg(s.port());
        const Run r = runCli({"-n", "40", base + "/a", "-w", "3", base + "/b"});
        QCOMPARE(r.exitCode, 0);
        int a = 0;
        for (const auto& req : s.server().seen()) a += req.target == "/a";
        QCOMPARE(a, 30);
    }

    void deadTargetIsReportedNotHung() {
        const Run r = runCli({"-n", "20", "-c", "4", QString("http://127.0.0.1:%1/").arg(ilab::testing::deadPort())});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Backends (0 responses):"));
        QVERIFY(r.out.contains("Errors: 20 (refused 20)"));
        QVERIFY(r.out.contains("Latency: no responses"));
    }

    void slowTargetTimesOut() {
        TestHttpServer slow([](const TestRequest&) {
            TestResponse r;
            r.delay = std::chrono::seconds(20);
            return r;
        });
        const Run r = runCli({"-n", "2", "-c", "2", "--timeout", "300ms", QString("http://127.0.0.1:%1/").arg(slow.port())});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("Errors: 2 (timeout 2)"), qPrintable(r.out));
    }

    void badUsage_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("no url") << QStringList{"-n", "5"};
        QTest::newRow("bad count") << QStringList{"-n", "many", "http://a/"};
        QTest::newRow("bad duration") << QStringList{"-d", "soon", "http://a/"};
        QTest::newRow("bad expect") << QStringList{"--expect", "svc", "http://a/"};
        QTest::newRow("bad resolve") << QStringList{"--resolve", "a.example.com:80", "http://a/"};
        QTest::newRow("unknown option") << QStringList{"--frobnicate", "http://a/"};
        QTest::newRow("weight first") << QStringList{"-w", "2", "http://a/"};
        QTest::newRow("bad scheme") << QStringList{"ftp://a/"};
        QTest::newRow("missing cacert") << QStringList{"--cacert", "/nonexistent/ca.pem", "https://a/"};
    }
    void badUsage() {
        QFETCH(QStringList, args);
        const Run r = runCli(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("ingress-lab-cli traffic: "));
        QVERIFY(r.out.isEmpty());
    }

    void help() {
        const Run r = runCli({"--help"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("--resolve H:P:ADDR"));
    }
};

QTEST_GUILESS_MAIN(TrafficCliTest)
#include "traffic_cli_test.moc"
