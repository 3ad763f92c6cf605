#include "core/backends/pod_manager.h"

#include <algorithm>
#include <set>

#include <QMetaObject>
#include <QTimer>

#include "core/backends/simulated_pod.h"

namespace ilab::backends {

struct PodManager::Entry {
    std::string ns, deployment, templateHash;
    std::map<std::string, std::string> labels;
    std::vector<model::ContainerPort> containerPorts;
    PodIdentity identity;
    SimulatedPod* pod = nullptr;  // owned by m_worker (pods thread)
    PodInfo::Phase phase = PodInfo::Phase::Running;
    int restarts = 0;
};

const char* toString(PodInfo::Phase p) {
    switch (p) {
    case PodInfo::Phase::Running: return "Running";
    case PodInfo::Phase::Terminated: return "Error";
    case PodInfo::Phase::Terminating: return "Terminating";
    }
    return "Unknown";
}

namespace {

std::uint64_t fnv1a(std::uint64_t h, const std::string& s) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    h ^= 0xff;  // separator
    h *= 1099511628211ULL;
    return h;
}

}  // namespace

std::string podTemplateHash(const model::Deployment& d) {
    std::uint64_t h = 1469598103934665603ULL;
    for (const auto& [k, v] : d.templateLabels) h = fnv1a(fnv1a(h, k), v);
    for (const auto& [k, v] : d.templateAnnotations) h = fnv1a(fnv1a(h, k), v);
    for (const auto& c : d.containers) {
        h = fnv1a(fnv1a(h, c.name), c.image);
        for (const auto& p : c.ports) h = fnv1a(fnv1a(h, p.name), std::to_string(p.containerPort));
    }
    // kubernetes rand.SafeEncodeString alphabet (no vowels, no confusable characters).
    static const char ALPHABET[] = "bcdfghjklmnpqrstvwxz2456789";
    std::string out;
    for (int i = 0; i < 10; ++i) {
        out.push_back(ALPHABET[h % 27]);
        h /= 27;
        if (h == 0) h = 0x9e3779b97f4a7c15ULL;
    }
    return out;
}

PodManager::PodManager() {
    m_thread.setObjectName(QStringLiteral("ilab-pods"));
    m_worker = new QObject;
    m_worker->moveToThread(&m_thread);
    m_thread.start();
}

