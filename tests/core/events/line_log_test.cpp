#include <thread>

#include <QTest>

#include "core/events/line_log.h"

using ilab::events::LineLog;

namespace {
std::string accessLine(std::uint64_t i) {
    return "10.0.0." + std::to_string(i % 250) + " - - [26/Nov/2026:22:30:01 +0000] \"GET /api/v1/items/" +
           std::to_string(i) + "?page=2 HTTP/1.1\" 200 612 \"-\" \"curl/7.88.1\" 87 0.002 [default-web-80] [] "
           "127.0.0.1:40123 612 0.002 200 " + std::to_string(i * 2654435761u) + "abcdef0123456789";
}
}  // namespace

class LineLogTest : public QObject {
    Q_OBJECT
private slots:
    void appendAndReadBack() {
        LineLog log(100);
        QCOMPARE(log.lastId(), 0u);
        QCOMPARE(log.append("first"), 1u);
        QCOMPARE(log.append("second\nline"), 2u);
        auto b = log.linesSince(0);
        QCOMPARE(b.firstId, 1u);
        QCOMPARE(b.lines.size(), size_t(2));
        QCOMPARE(b.lines[1], std::string("second line"));  // no line breaks inside a line
        auto c = log.linesSince(1);
        QCOMPARE(c.firstId, 2u);
        QCOMPARE(c.lines.size(), size_t(1));
        QVERIFY(log.linesSince(2).lines.empty());
    }

    void readsAcrossCompressedChunks() {
        LineLog log(100000);
        const std::uint64_t n = LineLog::CHUNK_LINES * 3 + 17;
        for (std::uint64_t i = 1; i <= n; ++i) log.append(accessLine(i));
        QCOMPARE(log.size(), size_t(n));
        std::uint64_t last = 0;
        std::uint64_t seen = 0;
        while (true) {
            auto b = log.linesSince(last, 700);
            if (b.lines.empty()) break;
            QCOMPARE(b.firstId, last + 1);
            for (size_t i = 0; i < b.lines.size(); ++i) QCOMPARE(b.lines[i], accessLine(b.firstId + i));
            seen += b.lines.size();
            last = b.firstId + b.lines.size() - 1;
        }
        QCOMPARE(seen, n);
    }

    void millionLinesStayBounded() {
        LineLog log(1000000);
        const std::uint64_t n = 1200000;
        std::size_t rawBytes = 0;
        for (std::uint64_t i = 1; i <= n; ++i) {
            const std::string l = accessLine(i);
            rawBytes += l.size() + 1;
            log.append(l);
        }
        QCOMPARE(log.lastId(), n);
        // Holds at least `capacity` lines and at most one chunk more; the oldest are gone.
        QVERIFY(log.size() >= 1000000);
        QVERIFY(log.size() < 1000000 + LineLog::CHUNK_LINES);
        QVERIFY(log.firstId() > 1);
        // Compressed storage: well under the raw size of the lines held.
        const double heldRaw = double(rawBytes) * double(log.size()) / double(n);
        qInfo("1M-line log: %zu lines, %.1f MB stored vs %.1f MB raw", log.size(), log.storedBytes() / 1e6,
              heldRaw / 1e6);
        QVERIFY(double(log.storedBytes()) < heldRaw / 3);
        // A puller that fell behind restarts at the oldest line held.
        auto b = log.linesSince(0, 10);
        QCOMPARE(b.firstId, log.firstId());
        QCOMPARE(b.lines.front(), accessLine(b.firstId));
        auto tail = log.linesSince(n - 5);
        QCOMPARE(tail.lines.size(), size_t(5));
        QCOMPARE(tail.lines.back(), accessLine(n));
    }

    void concurrentAppendAndRead() {
        LineLog log(50000);
        std::atomic<bool> done{false};
        std::vector<std::thread> writers;
        for (int t = 0; t < 3; ++t)
            writers.emplace_back([&log] {
                for (int i = 0; i < 20000; ++i) log.append(accessLine(i));
            });
        std::uint64_t last = 0, seen = 0;
        std::thread reader([&] {
            while (!done.load()) {
                auto b = log.linesSince(last, 5000);
                if (!b.lines.empty()) {
                    seen += b.lines.size();
                    last = b.firstId + b.lines.size() - 1;
                }
            }
        });
        for (auto& w : writers) w.join();
        done = true;
        reader.join();
        QCOMPARE(log.lastId(), 60000u);
        QVERIFY(log.size() <= 50000 + LineLog::CHUNK_LINES);
        QVERIFY(seen > 0);
    }
};

QTEST_GUILESS_MAIN(LineLogTest)
#include "line_log_test.moc"
