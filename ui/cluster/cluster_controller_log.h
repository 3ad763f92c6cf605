#pragma once

#include <QObject>
#include <QString>

#include <memory>

#include "core/kube/pod_log_stream.h"

namespace ilab::events {
class LineLog;
}

namespace ilab::ui {

class ClusterSession;

// The cluster's ingress controller's own voice in the lab (issue 13 item 4): while the session is connected, a
// core kube::PodLogStream follows the log of the controller pod (container `controller`, namespace ingress-nginx,
// the ingress-nginx labels; it moves to a replaced pod and reconnects when the container restarts) into two ring
// buffers of its own, kept for the object's whole life so the views keep what they showed across reconnects:
// access lines (ingress-nginx's upstream format, read by the lab's access-log parser) and klog and other lines
// (the controller log). They never mix with the local controller's logs: the lab shows them in the "Cluster access
// log" and "Cluster controller log" tabs. The stream goes before the session's REST client does.
// Thread: GUI thread (the stream's informer and REST callbacks are queued there). Owned by the LabPanel.
class ClusterControllerLog : public QObject {
    Q_OBJECT
public:
    explicit ClusterControllerLog(ClusterSession* session, QObject* parent = nullptr);
    ~ClusterControllerLog() override;

    // Where the controller runs (tests shorten the retry delay); applies from the next connection.
    void setOptions(kube::PodLogStream::Options options) { m_options = std::move(options); }
    std::shared_ptr<events::LineLog> controllerLog() const { return m_controllerLog; }
    std::shared_ptr<events::LineLog> accessLog() const { return m_accessLog; }
    QString pod() const { return m_pod; }  // "" while no controller pod is followed
    QString statusText() const { return m_status; }
    kube::PodLogStream* streamForTest() const { return m_stream.get(); }

signals:
    void statusChanged(const QString& text);

private:
    void onState();
    void setStatus(const QString& text);

    ClusterSession* m_session;
    kube::PodLogStream::Options m_options;
    std::shared_ptr<events::LineLog> m_controllerLog, m_accessLog;
    std::unique_ptr<kube::PodLogStream> m_stream;
    QString m_pod, m_status;
};

}  // namespace ilab::ui
