#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <QThread>

#include "core/backends/pod_behavior.h"
#include "core/common/result.h"
#include "core/model/workspace.h"
#include "core/routing/route_table.h"

namespace ilab::backends {

class SimulatedPod;

// The pods one Deployment wants: what reconcile() needs, derived from the workspace.
struct PodSetSpec {
    std::string ns, deployment;
    int replicas = 1;
    std::string templateHash;   // kubectl-style pod-template-hash (10 chars) of labels + annotations + images
    std::map<std::string, std::string> labels;  // pod template labels
    std::vector<model::ContainerPort> containerPorts;
    std::string version;        // image tag of the first container
    std::string service;        // first Service selecting these pods (for the echo), "" if none
    PodBehavior behavior;
    std::vector<std::string> behaviorProblems;  // bad ingress-lab.dev/ annotations
};

// A pod as the UI and `kubectl get pods` see it.
struct PodInfo {
    enum class Phase { Running, Terminated, Terminating };
    std::string name, ns, deployment, service, version, templateHash;
    std::map<std::string, std::string> labels;
    int port = 0;
    Phase phase = Phase::Running;
    int restarts = 0;
    std::uint64_t requests = 0;
};
const char* toString(PodInfo::Phase p);  // "Running" | "Error" | "Terminating"

struct ReconcileResult {
    std::vector<std::string> created;   // pod names
    std::vector<std::string> removed;   // pods now Terminating (stopped later by retireTerminating())
    std::vector<std::string> problems;  // "Deployment default/web: ingress-lab.dev/latency-ms: invalid value ..."
};

enum class PodError { NotFound, ListenFailed };

// Simulated pods for every Deployment replica (issue 4 item 5). Pods are named <deployment>-<hash>-<n> with the
// pod-template-hash as kubectl shows it, so a template change (new image tag, new annotations) replaces the pods
// (the old ones terminate after the new table is live). Pods live on one shared "pods" QThread owned here; the
// manager's methods are called from one thread at a time (the control thread) and block briefly while the pods
// thread creates or stops a server. Killed pods stay listed (phase Error) and stay endpoints until restarted, as
// a crashed container does before its readiness probe fails — connects are refused, so the proxy answers 502.
class PodManager {
public:
    PodManager();
    ~PodManager();
    PodManager(const PodManager&) = delete;
    PodManager& operator=(const PodManager&) = delete;

    // The pod sets a workspace asks for. `replicaOverrides` ("ns/deployment" -> replicas) is `kubectl scale`.
    static std::vector<PodSetSpec> desiredPods(const model::Workspace& ws,
                                               const std::map<std::string, int>& replicaOverrides = {});

    // Creates missing pods, marks surplus and outdated ones Terminating (still serving in-flight requests).
    ReconcileResult reconcile(const std::vector<PodSetSpec>& desired);
    // Stops Terminating pods after `graceMs` (0 = now). Call once the route table without them is live.
    void retireTerminating(int graceMs);

    Result<bool, PodError> kill(const std::string& podName);
    Result<bool, PodError> restart(const std::string& podName);

    std::vector<PodInfo> pods() const;  // Running and Error pods first (by name), then Terminating
    std::size_t runningCount() const;

    // Endpoints of every Service: its selector's pods (targetPort by number or by named containerPort), or for a
    // Service without a selector the ready addresses of its Endpoints / EndpointSlices.
    routing::EndpointMap endpointMap(const model::Workspace& ws) const;

private:
    struct Entry;
    SimulatedPod* createPod(const PodSetSpec& spec, const std::string& name, std::string* error);
    template <class F>
    void onPodsThread(F&& f);

    QThread m_thread;          // the pods thread
    QObject* m_worker = nullptr;  // lives on m_thread; parent of every SimulatedPod
    mutable std::mutex m_mutex;  // guards m_pods and m_terminating (pods() may be called from any thread)
    std::map<std::string, std::unique_ptr<Entry>> m_pods;  // by pod name
    std::vector<std::unique_ptr<Entry>> m_terminating;
    std::uint64_t m_seed = 0x5eed;
};

// kubectl-style pod-template-hash: 10 characters from [bcdfghjklmnpqrstvwxz2456789].
std::string podTemplateHash(const model::Deployment& d);

}  // namespace ilab::backends
