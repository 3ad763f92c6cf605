#include "ui/lab/lab_feeds.h"

#include <QDateTime>

#include "core/events/access_meta.h"
#include "core/events/event_log.h"
#include "core/events/line_log.h"
#include "core/loadgen/error_response.h"

namespace ilab::ui {

namespace {

QString timeText(std::int64_t ms) {
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("HH:mm:ss.zzz")) : QString();
}

// Tokenizer for an nginx access-log line: "quoted" (with \xHH escapes kept), [bracketed], or bare words.
// Splits an access-log line into tokens ("quoted" and [bracketed] fields are one token each), as views into
// [p, end): no allocation per token (the access feed's per-line path).
void tokenizeViews(const char* p, const char* end, std::vector<QByteArrayView>& out) {
    out.clear();
    while (p < end) {
        while (p < end && *p == ' ') ++p;
        if (p >= end) break;
        if (*p == '"' || *p == '[') {
            const char close = *p == '"' ? '"' : ']';
            const char* s = ++p;
            while (p < end && *p != close) {
                if (*p == '\\' && p + 1 < end) ++p;
                ++p;
            }
            out.emplace_back(s, p - s);
            if (p < end) ++p;
        } else {
            const char* s = p;
            while (p < end && *p != ' ') ++p;
            out.emplace_back(s, p - s);
        }
    }
}

// The access-log tokens as owned byte arrays (for callers that keep them).
QVector<QByteArray> tokenize(const QByteArray& line) {
    std::vector<QByteArrayView> views;
    tokenizeViews(line.constData(), line.constData() + line.size(), views);
    QVector<QByteArray> out;
    out.reserve(qsizetype(views.size()));
    for (const QByteArrayView v : views) out.append(v.toByteArray());
    return out;
}

int monthIndex(const char* m) {
    static const char* const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int i = 0; i < 12; ++i)
        if (qstrncmp(m, MONTHS[i], 3) == 0) return i + 1;
    return 0;
}

// "26/Nov/2026:22:30:01 +0000" -> ms since epoch (UTC offsets other than +0000 are applied).
qint64 parseTimeLocal(const QByteArray& t) {
    if (t.size() < 20) return 0;
    const char* s = t.constData();
    const int day = (s[0] - '0') * 10 + (s[1] - '0');
    const int month = monthIndex(s + 3);
    const int year = QByteArray(s + 7, 4).toInt();
    const int hh = (s[12] - '0') * 10 + (s[13] - '0');
    const int mm = (s[15] - '0') * 10 + (s[16] - '0');
    const int ss = (s[18] - '0') * 10 + (s[19] - '0');
    if (!month || !year) return 0;
    QDateTime dt(QDate(year, month, day), QTime(hh, mm, ss), Qt::UTC);
    qint64 ms = dt.toMSecsSinceEpoch();
    if (t.size() >= 26) {
        const int sign = s[21] == '-' ? -1 : 1;
        const int offMin = ((s[22] - '0') * 10 + (s[23] - '0')) * 60 + (s[24] - '0') * 10 + (s[25] - '0');
        ms -= sign * qint64(offMin) * 60000;
    }
    return ms;
}

}  // namespace

// ---------------------------------------------------------------- events

QStringList EventFeed::columns() const {
    return {QObject::tr("Last seen"), QObject::tr("Type"), QObject::tr("Reason"), QObject::tr("Object"),
            QObject::tr("Count"), QObject::tr("Message"), QObject::tr("Source")};
}

