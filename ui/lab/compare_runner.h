#pragma once

#include <QObject>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

#include "core/kube/controller_target.h"
#include "core/loadgen/comparison.h"
#include "core/loadgen/load_config.h"
#include "ui/app_services.h"

namespace ilab::kube {
class PortForward;
}

namespace ilab::ui {

class ClusterSession;
struct CompareJob;

// Runs "Predicted vs observed" for the lab (issue 13 item 3), the GUI twin of `ingress-lab-cli traffic --compare`:
// finds the cluster's ingress controller (core/kube/controller_target: collectClusterView through the session's
// REST client, targetCandidates, chooseTarget with the TCP probe; a controller only reachable through a
// port-forward gets two native port-forwards to its pod), then sends the same request set to the lab's local
// controller (the prediction) and to that controller (the observation), one run after the other, each with its
// CURLOPT_CONNECT_TO entries so Host and SNI stay real, sends one witness request per route and side, and compares
// them (loadgen::compareRuns). The URLs are the traffic panel's with the default ports (the route labels read
// "GET http://api.example.com/version" as in the CLI).
//
// Thread: GUI thread. The load runs are LoadGenerators from the composition root's factory (their own libcurl
// threads); the probe, the witnesses and the comparison run on QThreadPool jobs; results come back queued.
class CompareRunner : public QObject {
    Q_OBJECT
public:
    CompareRunner(ClusterSession* session, LoadGeneratorFactory generators, QObject* parent = nullptr);
    ~CompareRunner() override;

    // Finds the cluster's controller for these requests' hosts; emits targetResolved.
    void resolve(const std::vector<loadgen::RequestTarget>& targets);
    // Resolves, then runs `config` (the traffic panel's) against 127.0.0.1:localHttpPort/localHttpsPort and the
    // cluster's controller; emits finished or failed.
    void run(const loadgen::LoadConfig& config, int localHttpPort, int localHttpsPort, double confidence = 0.99);
    bool isRunning() const { return m_running; }
    const std::optional<kube::ControllerTarget>& target() const { return m_target; }

    // The traffic panel's targets with default ports and without --resolve entries (pure).
    static loadgen::LoadConfig canonicalConfig(const loadgen::LoadConfig& config);

signals:
    // "127.0.0.1:80/443 (ingress-status): …", or why there is none (available false).
    void targetResolved(const QString& description, bool available);
    void finished(const ilab::loadgen::Comparison& comparison);
    void failed(const QString& message);

private:
    void resolveThen(const std::vector<loadgen::RequestTarget>& targets, std::function<void()> next);
    void onChosen(kube::TargetResolution resolution, std::function<void()> next);
    void runSides(loadgen::LoadConfig config, int localHttpPort, int localHttpsPort, double confidence);
    void fail(const QString& message);

    ClusterSession* m_session;
    LoadGeneratorFactory m_generators;
    std::optional<kube::ControllerTarget> m_target;
    std::vector<std::unique_ptr<kube::PortForward>> m_forwards;  // the port-forward fallback's tunnels
    std::shared_ptr<CompareJob> m_job;  // the run in progress (its pool job holds it too)
    bool m_running = false;
    quint64 m_generation = 0;
};

}  // namespace ilab::ui
