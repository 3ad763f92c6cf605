#pragma once

#include <memory>

#include <QHash>

#include "ui/lab/log_feed.h"

namespace ilab::events {
class EventLog;
class LineLog;
}  // namespace ilab::events

namespace ilab::ui {

// Feeds of the three lab logs over the controller's core ring buffers (GUI thread; the core buffers are
// thread-safe and hold the lock only while copying). Each can be re-pointed at a new controller run.

// Events (kubectl describe style): Last seen, Type, Reason, Object, Count, Message, Source. Two logs are merged:
// the lab controller's (Source "lab") and, when a cluster is connected, the cluster's Events (Source "cluster",
// filled by ClusterEventBridge). Row ids are the feed's own (increasing across both logs); a model reset
// (fetch after id 0) reads both logs from the start again.
class EventFeed : public LogFeed {
public:
    enum Slot { TypeSlot = 0, ReasonSlot = 1, ObjectSlot = 2, SourceSlot = 3 };
    enum Column { SourceColumn = 6 };
    void setSource(std::shared_ptr<events::EventLog> log) { m_log = std::move(log); }
    const std::shared_ptr<events::EventLog>& source() const { return m_log; }
    void setClusterSource(std::shared_ptr<events::EventLog> log) { m_clusterLog = std::move(log); }
    const std::shared_ptr<events::EventLog>& clusterSource() const { return m_clusterLog; }
    QStringList columns() const override;
    void fetch(std::uint64_t afterId, std::size_t maxRows, std::vector<LogRow>& out) override;
    QString cell(const LogRow& row, int column) const override;
    QColor colour(const LogRow& row) const override;
    const StringTable& strings() const override { return m_strings; }
    int typeSlot() const override { return TypeSlot; }
    int objectSlot() const override { return ObjectSlot; }
    std::function<QString(const LogRow&)> lineFormatter() const override;

private:
    std::shared_ptr<events::EventLog> m_log, m_clusterLog;
    std::uint64_t m_labCursor = 0, m_clusterCursor = 0, m_nextId = 1;
    StringTable m_strings;
};

// Controller log lines in klog format ("I1126 22:30:01.123456   12345 controller.go:190] message"):
// Level, Time, Source, Message. The line is kept whole and split when a cell is drawn.
class ControllerLogFeed : public LogFeed {
public:
    void setSource(std::shared_ptr<events::LineLog> log) { m_log = std::move(log); }
    const std::shared_ptr<events::LineLog>& source() const { return m_log; }
    QStringList columns() const override;
    void fetch(std::uint64_t afterId, std::size_t maxRows, std::vector<LogRow>& out) override;
    QString cell(const LogRow& row, int column) const override;
    QColor colour(const LogRow& row) const override;
    QString line(const LogRow& row) const override { return QString::fromUtf8(row.text); }
    const StringTable& strings() const override { return m_strings; }
    std::function<QString(const LogRow&)> lineFormatter() const override;

private:
    std::shared_ptr<events::LineLog> m_log;
    StringTable m_strings;
};

// One parsed access-log line (ingress-nginx's default log-format-upstream), also used by the explainer's
// "pick" and the routing map's counters.
struct AccessLine {
    QString clientIp, timeLocal, method, target, protocol, upstream, alternativeUpstream, upstreamAddr,
        upstreamStatus, requestId, userAgent;
    int status = 0;
    qint64 timeMs = 0;
    qint64 bytesSent = 0;
    double requestTimeSec = 0;
};
// Parses one line; false when it does not have the expected shape (the line is then shown raw).
bool parseAccessLine(const QByteArray& line, AccessLine* out);

// Access log: Time, Client, Request, Status, Upstream, Pod, Upstream status, Time (ms), Request id, Host.
// Pod names come from the upstream address (the controller's simulated pods); counts per upstream and per pod
// are kept as the lines are pulled (the routing map shows them). The Host, scheme and Ingress come from the
// structured access record the controller stores next to each line (events::AccessMeta), never from the line,
// which has no Host; rows without that record show no Host.
class AccessLogFeed : public LogFeed {
public:
    enum Slot { ClientSlot = 0, MethodSlot = 1, UpstreamSlot = 2, PodSlot = 3, UpstreamStatusSlot = 4, ProtoSlot = 5 };
    void setSource(std::shared_ptr<events::LineLog> log) { m_log = std::move(log); }
    const std::shared_ptr<events::LineLog>& source() const { return m_log; }
    // "127.0.0.1:34567" -> "agent-v1-0"
    void setPodNames(QHash<QString, QString> podByAddress) { m_podByAddress = std::move(podByAddress); }
    QStringList columns() const override;
    void fetch(std::uint64_t afterId, std::size_t maxRows, std::vector<LogRow>& out) override;
    QString cell(const LogRow& row, int column) const override;
    QColor colour(const LogRow& row) const override;
    const StringTable& strings() const override { return m_strings; }
    std::function<QString(const LogRow&)> lineFormatter() const override;

    // Cumulative counts of the lines pulled since resetCounts(): by upstream name and by pod name. A request the
    // controller answered with its own error (Service not found, no endpoints, upstream timeout, rate limit, ...)
    // reached no backend: it is counted in errorCounts(), by "status reason" ("503 Service not found"), instead.
    const QHash<QString, quint64>& upstreamCounts() const { return m_upstreamCounts; }
    const QHash<QString, quint64>& errorCounts() const { return m_errorCounts; }
    QHash<QString, quint64> podCounts() const;  // by pod name (addresses not yet known stay addresses)
    quint64 countedLines() const { return m_counted; }
    void resetCounts();

    QString method(const LogRow& row) const { return m_strings.at(row.sym[MethodSlot]); }
    QString target(const LogRow& row) const;
    QString clientIp(const LogRow& row) const { return m_strings.at(row.sym[ClientSlot]); }
    QString upstream(const LogRow& row) const { return m_strings.at(row.sym[UpstreamSlot]); }
    // From the structured access record ("" when the line came without one).
    QString host(const LogRow& row) const;
    QString scheme(const LogRow& row) const;
    QString ingress(const LogRow& row) const;  // "ns/name"

private:
    std::shared_ptr<events::LineLog> m_log;
    StringTable m_strings;
    QHash<QString, QString> m_podByAddress;
    QHash<QString, quint64> m_upstreamCounts, m_addressCounts, m_errorCounts;
    quint64 m_counted = 0;
    QByteArray m_lastTimeText;  // $time_local of the previous line and its value (it changes once a second)
    qint64 m_lastTimeMs = 0;
};

}  // namespace ilab::ui
