#include "ui/lab/log_table_model.h"

#include <algorithm>
#include <cctype>

#include <QElapsedTimer>

namespace ilab::ui {

std::uint32_t StringTable::intern(const QString& s) {
    if (s.isEmpty()) return 0;
    auto it = m_index.constFind(s);
    if (it != m_index.cend()) return *it;
    const auto i = std::uint32_t(m_strings.size());
    m_strings.append(s);
    m_index.insert(s, i);
    return i;
}

std::uint32_t StringTable::internUtf8(const char* data, qsizetype size) {
    if (size <= 0) return 0;
    const QByteArray key = QByteArray::fromRawData(data, size);  // no copy for the lookup
    auto it = m_utf8Index.constFind(key);
    if (it != m_utf8Index.cend()) return *it;
    const std::uint32_t i = intern(QString::fromUtf8(data, size));
    m_utf8Index.insert(QByteArray(data, size), i);
    return i;
}

QString LogFeed::line(const LogRow& row) const {
    QStringList cells;
    const int n = int(columns().size());
    for (int c = 0; c < n; ++c) cells << cell(row, c);
    return cells.join(QStringLiteral("  "));
}

namespace {
// Case-insensitive (ASCII) substring search; `needle` is already lower case.
bool containsLower(const QByteArray& hay, const QByteArray& needle) {
    if (needle.isEmpty()) return true;
    const qsizetype n = needle.size();
    if (hay.size() < n) return false;
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; };
    const char first = needle[0];
    const char* h = hay.constData();
    const qsizetype last = hay.size() - n;
    for (qsizetype i = 0; i <= last; ++i) {
        if (lower(h[i]) != first) continue;
        qsizetype k = 1;
        while (k < n && lower(h[i + k]) == needle[k]) ++k;
        if (k == n) return true;
    }
    return false;
}
}  // namespace

LogTableModel::LogTableModel(std::unique_ptr<LogFeed> feed, QObject* parent)
    : QAbstractTableModel(parent), m_feed(std::move(feed)) {
    m_columns = m_feed->columns();
    m_poll.setObjectName(QStringLiteral("logPoll"));  // names the timer in gui_stall_bench's slowest-event list
    connect(&m_poll, &QTimer::timeout, this, [this] { pullNow(); });
}

LogTableModel::~LogTableModel() = default;

int LogTableModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid()) return 0;
    if (m_filter.isEmpty()) return int(m_scanSeq - m_store.firstSeq());
    return int(m_visible.size());
}

int LogTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_columns.size()); }

std::uint64_t LogTableModel::seqOfRow(int row) const {
    return m_filter.isEmpty() ? m_store.firstSeq() + std::uint64_t(row) : m_visible[std::size_t(row)];
}

const LogRow* LogTableModel::rowAt(int row) const {
    if (row < 0 || row >= rowCount()) return nullptr;
    return m_store.row(seqOfRow(row));
}

QString LogTableModel::lineAt(int row) const {
    const LogRow* r = rowAt(row);
    return r ? m_feed->line(*r) : QString();
}

QVariant LogTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.column() >= m_columns.size()) return {};
    const LogRow* r = rowAt(index.row());
    if (!r) return {};
    switch (role) {
    case Qt::DisplayRole:
        return m_feed->cell(*r, index.column());
    case Qt::ToolTipRole:
        return m_feed->line(*r);
    case Qt::ForegroundRole: {
        const QColor c = m_feed->colour(*r);
        return c.isValid() ? QVariant(c) : QVariant();
    }
    default:
        return {};
    }
}

QVariant LogTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (role != Qt::DisplayRole) return {};
    if (orientation == Qt::Horizontal) return section >= 0 && section < m_columns.size() ? m_columns[section] : QVariant();
    return section + 1;
}

void LogTableModel::setCapacity(std::size_t rows) {
    m_capacity = std::max<std::size_t>(1, rows);
    if (m_store.size() > m_capacity) trimFront(m_store.size() - m_capacity);
}

void LogTableModel::startPolling(int intervalMs) { m_poll.start(intervalMs); }
void LogTableModel::stopPolling() { m_poll.stop(); }

void LogTableModel::setPaused(bool paused) {
    m_paused = paused;
    if (!paused && m_poll.isActive()) pullNow();
}

bool LogTableModel::isScanning() const { return m_scanSeq < m_store.endSeq(); }

std::size_t LogTableModel::storedBytes() const {
    return m_store.storedBytes() + m_visible.size() * sizeof(std::uint64_t) + m_symMatch.size() + m_symObject.size();
}

bool LogTableModel::matches(const LogRow& row) const {
    const StringTable& strings = m_feed->strings();
    if (m_symMatch.size() < std::size_t(strings.size())) {
        m_symMatch.resize(std::size_t(strings.size()), -1);
        m_symObject.resize(std::size_t(strings.size()), -1);
    }
    if (!m_filter.type.isEmpty()) {
        const int slot = m_feed->typeSlot();
        if (slot < 0 || strings.at(row.sym[std::size_t(slot)]).compare(m_filter.type, Qt::CaseInsensitive) != 0)
            return false;
    }
    if (!m_filter.object.isEmpty()) {
        const int slot = m_feed->objectSlot();
        if (slot < 0) return false;
        const auto s = row.sym[std::size_t(slot)];
        auto& known = m_symObject[s];
        if (known < 0) known = strings.at(s).contains(m_filter.object, Qt::CaseInsensitive) ? 1 : 0;
        if (!known) return false;
    }
    if (m_needle.isEmpty()) return true;
    for (auto s : row.sym) {
        if (s == 0) continue;
        auto& known = m_symMatch[s];
        if (known < 0) known = containsLower(strings.at(s).toUtf8(), m_needle) ? 1 : 0;
        if (known) return true;
    }
    if (containsLower(row.text, m_needle)) return true;
    return row.code != 0 && QByteArray::number(row.code) == m_needle;
}

