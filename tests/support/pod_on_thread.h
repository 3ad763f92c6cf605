#pragma once

#include <QObject>
#include <QThread>

#include <string>

namespace ilab::backends {
class SimulatedPod;
}

// A simulated pod (core/backends SimulatedPod, namespace "lab", Service "web") listening on 127.0.0.1:port, served
// from its own thread: the test thread may block (kubectl, curl, waitFor*) while the pod answers, as a stand-in
// kubelet's port-forward target must.
namespace ilab::testing {

class PodOnThread {
public:
    explicit PodOnThread(const std::string& name);
    ~PodOnThread();
    PodOnThread(const PodOnThread&) = delete;
    PodOnThread& operator=(const PodOnThread&) = delete;

    int port() const { return m_port; }

private:
    QThread m_thread;
    QObject m_holder;  // lives on m_thread; the pod is created there (its server must belong to that thread)
    backends::SimulatedPod* m_pod = nullptr;
    int m_port = 0;
};

}  // namespace ilab::testing
