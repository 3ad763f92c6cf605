#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <QObject>
#include <QString>
#include <QVector>

#include "core/model/workspace.h"
#include "core/proxy/proxy_config.h"
#include "core/routing/route_table.h"
#include "ui/lab/routing_map.h"

namespace ilab::controller {
class LocalController;
}
namespace ilab::events {
class EventLog;
class LineLog;
}  // namespace ilab::events
namespace ilab::metrics {
struct Snapshot;
}

namespace ilab::ui {

// The lab's handle on the core LocalController (GUI thread). Everything that talks to the controller goes
// through here, so the panel, the tests and the benchmark share one small surface: start/stop/restart with a
// clear error, live workspace updates, pod actions, and the controller's ring buffers and metrics. Start and
// stop run off the GUI thread (binding sockets and starting pods can take a moment); results come back as
// queued signals.
// The controller is not the link's: the composition root (app/gui/gui_services.h) creates it on its control
// thread, hands it over stopped (AppServices::controller), and stops and deletes it after the link is gone.
class ControllerLink : public QObject {
    Q_OBJECT
public:
    explicit ControllerLink(controller::LocalController* controller, QObject* parent = nullptr);
    ~ControllerLink() override;

    enum class State { Stopped, Starting, Running, Stopping };
    State state() const { return m_state; }
    bool isRunning() const { return m_state == State::Running; }

    void start(const model::Workspace& ws, const proxy::ProxyConfig& config);
    void stop();
    void setWorkspace(const model::Workspace& ws);  // applied live when running (the controller emits Sync)
    // Hands `ws` to the controller and syncs it at once (no debounce); `done` runs on the GUI thread once the new
    // route table has been handed to the proxy (Check my work sends its requests after that). Not called when the
    // link is gone by then.
    void applyNow(const model::Workspace& ws, std::function<void()> done);
    // Endpoints of cluster-backed Services (ClusterBackends): LocalController::setClusterEndpoints, kept across a
    // stop/start; an empty map gives every Service its simulated pods back.
    void setClusterEndpoints(const routing::EndpointMap& endpoints);

    void killPod(const QString& ns, const QString& pod);
    void restartDeployment(const QString& ns, const QString& deployment);
    void scaleDeployment(const QString& ns, const QString& deployment, int replicas);

    int httpPort() const { return m_httpPort; }
    int httpsPort() const { return m_httpsPort; }
    QString listenAddresses() const;  // "http://127.0.0.1:8080 https://127.0.0.1:8443"

    // The controller's ring buffers (null when never started); they outlive a stop so the logs stay readable.
    std::shared_ptr<events::EventLog> eventLog() const;
    std::shared_ptr<events::LineLog> controllerLog() const;
    std::shared_ptr<events::LineLog> accessLog() const;
    std::vector<metrics::Snapshot> snapshotsSince(std::int64_t afterMs) const;
    QVector<MapPod> pods() const;

Q_SIGNALS:
    void started();
    void startFailed(const QString& message);
    void stopped();
    void stateChanged(ilab::ui::ControllerLink::State state);
    void actionFailed(const QString& message);  // a pod action the controller refused

private:
    void setState(State s);
    void requestPods();

    struct Impl;
    std::unique_ptr<Impl> m_impl;
    State m_state = State::Stopped;
    int m_httpPort = 0, m_httpsPort = 0;
};

}  // namespace ilab::ui
