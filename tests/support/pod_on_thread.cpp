#include "support/pod_on_thread.h"

#include <QMetaObject>

#include "core/backends/simulated_pod.h"

namespace ilab::testing {

PodOnThread::PodOnThread(const std::string& name) {
    m_holder.moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(
        &m_holder,
        [this, name] {
            m_pod = new backends::SimulatedPod({name, "lab", "web", "web", "1"}, {}, 7);
            m_port = m_pod->listen(0);
        },
        Qt::BlockingQueuedConnection);
}

PodOnThread::~PodOnThread() {
    QMetaObject::invokeMethod(&m_holder, [this] { delete m_pod; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

}  // namespace ilab::testing
