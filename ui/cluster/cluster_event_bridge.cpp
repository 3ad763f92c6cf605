#include "ui/cluster/cluster_event_bridge.h"

#include <QDateTime>
#include <QJsonObject>

#include "core/events/event_log.h"
#include "ui/cluster_session.h"

namespace ilab::ui {

ClusterEventBridge::ClusterEventBridge(ClusterSession* session, QObject* parent)
    : QObject(parent), m_session(session), m_log(std::make_shared<events::EventLog>()) {
    if (m_session) connect(m_session, &ClusterSession::eventsChanged, this, &ClusterEventBridge::onEvents);
}

void ClusterEventBridge::onEvents() {
    const auto store = m_session->events();
    if (!store) return;
    for (const auto& [key, e] : store->objects) {
        const QJsonObject meta = e.value(QStringLiteral("metadata")).toObject();
        const QString uid = meta.value(QStringLiteral("uid")).toString();
        const int count = std::max(1, e.value(QStringLiteral("count")).toInt(1));
        if (m_seenCount.value(uid, 0) >= count) continue;
        m_seenCount.insert(uid, count);
        const QJsonObject involved = e.value(QStringLiteral("involvedObject")).toObject();
        QString object = involved.value(QStringLiteral("kind")).toString() + QLatin1Char(' ');
        const QString ns = involved.value(QStringLiteral("namespace")).toString();
        if (!ns.isEmpty()) object += ns + QLatin1Char('/');
        object += involved.value(QStringLiteral("name")).toString();
        QString when = e.value(QStringLiteral("lastTimestamp")).toString();
        if (when.isEmpty()) when = e.value(QStringLiteral("eventTime")).toString();
        if (when.isEmpty()) when = meta.value(QStringLiteral("creationTimestamp")).toString();
        const QDateTime t = QDateTime::fromString(when, Qt::ISODateWithMs);
        const QString type = e.value(QStringLiteral("type")).toString();
        m_log->add(type.isEmpty() ? std::string("Normal") : type.toStdString(),
                   e.value(QStringLiteral("reason")).toString().toStdString(), object.toStdString(),
                   e.value(QStringLiteral("message")).toString().toStdString(), t.isValid() ? t.toMSecsSinceEpoch() : 0);
    }
}

}  // namespace ilab::ui
