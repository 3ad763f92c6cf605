#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include <QByteArray>
#include <QColor>
#include <QHash>
#include <QString>
#include <QStringList>
#include <QVector>

namespace ilab::ui {

// One row of a log as the GUI keeps it: compact (72 bytes plus one allocation) so that a model can hold
// 1,000,000 of them. Repeated strings (host, upstream, pod, event type, object, ...) are interned by the feed
// into `sym`; the variable part (request target, event message, log line) is one UTF-8 QByteArray.
struct LogRow {
    std::uint64_t id = 0;        // id in the core ring buffer (strictly increasing)
    std::int64_t timeMs = 0;     // wall clock
    std::int32_t code = 0;       // HTTP status (access log), 1 = Warning (events), level (controller log)
    float value = 0;             // request time in ms (access log)
    std::array<std::uint32_t, 6> sym{};
    QByteArray text;             // a feed may pack a second field after a '\0' (one allocation per row)
};

// Append-only table of interned strings. Index 0 is "". GUI thread; a copy is a cheap value for export jobs.
class StringTable {
public:
    StringTable() { m_strings.append(QString()); }
    std::uint32_t intern(const QString& s);
    std::uint32_t intern(const std::string& s) { return intern(QString::fromStdString(s)); }
    // UTF-8 bytes: looked up without building a QString (the access-log fast path), converted once when new.
    std::uint32_t internUtf8(const char* data, qsizetype size);
    const QString& at(std::uint32_t i) const { return i < std::uint32_t(m_strings.size()) ? m_strings[i] : m_strings[0]; }
    int size() const { return int(m_strings.size()); }

private:
    QVector<QString> m_strings;
    QHash<QString, std::uint32_t> m_index;
    QHash<QByteArray, std::uint32_t> m_utf8Index;
};

// What a log model filters by: free text (case-insensitive, any column), and for event logs a type and an
// object (substring). Empty fields match everything.
struct LogFilter {
    QString text;
    QString type;
    QString object;
    bool isEmpty() const { return text.isEmpty() && type.isEmpty() && object.isEmpty(); }
    bool operator==(const LogFilter&) const = default;
};

// The source of one log table: pulls rows from a core ring buffer and formats them lazily. Lives on the GUI
// thread (fetch() locks the core buffer briefly and copies). Implementations: access log, events, controller
// log (see lab_feeds.h), and fakes in tests.
class LogFeed {
public:
    virtual ~LogFeed() = default;
    virtual QStringList columns() const = 0;
    // Appends rows with id > afterId, oldest first, at most maxRows (the newest ones are kept if more exist).
    virtual void fetch(std::uint64_t afterId, std::size_t maxRows, std::vector<LogRow>& out) = 0;
    // Cell text, formatted on demand (QAbstractItemModel::data()).
    virtual QString cell(const LogRow& row, int column) const = 0;
    // Foreground colour hint (warnings, 5xx) or an invalid colour.
    virtual QColor colour(const LogRow& row) const { return {}; }
    // The interned strings behind LogRow::sym (the model searches them without formatting cells).
    virtual const StringTable& strings() const = 0;
    // Which sym slot holds the event type ("Normal"/"Warning") and the object ("Ingress default/web") that
    // LogFilter::type / ::object match; -1 when the feed has no such notion.
    virtual int typeSlot() const { return -1; }
    virtual int objectSlot() const { return -1; }
    // The whole row as one line (copy, export, search). The default joins the cells with two spaces.
    virtual QString line(const LogRow& row) const;
    // A formatter that can run on another thread (export): captures a copy of everything it needs.
    virtual std::function<QString(const LogRow&)> lineFormatter() const = 0;
};

}  // namespace ilab::ui