void LogTableModel::setFilter(const LogFilter& filter) {
    if (filter == m_filter) return;
    beginResetModel();
    m_filter = filter;
    m_needle = filter.text.toLower().toUtf8();
    m_symMatch.clear();
    m_symObject.clear();
    m_visible.clear();
    // Without a filter every stored row is visible at once (identity mapping); with one, rescan from the start.
    m_scanSeq = m_filter.isEmpty() ? m_store.endSeq() : m_store.firstSeq();
    endResetModel();
    if (m_filter.isEmpty())
        Q_EMIT scanFinished();
    else
        scan(SCAN_BUDGET);
}

void LogTableModel::trimFront(std::size_t count) {
    count = std::min(count, m_store.size());
    if (count == 0) return;
    const std::uint64_t newFirst = m_store.firstSeq() + count;
    std::size_t removeVisible = 0;
    if (m_filter.isEmpty()) {
        removeVisible = std::size_t(std::min<std::uint64_t>(count, m_scanSeq - m_store.firstSeq()));
    } else {
        while (removeVisible < m_visible.size() && m_visible[removeVisible] < newFirst) ++removeVisible;
    }
    if (removeVisible > 0) beginRemoveRows({}, 0, int(removeVisible) - 1);
    m_store.dropFront(count);
    if (!m_filter.isEmpty()) m_visible.erase(m_visible.begin(), m_visible.begin() + std::ptrdiff_t(removeVisible));
    m_scanSeq = std::max(m_scanSeq, newFirst);
    if (removeVisible > 0) endRemoveRows();
}

void LogTableModel::scan(std::size_t budget) {
    const std::uint64_t end = m_store.endSeq();
    if (m_scanSeq >= end) return;
    const std::uint64_t stop = std::min<std::uint64_t>(end, m_scanSeq + budget);
    int inserted = 0;
    if (m_filter.isEmpty()) {
        const int first = rowCount();
        inserted = int(stop - m_scanSeq);
        beginInsertRows({}, first, first + inserted - 1);
        m_scanSeq = stop;
        endInsertRows();
    } else {
        std::vector<std::uint64_t> hits;
        QElapsedTimer clock;
        clock.start();
        std::uint64_t seq = m_scanSeq;
        while (seq < stop) {
            // Check the clock once per chunk-sized step (a chunk decode plus its matches is the unit of work).
            const std::uint64_t stepEnd = std::min<std::uint64_t>(stop, seq + LogRowStore::CHUNK_ROWS);
            for (; seq < stepEnd; ++seq)
                if (const LogRow* r = m_store.row(seq); r && matches(*r)) hits.push_back(seq);
            if (clock.elapsed() >= SCAN_TIME_BUDGET_MS) break;
        }
        m_scanSeq = seq;
        if (!hits.empty()) {
            const int first = rowCount();
            inserted = int(hits.size());
            beginInsertRows({}, first, first + inserted - 1);
            m_visible.insert(m_visible.end(), hits.begin(), hits.end());
            endInsertRows();
        }
    }
    if (inserted > 0) Q_EMIT rowsAppended(inserted);
    if (isScanning())
        scheduleScan();
    else
        Q_EMIT scanFinished();
}

void LogTableModel::scheduleScan() {
    if (m_scanScheduled) return;
    m_scanScheduled = true;
    QTimer::singleShot(0, this, [this] {
        m_scanScheduled = false;
        scan(SCAN_BUDGET);
    });
}

std::size_t LogTableModel::pullNow() {
    if (m_paused) return 0;
    std::vector<LogRow> batch;
    m_feed->fetch(m_lastId, std::min(m_capacity, MAX_FETCH), batch);
    if (!batch.empty()) {
        m_lastId = batch.back().id;
        if (batch.size() > m_capacity) batch.erase(batch.begin(), batch.end() - std::ptrdiff_t(m_capacity));
        const std::size_t total = m_store.size() + batch.size();
        if (total > m_capacity) trimFront(total - m_capacity);
        for (auto& r : batch) m_store.append(std::move(r));
    }
    // Unfiltered, every new row becomes visible now (one insert); filtered, a bounded slice is checked now.
    scan(m_filter.isEmpty() ? m_store.size() : SCAN_BUDGET);
    return batch.size();
}

void LogTableModel::clear() {
    beginResetModel();
    m_store.clear();
    m_visible.clear();
    m_scanSeq = m_store.endSeq();
    endResetModel();
}

void LogTableModel::resetSource() {
    clear();
    m_lastId = 0;
}

LogTableModel::VisibleRows LogTableModel::visibleRows() const {
    VisibleRows v;
    v.rows = m_store.snapshot();
    v.count = std::size_t(rowCount());
    v.all = m_filter.isEmpty();
    if (!v.all) v.seqs.assign(m_visible.begin(), m_visible.end());
    return v;
}

void LogTableModel::VisibleRows::forEach(const std::function<void(const LogRow&)>& fn) const {
    if (all)
        rows.forEach(rows.firstSeq(), rows.firstSeq() + count, fn);
    else
        rows.forEach(seqs, fn);
}

}  // namespace ilab::ui
