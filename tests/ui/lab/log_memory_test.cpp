// The access-log model holds 1,000,000 real access-log lines (ingress-nginx format + the structured record, as
// the controller writes them) in bounded memory: the model's byte accounting and the process's RSS growth stay
// under 40 MB (model) and core ring + 70 MB (process), the first and last rows read back exactly, a search over
// the million rows finds the right rows, and an export writes them. QAbstractItemModelTester watches a smaller run
// through the same compressed store (its full checks walk every row on each insert, too slow for a million).
#include <fstream>

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/events/access_meta.h"
#include "core/events/line_log.h"
#include "ui/lab/lab_feeds.h"
#include "ui/lab/log_table_model.h"
#include "ui/lab/log_view.h"

using namespace ilab;
using namespace ilab::ui;

namespace {

long rssKb() {
    std::ifstream in("/proc/self/status");
    std::string key;
    long value = 0;
    while (in >> key) {
        if (key == "VmRSS:") {
            in >> value;
            return value;
        }
        in.ignore(1 << 20, '\n');
    }
    return 0;
}

std::uint64_t splitmix(std::uint64_t& s) {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// Request i: realistic variety (random request id, two upstreams 90/10, eight hosts, varying paths and times).
proxy::AccessRecord record(std::uint64_t i, std::uint64_t& seed) {
    proxy::AccessRecord r;
    r.timeMs = 1'790'000'000'000 + std::int64_t(i / 20);  // 20,000 req/s
    r.clientIp = "127.0.0.1";
    r.method = i % 7 == 0 ? "POST" : "GET";
    r.target = "/api/v1/items/" + std::to_string(i) + "?page=" + std::to_string(i % 13);
    r.host = "host" + std::to_string(i % 8) + ".example.com";
    r.scheme = i % 4 == 0 ? "https" : "http";
    r.status = i % 100 == 99 ? 503 : 200;
    r.bytesSent = 600 + i % 50;
    r.requestLength = 80 + i % 9;
    r.requestTimeSec = double(i % 5) / 1000.0;
    r.userAgent = "ingress-lab-loadgen/1.0";
    const bool canary = i % 10 == 0;
    r.ingress = canary ? "default/version-canary" : "default/version";
    r.upstreamName = canary ? "default-agent-test-80" : "default-agent-stable-80";
    r.upstreamAddr = canary ? "127.0.0.1:40002" : "127.0.0.1:40001";
    r.upstreamStatus = r.status;
    r.upstreamResponseTimeSec = r.requestTimeSec;
    r.canary = canary ? "canary" : "main";
    char id[33];
    std::snprintf(id, sizeof id, "%016llx%016llx", static_cast<unsigned long long>(splitmix(seed)),
                  static_cast<unsigned long long>(splitmix(seed)));
    r.requestId = id;
    return r;
}

}  // namespace

class LogMemoryTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void millionAccessLinesInBoundedMemory() {
        constexpr std::uint64_t N = 1'000'000;
        auto log = std::make_shared<events::LineLog>(N);
        auto feed = std::make_unique<AccessLogFeed>();
        auto* f = feed.get();
        f->setSource(log);
        f->setPodNames({{"127.0.0.1:40001", "agent-stable-0"}, {"127.0.0.1:40002", "agent-test-0"}});
        LogTableModel model(std::move(feed));
        QCOMPARE(model.capacity(), std::size_t(1'000'000));

        // Fill the core ring and pull as the GUI timer would (in slices of at most MAX_FETCH rows).
        const long rssStart = rssKb();
        std::uint64_t seed = 42;
        std::string firstRequestId, lastRequestId;
        for (std::uint64_t i = 0; i < N; ++i) {
            const auto r = record(i, seed);
            if (i == 0) firstRequestId = r.requestId;
            if (i == N - 1) lastRequestId = r.requestId;
            events::appendAccessRecord(*log, r);
            if (i % 100'000 == 99'999)
                while (model.pullNow() > 0) {
                }
        }
        while (model.pullNow() > 0) {
        }
        const long rssFull = rssKb();

        QCOMPARE(model.rowCount(), int(N));
        QCOMPARE(model.storedRows(), std::size_t(N));

