#include <QTest>

#include "core/events/log_format.h"

using namespace ilab::events;

class LogFormatTest : public QObject {
    Q_OBJECT
private slots:
    void klogStructured() {
        // 2026-11-26 22:30:01.123456 UTC
        const std::int64_t t = 1795732201LL * 1000000 + 123456;
        QCOMPARE(QString::fromStdString(formatKlog(KlogSeverity::Info, t, 12345, "controller.go:190",
                                                   "Configuration changes detected, backend reload required")),
                 QStringLiteral("I1126 22:30:01.123456   12345 controller.go:190] \"Configuration changes detected, backend reload required\""));
        QCOMPARE(QString::fromStdString(formatKlog(KlogSeverity::Warning, t, 7, "controller.go:1100", "Service does not have any active Endpoint",
                                                   true, {{"service", "default/x"}})),
                 QStringLiteral("W1126 22:30:01.123456       7 controller.go:1100] \"Service does not have any active Endpoint\" service=\"default/x\""));
        QCOMPARE(QString::fromStdString(formatKlog(KlogSeverity::Error, t, 1, "a.go:1", "say \"hi\"")),
                 QStringLiteral("E1126 22:30:01.123456       1 a.go:1] \"say \\\"hi\\\"\""));
        QCOMPARE(QString::fromStdString(formatKlog(KlogSeverity::Info, t, 1, "event.go:285", "plain text", false)),
                 QStringLiteral("I1126 22:30:01.123456       1 event.go:285] plain text"));
    }

    void accessLogUpstream() {
        ilab::proxy::AccessRecord r;
        r.timeMs = 1795732201LL * 1000 + 5;
        r.clientIp = "127.0.0.1";
        r.method = "GET";
        r.target = "/app?x=1";
        r.status = 200;
        r.bytesSent = 612;
        r.userAgent = "curl/7.88.1";
        r.requestLength = 87;
        r.requestTimeSec = 0.0024;
        r.upstreamName = "default-web-80";
        r.upstreamAddr = "127.0.0.1:40123";
        r.upstreamStatus = 200;
        r.upstreamResponseTimeSec = 0.002;
        r.requestId = "0123456789abcdef0123456789abcdef";
        QCOMPARE(QString::fromStdString(formatAccessLog(r)),
                 QStringLiteral("127.0.0.1 - - [26/Nov/2026:22:30:01 +0000] \"GET /app?x=1 HTTP/1.1\" 200 612 \"-\" "
                                "\"curl/7.88.1\" 87 0.002 [default-web-80] [] 127.0.0.1:40123 612 0.002 200 "
                                "0123456789abcdef0123456789abcdef"));
    }

    void accessLogNoUpstreamAndEscaping() {
        ilab::proxy::AccessRecord r;
        r.timeMs = 1795732201LL * 1000;
        r.clientIp = "127.0.0.1";
        r.method = "GET";
        r.target = "/a\"b";
        r.status = 404;
        r.bytesSent = 146;
        r.userAgent = "ua\x01";
        r.referer = "http://x/";
        r.requestLength = 50;
        r.upstreamName = "upstream-default-backend";
        r.requestId = "ff";
        QCOMPARE(QString::fromStdString(formatAccessLog(r)),
                 QStringLiteral("127.0.0.1 - - [26/Nov/2026:22:30:01 +0000] \"GET /a\\x22b HTTP/1.1\" 404 146 "
                                "\"http://x/\" \"ua\\x01\" 50 0.000 [upstream-default-backend] [] - - - - ff"));
    }

    void accessLogCanary() {
        ilab::proxy::AccessRecord r;
        r.timeMs = 0;
        r.clientIp = "::1";
        r.method = "GET";
        r.target = "/";
        r.status = 200;
        r.upstreamName = "default-web-canary-80";
        r.canary = "canary";
        r.upstreamAddr = "127.0.0.1:1";
        r.upstreamStatus = 200;
        const QString line = QString::fromStdString(formatAccessLog(r));
        QVERIFY2(line.contains("[default-web-canary-80] [default-web-canary-80]"), qPrintable(line));
        QVERIFY(line.startsWith("::1 - - [01/Jan/1970:00:00:00 +0000]"));
    }
};

QTEST_GUILESS_MAIN(LogFormatTest)
#include "log_format_test.moc"
