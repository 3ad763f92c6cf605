#include "ui/cluster/cluster_controller_log.h"

#include "core/events/line_log.h"
#include "ui/cluster_session.h"

namespace ilab::ui {

ClusterControllerLog::ClusterControllerLog(ClusterSession* session, QObject* parent)
    : QObject(parent), m_session(session), m_controllerLog(std::make_shared<events::LineLog>()),
      m_accessLog(std::make_shared<events::LineLog>()) {
    Q_ASSERT(session);
    connect(m_session, &ClusterSession::clientAboutToBeDestroyed, this, [this] {
        m_stream.reset();  // cancels its request and stops its informer while the client still exists
        m_pod.clear();
        setStatus(tr("Cluster controller log: not connected"));
    });
    connect(m_session, &ClusterSession::stateChanged, this, &ClusterControllerLog::onState);
    onState();
}

ClusterControllerLog::~ClusterControllerLog() { m_stream.reset(); }

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
}

}  // namespace ilab::ui