PodManager::~PodManager() {
    QObject* worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker] { delete worker; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

template <class F>
void PodManager::onPodsThread(F&& f) {
    if (QThread::currentThread() == &m_thread) f();
    else QMetaObject::invokeMethod(m_worker, std::forward<F>(f), Qt::BlockingQueuedConnection);
}

std::vector<PodSetSpec> PodManager::desiredPods(const model::Workspace& ws, const std::map<std::string, int>& overrides) {
    std::vector<PodSetSpec> out;
    const auto services = ws.all<model::Service>();
    for (const model::Deployment* d : ws.all<model::Deployment>()) {
        PodSetSpec s;
        s.ns = d->meta.ns;
        s.deployment = d->meta.name;
        const auto ov = overrides.find(d->meta.qualifiedName());
        s.replicas = std::max(0, ov != overrides.end() ? ov->second : d->replicas);
        s.templateHash = podTemplateHash(*d);
        s.labels = d->templateLabels;
        for (const auto& c : d->containers)
            for (const auto& p : c.ports) s.containerPorts.push_back(p);
        s.version = d->containers.empty() ? std::string("latest") : d->containers.front().imageTag();
        if (s.version.empty()) s.version = "latest";
        for (const model::Service* svc : services) {
            if (svc->meta.ns != s.ns || !svc->hasSelector || svc->selector.empty()) continue;
            if (model::selectorMatches(svc->selector, s.labels)) {
                s.service = svc->meta.name;
                break;
            }
        }
        s.behavior = parsePodBehavior(d->templateAnnotations, &s.behaviorProblems);
        out.push_back(std::move(s));
    }
    return out;
}

SimulatedPod* PodManager::createPod(const PodSetSpec& spec, const std::string& name, std::string* error) {
    PodIdentity id{name, spec.ns, spec.service, spec.deployment, spec.version};
    SimulatedPod* pod = nullptr;
    const std::uint64_t seed = m_seed++;
    QObject* worker = m_worker;
    onPodsThread([&] {
        pod = new SimulatedPod(id, spec.behavior, seed, worker);
        if (pod->listen(0, error) == 0) {
            delete pod;
            pod = nullptr;
        }
    });
    return pod;
}

ReconcileResult PodManager::reconcile(const std::vector<PodSetSpec>& desired) {
    ReconcileResult result;
    std::set<std::string> wanted;
    for (const auto& spec : desired) {
        for (const auto& p : spec.behaviorProblems)
            result.problems.push_back("Deployment " + spec.ns + "/" + spec.deployment + ": " + p);
        for (int i = 0; i < spec.replicas; ++i) {
            const std::string name = spec.deployment + "-" + spec.templateHash + "-" + std::to_string(i);
            // Pod names are unique per namespace; the map is keyed by ns/name.
            const std::string key = spec.ns + "/" + name;
            wanted.insert(key);
            {
                std::lock_guard lock(m_mutex);
                auto it = m_pods.find(key);
                if (it != m_pods.end()) {
                    Entry& e = *it->second;
                    // Same template hash, so same behaviour; only the Service it reports may change.
                    if (e.identity.service != spec.service) {
                        e.identity.service = spec.service;
                        PodIdentity id = e.identity;
                        SimulatedPod* pod = e.pod;
                        onPodsThread([pod, id] { pod->setIdentity(id); });
                    }
                    continue;
                }
            }
            std::string error;
            SimulatedPod* pod = createPod(spec, name, &error);
            if (!pod) {
                result.problems.push_back("Pod " + spec.ns + "/" + name + ": cannot listen on 127.0.0.1: " + error);
                continue;
            }
            auto e = std::make_unique<Entry>();
            e->ns = spec.ns;
            e->deployment = spec.deployment;
            e->templateHash = spec.templateHash;
            e->labels = spec.labels;
            e->containerPorts = spec.containerPorts;
            e->identity = PodIdentity{name, spec.ns, spec.service, spec.deployment, spec.version};
            e->pod = pod;
            std::lock_guard lock(m_mutex);
            m_pods.emplace(key, std::move(e));
            result.created.push_back(name);
        }
    }
    std::lock_guard lock(m_mutex);
    for (auto it = m_pods.begin(); it != m_pods.end();) {
        if (wanted.count(it->first)) {
            ++it;
            continue;
        }
        result.removed.push_back(it->second->identity.podName);
        it->second->phase = PodInfo::Phase::Terminating;
        m_terminating.push_back(std::move(it->second));
        it = m_pods.erase(it);
    }
    return result;
}

void PodManager::retireTerminating(int graceMs) {
    std::vector<std::unique_ptr<Entry>> done;
    {
        std::lock_guard lock(m_mutex);
        done.swap(m_terminating);
    }
    if (done.empty()) return;
    std::vector<SimulatedPod*> pods;
    for (auto& e : done) pods.push_back(e->pod);
    onPodsThread([pods, graceMs] {
        for (SimulatedPod* p : pods) {
            if (graceMs <= 0) {
                delete p;
            } else {
                // Grace period: connections the proxy already holds finish their requests.
                QTimer::singleShot(graceMs, p, [p] {
                    p->stop();
                    p->deleteLater();
                });
            }
        }
    });
}

Result<bool, PodError> PodManager::kill(const std::string& podName) {
    std::lock_guard lock(m_mutex);
    for (auto& [key, e] : m_pods) {
        if (e->identity.podName != podName && key != podName) continue;
        SimulatedPod* pod = e->pod;
        onPodsThread([pod] { pod->stop(); });
        e->phase = PodInfo::Phase::Terminated;
        return true;
    }
    return Result<bool, PodError>::fail(PodError::NotFound, "pods \"" + podName + "\" not found");
}

Result<bool, PodError> PodManager::restart(const std::string& podName) {
    std::lock_guard lock(m_mutex);
    for (auto& [key, e] : m_pods) {
        if (e->identity.podName != podName && key != podName) continue;
        SimulatedPod* pod = e->pod;
        int port = 0;
        std::string error;
        // Back on the same port when it is still free, as a restarted container keeps its pod IP.
        onPodsThread([pod, &port, &error] {
            pod->stop();
            port = pod->listen(pod->port(), &error);
        });
        if (port == 0) {
            e->phase = PodInfo::Phase::Terminated;
            return Result<bool, PodError>::fail(PodError::ListenFailed, "pod " + podName + ": " + error);
        }
        e->phase = PodInfo::Phase::Running;
        ++e->restarts;
        return true;
    }
    return Result<bool, PodError>::fail(PodError::NotFound, "pods \"" + podName + "\" not found");
}

std::vector<PodInfo> PodManager::pods() const {
    std::vector<PodInfo> out;
    auto info = [](const Entry& e) {
        PodInfo i;
        i.name = e.identity.podName;
        i.ns = e.ns;
        i.deployment = e.deployment;
        i.service = e.identity.service;
        i.version = e.identity.version;
        i.templateHash = e.templateHash;
        i.labels = e.labels;
        i.port = e.pod->port();
        i.phase = e.phase;
        i.restarts = e.restarts;
        i.requests = e.pod->requestsServed();
        return i;
    };
    std::lock_guard lock(m_mutex);
    for (const auto& [k, e] : m_pods) out.push_back(info(*e));
    for (const auto& e : m_terminating) out.push_back(info(*e));
    return out;
}

std::size_t PodManager::runningCount() const {
    std::lock_guard lock(m_mutex);
    return static_cast<std::size_t>(std::count_if(m_pods.begin(), m_pods.end(), [](const auto& kv) {
        return kv.second->phase == PodInfo::Phase::Running;
    }));
}

routing::EndpointMap PodManager::endpointMap(const model::Workspace& ws) const {
    routing::EndpointMap map;
    std::lock_guard lock(m_mutex);
    for (const model::Service* svc : ws.all<model::Service>()) {
        const std::string& ns = svc->meta.ns;
        for (const model::ServicePort& sp : svc->ports) {
            auto& list = map[routing::EndpointKey{ns, svc->meta.name, sp.port}];
            if (svc->hasSelector && !svc->selector.empty()) {
                for (const auto& [key, e] : m_pods) {
                    if (e->ns != ns || !model::selectorMatches(svc->selector, e->labels)) continue;
                    if (sp.targetPort.name) {
                        const bool named = std::any_of(e->containerPorts.begin(), e->containerPorts.end(),
                                                       [&](const model::ContainerPort& cp) { return cp.name == *sp.targetPort.name; });
                        if (!named) continue;  // Kubernetes leaves such a pod out of the Service's endpoints
                    }
                    list.push_back(routing::Endpoint{"127.0.0.1", e->pod->port(), e->identity.podName});
                }
                continue;
            }
            // No selector: the addresses the user listed (an app already running on this machine).
            auto portMatches = [&](const std::vector<model::EndpointPort>& ports) -> int {
                if (ports.size() == 1 && (ports[0].name.empty() || ports[0].name == sp.name)) return ports[0].port;
                for (const auto& p : ports)
                    if (!sp.name.empty() && p.name == sp.name) return p.port;
                return 0;
            };
            auto add = [&](const std::string& ip, int port) {
                routing::Endpoint ep{ip, port, ""};
                if (std::find(list.begin(), list.end(), ep) == list.end()) list.push_back(ep);
            };
            if (const model::Endpoints* eps = ws.endpoints(ns, svc->meta.name)) {
                for (const auto& subset : eps->subsets) {
                    const int port = portMatches(subset.ports);
                    if (port <= 0) continue;
                    for (const auto& a : subset.addresses)
                        if (a.ready && !a.ip.empty()) add(a.ip, port);
                }
            }
            for (const model::EndpointSlice* slice : ws.endpointSlices(ns, svc->meta.name)) {
                const int port = portMatches(slice->ports);
                if (port <= 0) continue;
                for (const auto& a : slice->endpoints)
                    if (a.ready && !a.ip.empty()) add(a.ip, port);
            }
        }
    }
    return map;
}

}  // namespace ilab::backends
