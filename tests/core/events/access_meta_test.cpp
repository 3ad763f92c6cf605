// LineLog side data (append(line, meta)) and the access record's AccessMeta: the line stays exactly the
// ingress-nginx line, the meta comes back per line across compressed chunks, and hostile values cannot break
// the framing.
#include <QTest>

#include "core/events/access_meta.h"
#include "core/events/line_log.h"
#include "core/events/log_format.h"

using namespace ilab;

class AccessMetaTest : public QObject {
    Q_OBJECT
private slots:
    void metaTravelsNextToTheLine() {
        events::LineLog log(100000);
        log.append("plain line");
        const std::uint64_t n = events::LineLog::CHUNK_LINES * 2 + 5;  // across compressed chunks
        for (std::uint64_t i = 0; i < n; ++i) {
            proxy::AccessRecord r;
            r.method = "GET";
            r.target = "/version?i=" + std::to_string(i);
            r.host = "host" + std::to_string(i % 3) + ".example.com";
            r.scheme = i % 2 ? "https" : "http";
            r.ingress = "default/version";
            r.canary = i % 10 == 0 ? "canary" : "main";
            r.podName = "agent-v1-0";
            r.status = 200;
            events::appendAccessRecord(log, r);
        }
        log.append("another plain line");
        const auto b = log.linesSince(0, 1000000);
        QCOMPARE(b.lines.size(), std::size_t(n + 2));
        QCOMPARE(b.meta.size(), b.lines.size());
        QCOMPARE(b.lines.front(), std::string("plain line"));
        QVERIFY(b.meta.front().empty());
        QVERIFY(b.meta.back().empty());
        for (std::uint64_t i = 0; i < n; ++i) {
            const std::string& line = b.lines[i + 1];
            QVERIFY2(line.find("/version?i=" + std::to_string(i) + " ") != std::string::npos, line.c_str());
            QVERIFY(line.find('\x1f') == std::string::npos);
            const auto m = events::decodeAccessMeta(b.meta[i + 1]);
            QCOMPARE(m.host, "host" + std::to_string(i % 3) + ".example.com");
            QCOMPARE(m.scheme, std::string(i % 2 ? "https" : "http"));
            QCOMPARE(m.ingress, std::string("default/version"));
            QCOMPARE(m.canary, std::string(i % 10 == 0 ? "canary" : "main"));
            QCOMPARE(m.podName, std::string("agent-v1-0"));
        }
        // A batch of lines without meta has no meta vector (readers that do not care pay nothing).
        QVERIFY(log.linesSince(n + 1).meta.empty());
    }

    void hostileValuesKeepTheFraming() {
        events::LineLog log(100);
        proxy::AccessRecord r;
        r.host = "evil\t\x1f\nhost\r";
        r.scheme = "http";
        r.target = "/a\x1f b";
        events::appendAccessRecord(log, r);
        log.append("line with \x1f separator");
        const auto b = log.linesSince(0);
        QCOMPARE(b.lines.size(), std::size_t(2));
        const auto m = events::decodeAccessMeta(b.meta[0]);
        QCOMPARE(m.host, std::string("evil   host "));
        QCOMPARE(m.scheme, std::string("http"));
        QCOMPARE(b.lines[1], std::string("line with   separator"));
        QVERIFY(b.meta[1].empty());
        // Garbage or an unknown version decodes to nothing.
        QVERIFY(events::decodeAccessMeta("").isEmpty());
        QVERIFY(events::decodeAccessMeta("v9\ta\tb").isEmpty());
        QCOMPARE(events::decodeAccessMeta("v1\tonly-host").host, std::string("only-host"));
        QCOMPARE(events::decodeAccessMeta("v1\tonly-host").requestTimeUs, std::int64_t(-1));
        QCOMPARE(events::decodeAccessMeta("v1\th\thttp\ti\tc\tp\t12x").requestTimeUs, std::int64_t(-1));
    }

    void requestTimeKeepsMicroseconds() {
        // The line carries nginx's $request_time in milliseconds ("0.000" for a fast request); the meta keeps
        // the microseconds so the lab's Time column is not a column of zeros.
        events::LineLog log(100);
        proxy::AccessRecord r;
        r.host = "api.example.com";
        r.scheme = "http";
        r.requestTimeSec = 0.000137;
        events::appendAccessRecord(log, r);
        r.requestTimeSec = 2.5;
        events::appendAccessRecord(log, r);
        const auto b = log.linesSince(0);
        QVERIFY(b.lines[0].find(" 0.000 ") != std::string::npos);
        QCOMPARE(events::decodeAccessMeta(b.meta[0]).requestTimeUs, std::int64_t(137));
        QCOMPARE(events::decodeAccessMeta(b.meta[1]).requestTimeUs, std::int64_t(2500000));
        QCOMPARE(events::decodeAccessMeta(b.meta[1]).podName, std::string());
    }
};

QTEST_MAIN(AccessMetaTest)
#include "access_meta_test.moc"
