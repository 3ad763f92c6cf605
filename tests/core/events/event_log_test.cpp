#include <thread>

#include <QTest>

#include "core/events/event_log.h"

using ilab::events::EventLog;

class EventLogTest : public QObject {
    Q_OBJECT
private slots:
    void idsIncreaseAndSinceReturnsOnlyNew() {
        EventLog log(100);
        const auto a = log.add("Normal", "Sync", "Ingress default/web", "Scheduled for sync", 1000);
        const auto b = log.add("Warning", "ServiceNotFound", "Ingress default/web", "Service default/x not found", 1001);
        QCOMPARE(a, 1u);
        QCOMPARE(b, 2u);
        auto all = log.eventsSince(0);
        QCOMPARE(all.size(), size_t(2));
        QCOMPARE(all[0].reason, std::string("Sync"));
        auto after = log.eventsSince(a);
        QCOMPARE(after.size(), size_t(1));
        QCOMPARE(after[0].id, b);
        QVERIFY(log.eventsSince(b).empty());
    }

    void repeatedEventBumpsCount() {
        EventLog log(100);
        const auto first = log.add("Normal", "Sync", "Ingress default/web", "Scheduled for sync", 1000);
        log.add("Normal", "Sync", "Ingress default/other", "Scheduled for sync", 2000);
        const auto third = log.add("Normal", "Sync", "Ingress default/web", "Scheduled for sync", 120000);
        QVERIFY(third > first);
        QCOMPARE(log.size(), size_t(2));
        auto all = log.eventsSince(0);
        QCOMPARE(all.size(), size_t(2));  // the first occurrence is superseded
        QCOMPARE(all[1].object, std::string("Ingress default/web"));
        QCOMPARE(all[1].count, 2);
        QCOMPARE(all[1].firstSeenMs, std::int64_t(1000));
        QCOMPARE(all[1].lastSeenMs, std::int64_t(120000));
        QCOMPARE(all[1].replacesId, first);
        // A puller that saw everything up to `first` now gets the bumped event.
        auto since = log.eventsSince(first);
        QCOMPARE(since.size(), size_t(2));
        QCOMPARE(since.back().count, 2);
        // A different message is a different event.
        log.add("Normal", "Sync", "Ingress default/web", "other message", 130000);
        QCOMPARE(log.size(), size_t(3));
        QCOMPARE(log.eventsFor("Ingress default/web").size(), size_t(2));
    }

    void ringDropsOldest() {
        EventLog log(10);
        for (int i = 0; i < 25; ++i) log.add("Normal", "R", "Pod default/p", "message " + std::to_string(i), 1000 + i);
        QCOMPARE(log.size(), size_t(10));
        auto all = log.eventsSince(0);
        QCOMPARE(all.size(), size_t(10));
        QCOMPARE(all.front().message, std::string("message 15"));
        QCOMPARE(all.front().id, 16u);
        QCOMPARE(all.back().id, 25u);
        QCOMPARE(log.lastId(), 25u);
        // A dropped event is no longer a dedup target: it comes back with count 1.
        log.add("Normal", "R", "Pod default/p", "message 0", 5000);
        QCOMPARE(log.eventsSince(25).front().count, 1);
        // Dedup of a live event keeps the ring bounded.
        for (int i = 0; i < 100; ++i) log.add("Warning", "X", "Pod default/p", "same", 6000 + i);
        QVERIFY(log.size() <= 10);
        auto last = log.eventsSince(0);
        QCOMPARE(last.back().count, 100);
    }

    void maxCountLimitsBatch() {
        EventLog log(100);
        for (int i = 0; i < 50; ++i) log.add("Normal", "R", "o", std::to_string(i), 1);
        auto b = log.eventsSince(0, 20);
        QCOMPARE(b.size(), size_t(20));
        auto c = log.eventsSince(b.back().id, 100);
        QCOMPARE(c.size(), size_t(30));
    }

    void concurrentWriters() {
        EventLog log(1000);
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&log, t] {
                for (int i = 0; i < 2000; ++i) log.add("Normal", "R", "o" + std::to_string(t), std::to_string(i % 300), 1);
            });
        for (auto& th : threads) th.join();
        QCOMPARE(log.lastId(), 8000u);
        auto all = log.eventsSince(0);
        QVERIFY(all.size() <= 1000);
        for (size_t i = 1; i < all.size(); ++i) QVERIFY(all[i].id > all[i - 1].id);
    }
};

QTEST_GUILESS_MAIN(EventLogTest)
#include "event_log_test.moc"
