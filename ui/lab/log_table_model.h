#pragma once

#include <deque>
#include <memory>
#include <vector>

#include <QAbstractTableModel>
#include <QTimer>

#include "ui/lab/log_feed.h"
#include "ui/lab/log_row_store.h"

namespace ilab::ui {

// A bounded, batched table model over one core log ring buffer (style.md F.19). GUI thread.
//
// Every poll (100 ms) pulls feed->fetch(lastId) and makes ONE beginInsertRows per batch; when the capacity
// (1,000,000 rows by default) would be exceeded the oldest rows go first with ONE beginRemoveRows. Cells are
// formatted lazily in data(). Filtering never uses a proxy model: the model keeps an index vector of the
// matching rows and rebuilds it incrementally (SCAN_TIME_BUDGET_MS per event-loop turn), so a new search over a
// million rows never blocks the GUI thread for long; rows matching so far appear while the scan goes on.
//
// Row bookkeeping: every stored row has an absolute sequence number; m_store holds [firstSeq, endSeq) in
// compressed chunks (LogRowStore: ~20-30 bytes per access-log row, so 1,000,000 rows stay in tens of MB) and
// decodes the few chunks a view or a scan touches; rows before m_scanSeq have been checked against the current
// filter (visible when they match).
class LogTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    static constexpr std::size_t DEFAULT_CAPACITY = 1'000'000;
    // Rows checked against a filter per event-loop turn at most, and the time one turn may take: matching a
    // decoded row costs ~1-3 us on a loaded machine (20,000 rows took ~50 ms), so the time budget is what bounds
    // the GUI thread; the row cap only keeps one turn's hit list small.
    static constexpr std::size_t SCAN_BUDGET = 50'000;
    static constexpr int SCAN_TIME_BUDGET_MS = 8;
    // Rows pulled per poll at most: a model that fell behind (paused, or a burst) catches up over several polls
    // instead of parsing a million lines in one go. At 10 polls/s that is 500,000 rows/s, far above any load.
    static constexpr std::size_t MAX_FETCH = 50'000;

    explicit LogTableModel(std::unique_ptr<LogFeed> feed, QObject* parent = nullptr);
    ~LogTableModel() override;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    LogFeed* feed() const { return m_feed.get(); }

    void setCapacity(std::size_t rows);
    std::size_t capacity() const { return m_capacity; }
    std::size_t storedRows() const { return m_store.size(); }
    // Heap bytes the stored rows take (compressed chunks, the open chunk, the decode cache, the filter index).
    std::size_t storedBytes() const;
    std::uint64_t lastId() const { return m_lastId; }

    // Polling (off until started): pulls every `intervalMs`.
    void startPolling(int intervalMs = 100);
    void stopPolling();
    // Paused: nothing is pulled (the core buffer keeps rows until it overwrites them); resuming catches up.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }

    void setFilter(const LogFilter& filter);
    const LogFilter& filter() const { return m_filter; }
    bool isScanning() const;  // a filter rebuild is still walking the stored rows

    // One poll now: fetch new rows, trim, insert. Returns the number of rows fetched.
    std::size_t pullNow();
    // Drops every stored row (the next poll continues after the last id seen).
    void clear();
    // Forget the last id too (a new controller run restarts its ids).
    void resetSource();

    // The row shown at `row` (decoded on demand): valid until the next call on the model; copy what you keep.
    const LogRow* rowAt(int row) const;
    QString lineAt(int row) const;
    // The visible rows at this moment, readable on another thread (export): the compressed chunks are shared,
    // not copied, and decoded by whoever walks them.
    struct VisibleRows {
        LogRowStore::Snapshot rows;
        bool all = true;                   // every row of the snapshot, else only `seqs`
        std::vector<std::uint64_t> seqs;   // ascending
        std::size_t count = 0;
        void forEach(const std::function<void(const LogRow&)>& fn) const;
    };
    VisibleRows visibleRows() const;

Q_SIGNALS:
    void rowsAppended(int count);  // after each inserted batch (views use it to follow the tail)
    void scanFinished();

private:
    bool matches(const LogRow& row) const;
    void trimFront(std::size_t count);
    void scan(std::size_t budget);
    void scheduleScan();
    std::uint64_t seqOfRow(int row) const;

    std::unique_ptr<LogFeed> m_feed;
    QStringList m_columns;
    LogRowStore m_store;
    std::uint64_t m_scanSeq = 0;
    std::deque<std::uint64_t> m_visible;  // sequence numbers of matching rows (only when filtering)
    std::uint64_t m_lastId = 0;
    std::size_t m_capacity = DEFAULT_CAPACITY;
    bool m_paused = false;
    bool m_scanScheduled = false;
    LogFilter m_filter;
    QByteArray m_needle;                      // lower-case UTF-8 of m_filter.text
    mutable std::vector<signed char> m_symMatch;  // per interned string: -1 unknown, 0 no, 1 text matches
    mutable std::vector<signed char> m_symObject; // per interned string: object filter matches
    QTimer m_poll;
};

}  // namespace ilab::ui