void EventFeed::fetch(std::uint64_t afterId, std::size_t maxRows, std::vector<LogRow>& out) {
    if (afterId == 0) m_labCursor = m_clusterCursor = 0;  // the model starts over
    std::vector<LogRow> batch;
    auto take = [&](const std::shared_ptr<events::EventLog>& log, std::uint64_t& cursor, const QString& source) {
        if (!log) return;
        for (const auto& e : log->eventsSince(cursor, maxRows)) {
            cursor = e.id;
            LogRow r;
            r.timeMs = e.lastSeenMs;
            r.code = e.count;
            r.sym[TypeSlot] = m_strings.intern(e.type);
            r.sym[ReasonSlot] = m_strings.intern(e.reason);
            r.sym[ObjectSlot] = m_strings.intern(e.object);
            r.sym[SourceSlot] = m_strings.intern(source);
            r.text = QByteArray::fromStdString(e.message);
            batch.push_back(std::move(r));
        }
    };
    take(m_log, m_labCursor, QStringLiteral("lab"));
    take(m_clusterLog, m_clusterCursor, QStringLiteral("cluster"));
    std::stable_sort(batch.begin(), batch.end(), [](const LogRow& a, const LogRow& b) { return a.timeMs < b.timeMs; });
    if (batch.size() > maxRows) batch.erase(batch.begin(), batch.end() - static_cast<std::ptrdiff_t>(maxRows));
    for (auto& r : batch) {
        r.id = m_nextId++;
        out.push_back(std::move(r));
    }
}

QString EventFeed::cell(const LogRow& row, int column) const {
    switch (column) {
    case 0: return timeText(row.timeMs);
    case 1: return m_strings.at(row.sym[TypeSlot]);
    case 2: return m_strings.at(row.sym[ReasonSlot]);
    case 3: return m_strings.at(row.sym[ObjectSlot]);
    case 4: return row.code > 1 ? QStringLiteral("x%1").arg(row.code) : QStringLiteral("1");
    case 5: return QString::fromUtf8(row.text);
    case SourceColumn: return m_strings.at(row.sym[SourceSlot]);
    default: return {};
    }
}

QColor EventFeed::colour(const LogRow& row) const {
    return m_strings.at(row.sym[TypeSlot]) == QLatin1String("Warning") ? QColor(180, 80, 0) : QColor();
}

std::function<QString(const LogRow&)> EventFeed::lineFormatter() const {
    const StringTable strings = m_strings;
    return [strings](const LogRow& r) {
        return QStringLiteral("%1  %2  %3  %4  %5  %6  %7")
            .arg(timeText(r.timeMs), strings.at(r.sym[TypeSlot]), strings.at(r.sym[ReasonSlot]),
                 strings.at(r.sym[ObjectSlot]), QString::number(r.code), QString::fromUtf8(r.text),
                 strings.at(r.sym[SourceSlot]));
    };
}

// ---------------------------------------------------------------- controller log

QStringList ControllerLogFeed::columns() const {
    return {QObject::tr("Level"), QObject::tr("Time"), QObject::tr("Source"), QObject::tr("Message")};
}

void ControllerLogFeed::fetch(std::uint64_t afterId, std::size_t maxRows, std::vector<LogRow>& out) {
    if (!m_log) return;
    auto batch = m_log->linesSince(afterId, maxRows);
    std::uint64_t id = batch.firstId;
    for (auto& l : batch.lines) {
        LogRow r;
        r.id = id++;
        r.code = l.empty() ? 0 : l[0];
        r.text = QByteArray::fromStdString(l);
        out.push_back(std::move(r));
    }
}

namespace {
// klog: "I1126 22:30:01.123456   12345 controller.go:190] message"
struct KlogParts {
    QString level, time, source, message;
};
KlogParts splitKlog(const QByteArray& line) {
    KlogParts p;
    const int close = line.indexOf("] ");
    if (line.size() < 22 || close < 0) {
        p.message = QString::fromUtf8(line);
        return p;
    }
    switch (line[0]) {
    case 'I': p.level = QStringLiteral("Info"); break;
    case 'W': p.level = QStringLiteral("Warning"); break;
    case 'E': p.level = QStringLiteral("Error"); break;
    case 'F': p.level = QStringLiteral("Fatal"); break;
    default: p.level = QString(QChar(line[0]));
    }
    p.time = QString::fromLatin1(line.mid(6, 15));
    const QByteArray head = line.left(close);
    const int space = head.lastIndexOf(' ');
    p.source = QString::fromUtf8(head.mid(space + 1));
    p.message = QString::fromUtf8(line.mid(close + 2));
    return p;
}
}  // namespace

