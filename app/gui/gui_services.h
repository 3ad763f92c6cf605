#pragma once

#include <QThread>

#include <memory>

#include "ui/app_services.h"

namespace ilab::kube {
class ExecConsentStore;
}

namespace ilab::app {

class ClusterSessionImpl;

// The GUI's core services and their threads, created by the composition root (style.md A.2, F.18):
//  - the LocalController, moved to its own control thread "ilab-control" (sync, compile, proxy start/stop and
//    the pods are driven from there; the proxy workers and the pods thread belong to the controller);
//  - the factory for the traffic panel's load generators (each generator owns its libcurl worker thread), and the
//    one for extra local controllers (the Migration view's live run), each with a control thread of its own;
//  - the cluster session (ClusterSessionImpl: kubeconfig from KUBECONFIG / ~/.kube/config, REST client threads of
//    its own) and the exec-plugin consent store it uses (shared with the CLI).
// app/gui/main.cpp creates it before the main window and destroys it after (the window holds non-owning
// pointers); the ui tests and the GUI benchmark create it the same way. Lives on the GUI thread.
// Thread priorities are untouched here: the lab panel lowers the busy threads' nice level once they exist
// (ui/lab/thread_priority.h).
class GuiServices {
public:
    GuiServices();
    // Stops the controller and deletes it on its control thread (it joins the proxy workers and the pods
    // thread there), then ends and joins the control thread.
    ~GuiServices();
    GuiServices(const GuiServices&) = delete;
    GuiServices& operator=(const GuiServices&) = delete;

    // What the windows receive (MainWindow, or a LabPanel / TrafficPanel on its own in tests).
    const ui::AppServices& services() const { return m_services; }

private:
    QThread m_controlThread;
    std::unique_ptr<kube::ExecConsentStore> m_consent;
    std::unique_ptr<ClusterSessionImpl> m_cluster;
    ui::AppServices m_services;  // m_services.controller lives on m_controlThread and is deleted there
};

// The load-generator factory on its own (what GuiServices hands out), for a TrafficPanel without a controller.
ui::LoadGeneratorFactory makeLoadGeneratorFactory();
// Extra local controllers, each on its own control thread (what GuiServices hands out as `controllers`).
ui::LocalControllerFactory makeLocalControllerFactory();

}  // namespace ilab::app
