// The lab's log feeds over the real core ring buffers: the access-log line the core writes parses back into
// its fields, events and klog lines land in the right columns, and the models stay consistent.
#include <QAbstractItemModelTester>
#include <QTest>

#include "core/events/event_log.h"
#include "core/events/line_log.h"
#include "core/events/log_format.h"
#include "ui/lab/lab_feeds.h"
#include "ui/lab/log_table_model.h"

using namespace ilab;
using namespace ilab::ui;

namespace {
proxy::AccessRecord record(int status, const std::string& upstream, const std::string& addr) {
    proxy::AccessRecord r;
    r.timeMs = 1764196201123;  // 2025-11-26 22:30:01.123 UTC
    r.clientIp = "127.0.0.1";
    r.method = "GET";
    r.target = "/version?x=1";
    r.host = "api.example.com";
    r.scheme = "http";
    r.status = status;
    r.bytesSent = 123;
    r.requestLength = 80;
    r.requestTimeSec = 0.004;
    r.userAgent = "curl/7.88.1";
    r.ingress = "default/version-stable";
    r.upstreamName = upstream;
    r.upstreamAddr = addr;
    r.upstreamStatus = upstream.empty() ? 0 : status;
    r.upstreamResponseTimeSec = 0.003;
    r.requestId = "0123456789abcdef0123456789abcdef";
    return r;
}
}  // namespace

class LabFeedsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void accessLineRoundTrip() {
        const auto line = events::formatAccessLog(record(200, "default-agent-stable-80", "127.0.0.1:40001"));
        AccessLine a;
        QVERIFY2(parseAccessLine(QByteArray::fromStdString(line), &a), line.c_str());
        QCOMPARE(a.clientIp, QString("127.0.0.1"));
        QCOMPARE(a.method, QString("GET"));
        QCOMPARE(a.target, QString("/version?x=1"));
        QCOMPARE(a.status, 200);
        QCOMPARE(a.upstream, QString("default-agent-stable-80"));
        QCOMPARE(a.upstreamAddr, QString("127.0.0.1:40001"));
        QCOMPARE(a.upstreamStatus, QString("200"));
        QCOMPARE(a.requestId, QString("0123456789abcdef0123456789abcdef"));
        QCOMPARE(a.timeMs / 1000, qint64(1764196201));
        QVERIFY(qAbs(a.requestTimeSec - 0.004) < 1e-9);
        AccessLine bad;
        QVERIFY(!parseAccessLine("not an access log line", &bad));
    }

    void accessFeedColumnsPodsAndCounts() {
        auto log = std::make_shared<events::LineLog>(10000);
        log->append(events::formatAccessLog(record(200, "default-agent-stable-80", "127.0.0.1:40001")));
        log->append(events::formatAccessLog(record(200, "default-agent-test-80", "127.0.0.1:40002")));
        log->append(events::formatAccessLog(record(503, "", "-")));
        log->append("garbage line");
        auto feed = std::make_unique<AccessLogFeed>();
        auto* f = feed.get();
        f->setSource(log);
        f->setPodNames({{"127.0.0.1:40001", "agent-stable-abc-0"}, {"127.0.0.1:40002", "agent-test-def-0"}});
        LogTableModel model(std::move(feed));
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.pullNow(), std::size_t(4));
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.data(model.index(0, 2)).toString(), QString("GET /version?x=1"));
        QCOMPARE(model.data(model.index(0, 4)).toString(), QString("default-agent-stable-80"));
        QCOMPARE(model.data(model.index(0, 5)).toString(), QString("agent-stable-abc-0"));
        QCOMPARE(model.data(model.index(1, 5)).toString(), QString("agent-test-def-0"));
        QCOMPARE(model.data(model.index(0, 8)).toString(), QString("0123456789abcdef0123456789abcdef"));
        QCOMPARE(model.data(model.index(2, 3)).toString(), QString("503"));
        QVERIFY(model.data(model.index(2, 3), Qt::ForegroundRole).isValid());  // 5xx coloured
        QCOMPARE(model.data(model.index(3, 2)).toString(), QString("garbage line"));  // unparsed: shown raw
        QCOMPARE(f->upstreamCounts().value("default-agent-stable-80"), quint64(1));
        QCOMPARE(f->podCounts().value("agent-test-def-0"), quint64(1));
        model.setFilter({"agent-test", {}, {}});
        QCOMPARE(model.rowCount(), 1);
        model.setFilter({"503", {}, {}});
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(model.lineAt(0).contains("503"));
        const auto format = f->lineFormatter();
        QVERIFY(format(*model.rowAt(0)).contains("/version?x=1"));
    }

    void eventsAndControllerLog() {
        auto events = std::make_shared<events::EventLog>();
        events->add("Normal", "Sync", "Ingress default/web", "Scheduled for sync");
        events->add("Warning", "ServiceNotFound", "Ingress default/broken", "service default/nope not found");
        auto feed = std::make_unique<EventFeed>();
        feed->setSource(events);
        LogTableModel model(std::move(feed));
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.pullNow();
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.data(model.index(0, 2)).toString(), QString("Sync"));
        QCOMPARE(model.data(model.index(1, 1)).toString(), QString("Warning"));
        model.setFilter({{}, "Warning", {}});
        QCOMPARE(model.rowCount(), 1);
        model.setFilter({{}, {}, "default/web"});
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.data(model.index(0, 3)).toString(), QString("Ingress default/web"));

        auto log = std::make_shared<events::LineLog>(1000);
        log->append(events::formatKlog(events::KlogSeverity::Warning, events::nowUs(), 7, "controller.go:190",
                                       "Configuration changes detected"));
        auto cfeed = std::make_unique<ControllerLogFeed>();
        cfeed->setSource(log);
        LogTableModel cmodel(std::move(cfeed));
        QAbstractItemModelTester ctester(&cmodel, QAbstractItemModelTester::FailureReportingMode::QtTest);
        cmodel.pullNow();
        QCOMPARE(cmodel.rowCount(), 1);
        QCOMPARE(cmodel.data(cmodel.index(0, 0)).toString(), QString("Warning"));
        QCOMPARE(cmodel.data(cmodel.index(0, 2)).toString(), QString("controller.go:190"));
        QVERIFY(cmodel.data(cmodel.index(0, 3)).toString().contains("Configuration changes detected"));
    }
};

QTEST_MAIN(LabFeedsTest)
#include "lab_feeds_test.moc"