QString ControllerLogFeed::cell(const LogRow& row, int column) const {
    const KlogParts p = splitKlog(row.text);
    switch (column) {
    case 0: return p.level;
    case 1: return p.time;
    case 2: return p.source;
    case 3: return p.message;
    default: return {};
    }
}

QColor ControllerLogFeed::colour(const LogRow& row) const {
    if (row.code == 'W') return QColor(180, 80, 0);
    if (row.code == 'E' || row.code == 'F') return QColor(190, 30, 30);
    return {};
}

std::function<QString(const LogRow&)> ControllerLogFeed::lineFormatter() const {
    return [](const LogRow& r) { return QString::fromUtf8(r.text); };
}

// ---------------------------------------------------------------- access log

bool parseAccessLine(const QByteArray& line, AccessLine* out) {
    const auto t = tokenize(line);
    // remote_addr - remote_user [time] "request" status bytes "referer" "ua" req_len req_time [up] [alt]
    // upstream_addr upstream_response_length upstream_response_time upstream_status req_id
    if (t.size() < 18) return false;
    AccessLine a;
    a.clientIp = QString::fromLatin1(t[0]);
    a.timeLocal = QString::fromLatin1(t[3]);
    a.timeMs = parseTimeLocal(t[3]);
    const QList<QByteArray> req = t[4].split(' ');
    if (req.size() >= 2) {
        a.method = QString::fromLatin1(req[0]);
        a.target = QString::fromUtf8(req[1]);
        a.protocol = req.size() >= 3 ? QString::fromLatin1(req[2]) : QString();
    } else {
        a.target = QString::fromUtf8(t[4]);
    }
    bool ok = false;
    a.status = t[5].toInt(&ok);
    if (!ok) return false;
    a.bytesSent = t[6].toLongLong();
    a.userAgent = QString::fromUtf8(t[8]);
    a.requestTimeSec = t[10].toDouble();
    a.upstream = QString::fromUtf8(t[11]);
    a.alternativeUpstream = QString::fromUtf8(t[12]);
    // The four upstream fields may each be a list ("a, b" after a retry): split what is left evenly.
    a.requestId = QString::fromLatin1(t.last());
    const int rest = int(t.size()) - 14;  // tokens between alt upstream and req_id
    const int per = rest >= 4 && rest % 4 == 0 ? rest / 4 : 0;
    if (per == 0) return false;
    auto join = [&](int group) {
        QStringList parts;
        for (int i = 0; i < per; ++i) parts << QString::fromLatin1(t[13 + group * per + i]);
        return parts.join(QLatin1Char(' '));
    };
    a.upstreamAddr = join(0);
    a.upstreamStatus = join(3);
    *out = std::move(a);
    return true;
}

QStringList AccessLogFeed::columns() const {
    return {QObject::tr("Time"),     QObject::tr("Client"),      QObject::tr("Request"),
            QObject::tr("Status"),   QObject::tr("Upstream"),    QObject::tr("Pod"),
            QObject::tr("Up status"), QObject::tr("Time (ms)"),  QObject::tr("Request id"),
            QObject::tr("Host")};
}

QHash<QString, quint64> AccessLogFeed::podCounts() const {
    QHash<QString, quint64> out;
    for (auto it = m_addressCounts.cbegin(); it != m_addressCounts.cend(); ++it)
        out[m_podByAddress.value(it.key(), it.key())] += it.value();
    return out;
}

void AccessLogFeed::resetCounts() {
    m_upstreamCounts.clear();
    m_addressCounts.clear();
    m_errorCounts.clear();
    m_counted = 0;
}

