#include "app/gui/gui_services.h"

#include "app/gui/cluster_session_impl.h"
#include "core/kube/exec_consent.h"

#include "core/controller/local_controller.h"
#include "core/loadgen/load_generator.h"

namespace ilab::app {

GuiServices::GuiServices() {
    m_controlThread.setObjectName(QStringLiteral("ilab-control"));
    auto* ctl = new controller::LocalController;
    ctl->moveToThread(&m_controlThread);
    m_controlThread.start();
    m_services.controller = ctl;
    m_services.loadGenerators = makeLoadGeneratorFactory();
    m_consent = std::make_unique<kube::ExecConsentStore>();
    m_cluster = std::make_unique<ClusterSessionImpl>(kube::KubeconfigOptions{}, m_consent.get());
    m_services.cluster = m_cluster.get();
}

GuiServices::~GuiServices() {
    m_services.cluster = nullptr;
    m_cluster.reset();
    auto* ctl = m_services.controller;
    // Stop and delete the controller on its own thread (it owns the proxy's workers and the pods thread), and
    // only then end that thread.
    QMetaObject::invokeMethod(ctl, [ctl] {
        ctl->stop();
        delete ctl;
    }, Qt::BlockingQueuedConnection);
    m_services.controller = nullptr;
    m_controlThread.quit();
    m_controlThread.wait();
}

ui::LoadGeneratorFactory makeLoadGeneratorFactory() {
    return [](const loadgen::LoadConfig& config) { return std::make_shared<loadgen::LoadGenerator>(config); };
}

}  // namespace ilab::app
