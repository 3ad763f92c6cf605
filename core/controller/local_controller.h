#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <QObject>
#include <QString>
#include <QTimer>

#include "core/backends/pod_manager.h"
#include "core/events/event_log.h"
#include "core/events/line_log.h"
#include "core/events/log_format.h"
#include "core/metrics/metrics_registry.h"
#include "core/model/workspace.h"
#include "core/proxy/proxy_server.h"
#include "core/routing/controller_settings.h"
#include "core/routing/route_table.h"

namespace ilab::metrics {
class AdminServer;
}

namespace ilab::controller {

// Where the controller listens once started (the `ready` line of `serve`).
struct ReadyInfo {
    std::string httpAddress;
    int httpPort = 0;
    std::string httpsAddress;
    int httpsPort = 0;  // -1: no HTTPS listener
    std::string adminAddress;
    int adminPort = 0;  // -1: no admin listener
    // "ready http=127.0.0.1:8080 https=127.0.0.1:8443 admin=127.0.0.1:10254"
    std::string readyLine() const;
};

struct StartOptions {
    proxy::ProxyConfig proxy;
    std::string adminAddress = "127.0.0.1";
    int adminPort = 10254;  // 0 = free port; -1 = no admin listener
};

// What one sync did (for the status bar and tests).
struct SyncResult {
    std::uint64_t generation = 0;   // counts syncs
    std::uint64_t contentHash = 0;  // of the route table now serving
    bool reloaded = false;          // false: the compiled table equalled the running one (no swap)
    int ingresses = 0;
    int pods = 0;
};

// The local controller (issue 4): reconciles simulated pods from the workspace, compiles the route table with
// the pods' endpoints and swaps it into the proxy when it changed, and turns everything into controller-style
// events, klog lines, access-log lines and metrics.
//
// Threads: a LocalController is a QObject meant to live on its own control thread (the owner creates a QThread
// and calls moveToThread before start()); call its slots through queued invokeMethod or queued signals, and
// receive its signals queued — payloads are values. The data plane runs on the ProxyServer's workers, pods on
// the PodManager's pods thread. eventLog(), controllerLog(), accessLog() and metrics() return thread-safe
// objects that any thread (the GUI's timers, the CLI printer) may read at any time.
// Owner: the app's composition root (GUI main window or `serve`).
class LocalController : public QObject {
    Q_OBJECT
public:
    static constexpr int DEBOUNCE_MS = 200;    // editor keystrokes and file saves coalesce into one sync
    static constexpr int POD_GRACE_MS = 2000;  // old pods keep answering this long after the new table is live

    explicit LocalController(QObject* parent = nullptr);
    ~LocalController() override;

    // Thread-safe accessors (the objects are shared and synchronised internally).
    std::shared_ptr<events::EventLog> eventLog() const { return m_events; }
    std::shared_ptr<events::LineLog> controllerLog() const { return m_controllerLog; }
    std::shared_ptr<events::LineLog> accessLog() const { return m_accessLog; }
    std::shared_ptr<metrics::MetricsRegistry> metrics() const { return m_metrics; }
    // Pods as `kubectl get pods` shows them (thread-safe).
    std::vector<backends::PodInfo> pods() const;

    // Control-thread API (call through queued invokeMethod from other threads).
    void setSettings(routing::ControllerSettings settings);
    void setAutoBackends(bool on);
    // Endpoints of cluster-backed Services (core/kube/cluster_endpoints): each key replaces what the workspace's
    // simulated pods would give that Service port; other Services keep their simulated pods. Syncs at once.
    void setClusterEndpoints(routing::EndpointMap endpoints);
    // Takes a deep copy (Workspace::clone()) — never a copy sharing YAML nodes with the GUI.
    void setWorkspace(model::Workspace ws);
    // Binds the proxy and the admin port, then syncs at once. Emits started() or startFailed().
    void start(StartOptions options);
    void stop();
    bool isRunning() const { return m_proxy != nullptr; }
    // Syncs now instead of after the debounce (tests, "Apply" buttons).
    void syncNow();

    // A workspace change was not loaded (WorkspaceReloader): a Warning event and an error log line say why and
    // that the last good configuration keeps serving. `waiting`: it may still apply once the files settle.
    void noteReloadHeld(const std::string& reason, bool waiting);

    void killPod(const std::string& podName);
    void restartPod(const std::string& podName);
    // `kubectl scale deployment/name --replicas=N`; lasts until the workspace's own replicas value changes.
    void scaleDeployment(const std::string& ns, const std::string& name, int replicas);

    // The workspace the controller serves: the input plus --auto-backends Services and Deployments.
    static model::Workspace withAutoBackends(const model::Workspace& ws, std::vector<std::string>* added = nullptr);

signals:
    void started(ilab::controller::ReadyInfo info);
    void startFailed(QString message);
    void stopped();
    void synced(ilab::controller::SyncResult result);
    void podsChanged();

private:
    void sync();
    void tickMetrics();
    void log(events::KlogSeverity severity, const char* source, const std::string& message,
             const std::vector<std::pair<std::string, std::string>>& kv = {}, bool structured = true);
    void event(const std::string& type, const std::string& reason, const std::string& object, const std::string& message);
    void checkReferences(const model::Workspace& ws, const routing::EndpointMap& endpoints);

    class Telemetry;
    std::shared_ptr<events::EventLog> m_events;
    std::shared_ptr<events::LineLog> m_controllerLog;
    std::shared_ptr<events::LineLog> m_accessLog;
    std::shared_ptr<metrics::MetricsRegistry> m_metrics;
    std::shared_ptr<Telemetry> m_telemetry;

    // Control-thread state.
    routing::ControllerSettings m_settings;
    bool m_autoBackends = false;
    routing::EndpointMap m_clusterEndpoints;
    model::Workspace m_workspace;
    bool m_haveWorkspace = false;
    std::unique_ptr<backends::PodManager> m_pods;
    std::unique_ptr<proxy::ProxyServer> m_proxy;
    std::unique_ptr<metrics::AdminServer> m_admin;
    QTimer* m_debounce = nullptr;
    QTimer* m_metricsTimer = nullptr;
    std::uint64_t m_runningHash = 0;
    bool m_haveTable = false;
    std::uint64_t m_generation = 0;
    std::map<std::string, model::Ingress> m_lastIngresses;  // "ns/name" -> last synced spec (Sync events)
    std::map<std::string, int> m_replicaOverrides;           // "ns/name" -> replicas (scale)
    std::map<std::string, int> m_replicasAtOverride;         // workspace replicas when the override was set
    int m_pid = 0;
};

}  // namespace ilab::controller

Q_DECLARE_METATYPE(ilab::controller::ReadyInfo)
Q_DECLARE_METATYPE(ilab::controller::SyncResult)