void AccessLogFeed::fetch(std::uint64_t afterId, std::size_t maxRows, std::vector<LogRow>& out) {
    if (!m_log) return;
    auto batch = m_log->linesSince(afterId, maxRows);
    // The GUI thread parses every access line it pulls (up to ~20,000 a second), so this is the lean twin of
    // parseAccessLine(): tokens are views into the line, interned fields are looked up by their bytes, the
    // $time_local text (the same for a whole second) is converted once. ~3x fewer allocations per line.
    std::uint64_t id = batch.firstId;
    out.reserve(out.size() + batch.lines.size());
    std::vector<QByteArrayView> t;
    t.reserve(32);
    for (std::size_t i = 0; i < batch.lines.size(); ++i) {
        const std::string& l = batch.lines[i];
        LogRow r;
        r.id = id++;
        tokenizeViews(l.data(), l.data() + l.size(), t);
        // remote_addr - remote_user [time] "request" status bytes "referer" "ua" req_len req_time [up] [alt]
        // upstream_addr upstream_response_length upstream_response_time upstream_status req_id
        bool ok = t.size() >= 18;
        const int rest = int(t.size()) - 14;  // the four upstream fields may each be a list after a retry
        const int per = ok && rest >= 4 && rest % 4 == 0 ? rest / 4 : 0;
        int status = 0;
        if (ok) status = QByteArray::fromRawData(t[5].data(), t[5].size()).toInt(&ok);
        if (!ok || per == 0) {
            r.code = -1;
            r.text = QByteArray::fromStdString(l);
            out.push_back(std::move(r));
            continue;
        }
        if (t[3] != m_lastTimeText) {
            m_lastTimeText = t[3].toByteArray();
            m_lastTimeMs = parseTimeLocal(m_lastTimeText);
        }
        r.timeMs = m_lastTimeMs;
        r.code = status;
        r.value = float(QByteArray::fromRawData(t[10].data(), t[10].size()).toDouble() * 1000.0);
        r.sym[ClientSlot] = m_strings.internUtf8(t[0].data(), t[0].size());
        // "$request" is "METHOD target PROTOCOL".
        const QByteArrayView req = t[4];
        const qsizetype s1 = req.indexOf(' ');
        const qsizetype s2 = s1 < 0 ? -1 : req.lastIndexOf(' ');
        QByteArrayView target = req;
        if (s1 >= 0) {
            r.sym[MethodSlot] = m_strings.internUtf8(req.data(), s1);
            if (s2 > s1) {
                target = req.sliced(s1 + 1, s2 - s1 - 1);
                r.sym[ProtoSlot] = m_strings.internUtf8(req.data() + s2 + 1, req.size() - s2 - 1);
            } else {
                target = req.sliced(s1 + 1);
            }
        }
        r.sym[UpstreamSlot] = m_strings.internUtf8(t[11].data(), t[11].size());
        // The pod slot keeps the (last) upstream address; names are looked up when drawn (pods may be listed later).
        QByteArrayView addr = t[13 + per - 1];
        if (addr.endsWith(',')) addr.chop(1);
        if (addr == "-") addr = {};
        r.sym[PodSlot] = m_strings.internUtf8(addr.data(), addr.size());
        if (per == 1) {
            r.sym[UpstreamStatusSlot] = m_strings.internUtf8(t[13 + 3].data(), t[13 + 3].size());
        } else {
            QByteArray joined;
            for (int k = 0; k < per; ++k) joined += (k ? " " : "") + t[13 + 3 * per + k].toByteArray();
            r.sym[UpstreamStatusSlot] = m_strings.internUtf8(joined.constData(), joined.size());
        }
        const QByteArrayView requestId = t.back();
        r.text.reserve(target.size() + requestId.size() + 48);
        r.text.append(target.data(), target.size()).append('\0').append(requestId.data(), requestId.size());
        QString errorGroup;
        if (i < batch.meta.size() && !batch.meta[i].empty()) {
            const auto m = events::decodeAccessMeta(batch.meta[i]);
            if (!m.errorReason.empty())
                errorGroup = QString::fromStdString(loadgen::errorGroupLabel(status, m.errorReason, {}, false));
            if (m.requestTimeUs >= 0) r.value = float(double(m.requestTimeUs) / 1000.0);  // finer than the line's ms
            r.text += '\0' + QByteArray::fromStdString(m.host) + '\0' + QByteArray::fromStdString(m.scheme) + '\0' +
                      QByteArray::fromStdString(m.ingress);
        }
        const QString& upstream = m_strings.at(r.sym[UpstreamSlot]);
        // A line without its record: no upstream address and an error status means the controller answered.
        if (errorGroup.isEmpty() && status >= 400 && !r.sym[PodSlot])
            errorGroup = QString::fromStdString(loadgen::errorGroupLabel(status, "controller", {}, false));
        if (!errorGroup.isEmpty()) ++m_errorCounts[errorGroup];
        else if (!upstream.isEmpty() && upstream != QLatin1String("-")) ++m_upstreamCounts[upstream];
        if (r.sym[PodSlot]) ++m_addressCounts[m_strings.at(r.sym[PodSlot])];
        ++m_counted;
        out.push_back(std::move(r));
    }
}

