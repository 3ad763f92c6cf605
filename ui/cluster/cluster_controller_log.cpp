#include "ui/cluster/cluster_controller_log.h"

#include <QJsonArray>
#include <QJsonObject>

#include "core/events/line_log.h"
#include "core/kube/resource.h"
#include "ui/cluster_session.h"

namespace ilab::ui {

ClusterControllerLog::ClusterControllerLog(ClusterSession* session, QObject* parent)
    : QObject(parent), m_session(session), m_controllerLog(std::make_shared<events::LineLog>()),
      m_accessLog(std::make_shared<events::LineLog>()) {
    Q_ASSERT(session);
    connect(m_session, &ClusterSession::clientAboutToBeDestroyed, this, [this] {
        m_stream.reset();  // cancels its request and stops its informer while the client still exists
        m_workloadPods.reset();
        m_pod.clear();
        setStatus(tr("Cluster controller log: not connected"));
    });
    connect(m_session, &ClusterSession::stateChanged, this, &ClusterControllerLog::onState);
    onState();
}

ClusterControllerLog::~ClusterControllerLog() {
    m_stream.reset();
    m_workloadPods.reset();
}

void ClusterControllerLog::setStatus(const QString& text) {
    if (text == m_status) return;
    m_status = text;
    emit statusChanged(text);
}

void ClusterControllerLog::onState() {
    if (m_session->state() != ClusterSession::State::Connected || !m_session->client() || m_stream) return;
    m_stream = std::make_unique<kube::PodLogStream>(*m_session->client(), m_options, m_controllerLog, m_accessLog);
    const QString where = QString::fromStdString(m_options.ns);
    connect(m_stream.get(), &kube::PodLogStream::podChanged, this, [this, where](const QString& pod) {
        m_pod = pod;
        setStatus(pod.isEmpty() ? tr("Cluster controller log: no Running controller pod in namespace %1").arg(where)
                                : tr("Cluster controller log: following pod %1/%2 (container %3)")
                                      .arg(where, pod, QString::fromStdString(m_options.container)));
    });
    connect(m_stream.get(), &kube::PodLogStream::streamEnded, this, [this](const QString& reason) {
        setStatus(tr("Cluster controller log: the stream of %1 ended (%2); reconnecting").arg(m_pod, reason));
    });
    setStatus(tr("Cluster controller log: looking for the controller pod in namespace %1").arg(where));
    m_stream->start();

    m_workloadPods = std::make_unique<kube::Informer>(*m_session->client(), kube::podsV1(), m_session->ns().toStdString());
    connect(m_workloadPods.get(), &kube::Informer::snapshotChanged, this, [this](const kube::StoreConstSharedPtr& pods) {
        if (!pods) return;
        QHash<QString, QString> names;
        for (const auto& [key, pod] : pods->objects) {
            const QString name = pod.value(QLatin1String("metadata")).toObject().value(QLatin1String("name")).toString();
            const QJsonObject status = pod.value(QLatin1String("status")).toObject();
            QStringList ips;
            for (const QJsonValue& ip : status.value(QLatin1String("podIPs")).toArray())
                ips << ip.toObject().value(QLatin1String("ip")).toString();
            if (ips.isEmpty() && !status.value(QLatin1String("podIP")).toString().isEmpty())
                ips << status.value(QLatin1String("podIP")).toString();
            for (const QJsonValue& c : pod.value(QLatin1String("spec")).toObject().value(QLatin1String("containers")).toArray())
                for (const QJsonValue& port : c.toObject().value(QLatin1String("ports")).toArray())
                    for (const QString& ip : ips)
                        names.insert(QStringLiteral("%1:%2").arg(ip).arg(port.toObject().value(QLatin1String("containerPort")).toInt()), name);
        }
        if (names == m_podNames) return;
        m_podNames = names;
        emit podNamesChanged(m_podNames);
    });
    m_workloadPods->start();
}

}  // namespace ilab::ui