        // The bound: the model's own accounting, and the whole process (the core ring included).
        const double modelMb = double(model.storedBytes()) / (1024.0 * 1024.0);
        const double rssGrowthMb = double(rssFull - rssStart) / 1024.0;
        const double coreMb = double(log->storedBytes()) / (1024.0 * 1024.0);
        qInfo("1,000,000 access rows: model %.1f MB (%.1f bytes/row), core ring %.1f MB, RSS growth %.1f MB",
              modelMb, double(model.storedBytes()) / double(N), coreMb, rssGrowthMb);
        QVERIFY2(modelMb < 40.0, qPrintable(QString::number(modelMb)));
        // The process holds the core ring and the model, plus what the allocator keeps from the pull batches.
        QVERIFY2(rssGrowthMb < coreMb + 40.0 + 30.0, qPrintable(QString::number(rssGrowthMb)));

        // First and last rows read back exactly (decoded on demand from compressed chunks).
        auto cell = [&](int row, int column) { return model.data(model.index(row, column)).toString(); };
        auto request = [](std::uint64_t i) {
            return QString("%1 /api/v1/items/%2?page=%3").arg(i % 7 == 0 ? "POST" : "GET").arg(i).arg(i % 13);
        };
        QCOMPARE(cell(0, 2), QString("POST /api/v1/items/0?page=0"));
        QCOMPARE(cell(0, 4), QString("default-agent-test-80"));
        QCOMPARE(cell(0, 5), QString("agent-test-0"));
        QCOMPARE(cell(0, 8), QString::fromStdString(firstRequestId));
        QCOMPARE(cell(0, 9), QString("host0.example.com"));
        const int last = int(N) - 1;
        QCOMPARE(cell(last, 2), request(999999));
        QCOMPARE(cell(last, 3), QString("503"));
        QCOMPARE(cell(last, 4), QString("default-agent-stable-80"));
        QCOMPARE(cell(last, 8), QString::fromStdString(lastRequestId));
        QCOMPARE(cell(last, 9), QString("host7.example.com"));
        QCOMPARE(f->host(*model.rowAt(last)), QString("host7.example.com"));
        QCOMPARE(f->scheme(*model.rowAt(0)), QString("https"));
        QCOMPARE(f->ingress(*model.rowAt(0)), QString("default/version-canary"));
        // A row in the middle, then the first again (the decode cache is not confused by jumps).
        QCOMPARE(cell(500'123, 2), request(500123));
        QCOMPARE(cell(0, 9), QString("host0.example.com"));

        // Search the million rows (incrementally, on event-loop turns): "items/12345" matches 12345 and 123450..9,
        // 1234500..: below N only 12345 and 123450..123459 (11 rows).
        QSignalSpy finished(&model, &LogTableModel::scanFinished);
        // Each scan slice runs on one event-loop turn: print how long the GUI thread is held (no assertion: timing).
        QElapsedTimer slice;
        slice.start();
        model.setFilter({"items/12345?", {}, {}});
        double longestSliceMs = double(slice.nsecsElapsed()) / 1e6;
        int slices = 1;
        while (model.isScanning()) {
            slice.restart();
            QCoreApplication::sendPostedEvents();
            QCoreApplication::processEvents(QEventLoop::AllEvents);
            longestSliceMs = std::max(longestSliceMs, double(slice.nsecsElapsed()) / 1e6);
            ++slices;
        }
        qInfo("search over 1,000,000 rows: %d event-loop turns, the longest %.1f ms", slices, longestSliceMs);
        QVERIFY(!finished.isEmpty());
        QCOMPARE(model.rowCount(), 1);
        model.setFilter({"ITEMS/12345", {}, {}});
        QVERIFY(finished.wait(60000));
        QCOMPARE(model.rowCount(), 11);
        QCOMPARE(cell(10, 2), request(123459));

        // Export the filtered rows on a worker thread: one line each, with the Host from the record.
        QTemporaryDir dir;
        LogView view(&model, false);
        QSignalSpy exported(&view, &LogView::exportFinished);
        const QString path = dir.filePath("access.log");
        view.exportTo(path);
        QVERIFY(exported.wait(30000));
        QVERIFY2(exported.at(0).at(0).toBool(), qPrintable(exported.at(0).at(1).toString()));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QCOMPARE(lines.size(), 12);  // 11 lines + the empty piece after the final newline
        QVERIFY2(lines[0].contains("/api/v1/items/12345?") && lines[0].contains("host=host1.example.com"),
                 lines[0].constData());

        // Back to all rows; new lines push the oldest out (capacity) with bounded memory.
        model.setFilter({});
        QCOMPARE(model.rowCount(), int(N));
        for (std::uint64_t i = N; i < N + 5000; ++i) events::appendAccessRecord(*log, record(i, seed));
        while (model.pullNow() > 0) {
        }
        QCOMPARE(model.rowCount(), int(N));
        QCOMPARE(cell(0, 2), request(5000));
        QCOMPARE(cell(int(N) - 1, 2), request(1004999));
        QVERIFY(double(model.storedBytes()) / (1024.0 * 1024.0) < 40.0);
    }

    void modelTesterOverCompressedChunks() {
        // Same feed and store, small capacity: inserts, trims of whole and partial chunks, a filter, clear.
        auto log = std::make_shared<events::LineLog>(100000);
        auto feed = std::make_unique<AccessLogFeed>();
        feed->setSource(log);
        LogTableModel model(std::move(feed));
        model.setCapacity(5000);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        std::uint64_t seed = 7;
        for (std::uint64_t i = 0; i < 12000; ++i) {
            events::appendAccessRecord(*log, record(i, seed));
            if (i % 1500 == 1499) model.pullNow();
        }
        model.pullNow();
        QCOMPARE(model.rowCount(), 5000);
        QCOMPARE(model.data(model.index(0, 2)).toString(), QString("POST /api/v1/items/7000?page=%1").arg(7000 % 13));
        QSignalSpy finished(&model, &LogTableModel::scanFinished);
        model.setFilter({"host3.example", {}, {}});
        QTRY_VERIFY(!model.isScanning());
        QCOMPARE(model.rowCount(), 625);  // every 8th of 7000..11999
        for (std::uint64_t i = 12000; i < 13000; ++i) events::appendAccessRecord(*log, record(i, seed));
        model.pullNow();
        QTRY_VERIFY(!model.isScanning());
        QCOMPARE(model.rowCount(), 625);  // 125 trimmed at the front, 125 new at the back
        model.setFilter({});
        QCOMPARE(model.rowCount(), 5000);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(model.storedBytes() < 128 * 1024);
    }

    void storeRoundTripsEveryField() {
        // Every LogRow field survives the chunk encoding, including negative deltas, empty and binary text.
        std::vector<LogRow> rows;
        for (int i = 0; i < 300; ++i) {
            LogRow r;
            r.id = 1000 + std::uint64_t(i) * 3;
            r.timeMs = i % 2 ? 5000 - i : 5000 + 7 * i;  // goes back and forth
            r.code = i % 3 == 0 ? -1 : 200 + i;
            r.value = float(i) * 0.37f;
            for (std::size_t s = 0; s < r.sym.size(); ++s) r.sym[s] = (i + int(s)) % 4 == 0 ? 0 : std::uint32_t(i * 1000 + int(s));
            if (i % 5) r.text = QByteArray("text\0with nul ", 14) + QByteArray::number(i);
            rows.push_back(r);
        }
        const auto back = LogRowStore::decodeChunk(LogRowStore::encodeChunk(rows));
        QCOMPARE(back.size(), rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            QCOMPARE(back[i].id, rows[i].id);
            QCOMPARE(back[i].timeMs, rows[i].timeMs);
            QCOMPARE(back[i].code, rows[i].code);
            QCOMPARE(back[i].value, rows[i].value);
            QVERIFY(back[i].sym == rows[i].sym);
            QCOMPARE(back[i].text, rows[i].text);
        }
        // A corrupt chunk decodes to fewer rows, never a crash.
        QVERIFY(LogRowStore::decodeChunk(QByteArray("garbage")).empty());
        QByteArray packed = LogRowStore::encodeChunk(rows);
        QByteArray raw = qUncompress(packed);
        raw.truncate(raw.size() / 2);
        QVERIFY(LogRowStore::decodeChunk(qCompress(raw)).size() < rows.size());
    }
};

QTEST_MAIN(LogMemoryTest)
#include "log_memory_test.moc"