namespace {
// An access row's text is "target\0request-id", followed by "\0host\0scheme\0ingress" when the line came with
// its structured record (events::AccessMeta).
QByteArray fieldOf(const LogRow& r, int index) {
    int start = 0;
    for (int i = 0; i < index; ++i) {
        start = int(r.text.indexOf('\0', start));
        if (start < 0) return {};
        ++start;
    }
    const int end = int(r.text.indexOf('\0', start));
    return r.text.mid(start, end < 0 ? -1 : end - start);
}
QString targetOf(const LogRow& r) { return QString::fromUtf8(fieldOf(r, 0)); }
QString requestIdOf(const LogRow& r) { return QString::fromLatin1(fieldOf(r, 1)); }
QString hostOf(const LogRow& r) { return r.code < 0 ? QString() : QString::fromUtf8(fieldOf(r, 2)); }
}  // namespace

QString AccessLogFeed::target(const LogRow& row) const { return targetOf(row); }
QString AccessLogFeed::host(const LogRow& row) const { return hostOf(row); }
QString AccessLogFeed::scheme(const LogRow& row) const {
    return row.code < 0 ? QString() : QString::fromLatin1(fieldOf(row, 3));
}
QString AccessLogFeed::ingress(const LogRow& row) const {
    return row.code < 0 ? QString() : QString::fromUtf8(fieldOf(row, 4));
}

QString AccessLogFeed::cell(const LogRow& row, int column) const {
    if (row.code < 0) return column == 2 ? QString::fromUtf8(row.text) : QString();
    switch (column) {
    case 0: return timeText(row.timeMs).left(8);
    case 1: return m_strings.at(row.sym[ClientSlot]);
    case 2: return m_strings.at(row.sym[MethodSlot]) + QLatin1Char(' ') + targetOf(row);
    case 3: return QString::number(row.code);
    case 4: return m_strings.at(row.sym[UpstreamSlot]);
    case 5: {
        const QString& addr = m_strings.at(row.sym[PodSlot]);
        return m_podByAddress.value(addr, addr);
    }
    case 6: return m_strings.at(row.sym[UpstreamStatusSlot]);
    case 7: return QString::number(double(row.value), 'f', row.value < 10 ? 2 : 1);
    case 8: return requestIdOf(row);
    case 9: return hostOf(row);
    default: return {};
    }
}

QColor AccessLogFeed::colour(const LogRow& row) const {
    if (row.code >= 500) return QColor(190, 30, 30);
    if (row.code >= 400) return QColor(180, 80, 0);
    return {};
}

std::function<QString(const LogRow&)> AccessLogFeed::lineFormatter() const {
    const StringTable strings = m_strings;
    return [strings](const LogRow& r) {
        if (r.code < 0) return QString::fromUtf8(r.text);
        QString line = QStringLiteral("%1 %2 \"%3 %4 %5\" %6 [%7] %8 %9 %10ms %11")
            .arg(timeText(r.timeMs), strings.at(r.sym[ClientSlot]), strings.at(r.sym[MethodSlot]),
                 targetOf(r), strings.at(r.sym[ProtoSlot]), QString::number(r.code),
                 strings.at(r.sym[UpstreamSlot]), strings.at(r.sym[PodSlot]), strings.at(r.sym[UpstreamStatusSlot]),
                 QString::number(double(r.value), 'f', 1), requestIdOf(r));
        const QString host = hostOf(r);
        if (!host.isEmpty()) line += QStringLiteral(" host=") + host;
        return line;
    };
}

}  // namespace ilab::ui
