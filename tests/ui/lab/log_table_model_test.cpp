// LogTableModel over a fake ring buffer: batching (one insert per poll), trimming at capacity, incremental
// filtering through the index vector, pause/resume, and QAbstractItemModelTester throughout.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include "ui/lab/log_table_model.h"

using namespace ilab::ui;

namespace {

// A fake core ring buffer: rows with ids 1..n, "Normal"/"Warning" types and two objects.
class FakeFeed : public LogFeed {
public:
    std::vector<LogRow> source;  // what the "core" has (ids increasing)
    StringTable table;
    int fetchCalls = 0;

    void add(int n) {
        for (int i = 0; i < n; ++i) {
            LogRow r;
            r.id = source.empty() ? 1 : source.back().id + 1;
            r.timeMs = 1000 * std::int64_t(r.id);
            r.code = (r.id % 10 == 0) ? 503 : 200;
            r.sym[0] = table.intern(QString((r.id % 10 == 0) ? "Warning" : "Normal"));
            r.sym[1] = table.intern(QString((r.id % 2) ? "Ingress default/web" : "Service default/api"));
            r.text = "message number " + QByteArray::number(qulonglong(r.id));
            source.push_back(r);
        }
    }
    QStringList columns() const override { return {"Id", "Type", "Object", "Message"}; }
    void fetch(std::uint64_t afterId, std::size_t maxRows, std::vector<LogRow>& out) override {
        ++fetchCalls;
        auto it = std::upper_bound(source.begin(), source.end(), afterId,
                                   [](std::uint64_t id, const LogRow& r) { return id < r.id; });
        // Oldest first, like events::LineLog::linesSince.
        const auto end = std::size_t(source.end() - it) > maxRows ? it + std::ptrdiff_t(maxRows) : source.end();
        out.insert(out.end(), it, end);
    }
    QString cell(const LogRow& row, int column) const override {
        switch (column) {
        case 0: return QString::number(row.id);
        case 1: return table.at(row.sym[0]);
        case 2: return table.at(row.sym[1]);
        default: return QString::fromUtf8(row.text);
        }
    }
    const StringTable& strings() const override { return table; }
    int typeSlot() const override { return 0; }
    int objectSlot() const override { return 1; }
    std::function<QString(const LogRow&)> lineFormatter() const override {
        return [](const LogRow& r) { return QString::fromUtf8(r.text); };
    }
};

}  // namespace

class LogTableModelTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void batchIsOneInsert() {
        auto feed = std::make_unique<FakeFeed>();
        auto* f = feed.get();
        LogTableModel model(std::move(feed));
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);
        f->add(500);
        QCOMPARE(model.pullNow(), std::size_t(500));
        QCOMPARE(inserts.count(), 1);
        QCOMPARE(inserts.at(0).at(1).toInt(), 0);
        QCOMPARE(inserts.at(0).at(2).toInt(), 499);
        QCOMPARE(model.rowCount(), 500);
        QCOMPARE(model.data(model.index(0, 0)).toString(), QString("1"));
        QCOMPARE(model.data(model.index(499, 3)).toString(), QString("message number 500"));
        QCOMPARE(model.lastId(), std::uint64_t(500));
        // Nothing new: no signal.
        QCOMPARE(model.pullNow(), std::size_t(0));
        QCOMPARE(inserts.count(), 1);
        f->add(3);
        model.pullNow();
        QCOMPARE(inserts.count(), 2);
        QCOMPARE(model.rowCount(), 503);
    }

    void trimsOldestAtCapacity() {
        auto feed = std::make_unique<FakeFeed>();
        auto* f = feed.get();
        LogTableModel model(std::move(feed));
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCapacity(1000);
        QSignalSpy removes(&model, &QAbstractItemModel::rowsRemoved);
        f->add(800);
        model.pullNow();
        f->add(700);
        model.pullNow();
        QCOMPARE(removes.count(), 1);
        QCOMPARE(removes.at(0).at(1).toInt(), 0);
        QCOMPARE(removes.at(0).at(2).toInt(), 499);
        QCOMPARE(model.rowCount(), 1000);
        QCOMPARE(model.storedRows(), std::size_t(1000));
        QCOMPARE(model.data(model.index(0, 0)).toString(), QString("501"));
        QCOMPARE(model.data(model.index(999, 0)).toString(), QString("1500"));
        // More new rows than the capacity: polls catch up in slices and only the newest rows stay.
        f->add(2500);
        while (model.pullNow() > 0) {
        }
        QCOMPARE(model.rowCount(), 1000);
        QCOMPARE(model.data(model.index(0, 0)).toString(), QString("3001"));
        QCOMPARE(model.data(model.index(999, 0)).toString(), QString("4000"));
    }

    void filterThroughIndexVector_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("object");
        QTest::addColumn<int>("expected");  // of ids 1..300000
        QTest::newRow("warnings") << "" << "Warning" << "" << 30000;
        QTest::newRow("object") << "" << "" << "ingress default" << 150000;
        QTest::newRow("warnings on odd ids = none") << "" << "warning" << "Ingress" << 0;
        QTest::newRow("text in message") << "NUMBER 12345" << "" << "" << 11;  // 12345, 123450..123459
        QTest::newRow("status code") << "503" << "" << "" << -1;  // computed below
        QTest::newRow("symbol text") << "service default" << "" << "" << 150000;
    }
    void filterThroughIndexVector() {
        QFETCH(QString, text);
        QFETCH(QString, type);
        QFETCH(QString, object);
        QFETCH(int, expected);
        auto feed = std::make_unique<FakeFeed>();
        auto* f = feed.get();
        LogTableModel model(std::move(feed));
        f->add(300000);
        while (model.pullNow() > 0) {
        }
        QCOMPARE(model.rowCount(), 300000);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy finished(&model, &LogTableModel::scanFinished);
        model.setFilter({text, type, object});
        // 300k rows > SCAN_BUDGET: the first slice is done synchronously, the rest on later event-loop turns.
        QVERIFY(model.isScanning());
        // A hang guard only, not a speed check: under a loaded CI machine with the model tester attached the
        // 300k-row scan took over 10 s (the old bound failed there).
        QVERIFY(finished.count() > 0 || finished.wait(180000));
        QVERIFY(!model.isScanning());
        int want = expected;
        if (text == "503") {
            // status 503 on every 10th id, plus ids whose message contains "503" but are not multiples of 10.
            want = 0;
            for (int id = 1; id <= 300000; ++id)
                if (id % 10 == 0 || (QByteArray::number(id).contains("503"))) ++want;
        }
        QCOMPARE(model.rowCount(), want);
        for (int r = 0; r < model.rowCount(); r += std::max(1, model.rowCount() / 50)) {
            const QString line = model.lineAt(r);
            QVERIFY(!line.isEmpty());
            if (!type.isEmpty()) QCOMPARE(model.data(model.index(r, 1)).toString().toLower(), type.toLower());
        }
        // New rows are filtered as they arrive, and trimming removes filtered rows from the front.
        model.setCapacity(300000);
        f->add(1000);
        model.pullNow();
        QTRY_VERIFY(!model.isScanning());
        // Clearing the filter shows every stored row again.
        model.setFilter({});
        QCOMPARE(model.rowCount(), 300000);
        QCOMPARE(model.data(model.index(299999, 0)).toString(), QString("301000"));
    }

    void pauseStopsPulling() {
        auto feed = std::make_unique<FakeFeed>();
        auto* f = feed.get();
        LogTableModel model(std::move(feed));
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPaused(true);
        f->add(10);
        QCOMPARE(model.pullNow(), std::size_t(0));
        QCOMPARE(model.rowCount(), 0);
        model.setPaused(false);
        QCOMPARE(model.pullNow(), std::size_t(10));
        QCOMPARE(model.rowCount(), 10);
    }

    void pollingFillsFromTimer() {
        auto feed = std::make_unique<FakeFeed>();
        auto* f = feed.get();
        LogTableModel model(std::move(feed));
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.startPolling(10);
        f->add(42);
        QTRY_COMPARE(model.rowCount(), 42);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        f->add(1);
        QTRY_COMPARE(model.rowCount(), 1);
        QCOMPARE(model.data(model.index(0, 0)).toString(), QString("43"));
    }

    void millionRowsBounded() {
        auto feed = std::make_unique<FakeFeed>();
        auto* f = feed.get();
        LogTableModel model(std::move(feed));
        QCOMPARE(model.capacity(), std::size_t(1'000'000));
        for (int i = 0; i < 12; ++i) {
            f->add(100000);
            while (model.pullNow() > 0) {
            }
            f->source.erase(f->source.begin(), f->source.end() - 100000);  // the core ring buffer is bounded too
        }
        QCOMPARE(model.rowCount(), 1'000'000);
        QCOMPARE(model.data(model.index(0, 0)).toString(), QString("200001"));
    }
};

QTEST_MAIN(LogTableModelTest)
#include "log_table_model_test.moc"
