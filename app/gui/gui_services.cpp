#include "app/gui/gui_services.h"

#include "app/gui/cluster_session_impl.h"
#include "core/kube/exec_consent.h"

#include "core/controller/local_controller.h"
#include "core/loadgen/load_generator.h"

namespace ilab::app {

namespace {

// Stops `ctl` and deletes it on its own thread (it owns the proxy's workers and the pods thread), then ends and
// joins that thread.
void stopOnItsThread(controller::LocalController* ctl, QThread* thread) {
    QMetaObject::invokeMethod(ctl, [ctl] {
        ctl->stop();
        delete ctl;
    }, Qt::BlockingQueuedConnection);
    thread->quit();
    thread->wait();
}

}  // namespace

GuiServices::GuiServices() {
    m_controlThread.setObjectName(QStringLiteral("ilab-control"));
    auto* ctl = new controller::LocalController;
    ctl->moveToThread(&m_controlThread);
    m_controlThread.start();
    m_services.controller = ctl;
    m_services.loadGenerators = makeLoadGeneratorFactory();
    m_services.controllers = makeLocalControllerFactory();
    m_consent = std::make_unique<kube::ExecConsentStore>();
    m_cluster = std::make_unique<ClusterSessionImpl>(kube::KubeconfigOptions{}, m_consent.get());
    m_services.cluster = m_cluster.get();
}

GuiServices::~GuiServices() {
    m_services.cluster = nullptr;
    m_cluster.reset();
    stopOnItsThread(m_services.controller, &m_controlThread);
    m_services.controller = nullptr;
}

ui::LocalControllerFactory makeLocalControllerFactory() {
    return [] {
        auto* thread = new QThread;
        thread->setObjectName(QStringLiteral("ilab-control-extra"));
        auto* ctl = new controller::LocalController;
        ctl->moveToThread(thread);
        thread->start();
        return std::shared_ptr<controller::LocalController>(ctl, [thread](controller::LocalController* c) {
            stopOnItsThread(c, thread);
            delete thread;
        });
    };
}

ui::LoadGeneratorFactory makeLoadGeneratorFactory() {
    return [](const loadgen::LoadConfig& config) { return std::make_shared<loadgen::LoadGenerator>(config); };
}

}  // namespace ilab::app
