#pragma once

#include <functional>
#include <memory>

namespace ilab::controller {
class LocalController;
}
namespace ilab::loadgen {
class LoadGenerator;
struct LoadConfig;
}  // namespace ilab::loadgen

namespace ilab::ui {

class ClusterSession;

// Makes the load generator for one traffic run (a loadgen::LoadGenerator takes its config when it is built and
// runs once). Called on the GUI thread; the generator's libcurl worker thread belongs to the generator.
using LoadGeneratorFactory = std::function<std::shared_ptr<loadgen::LoadGenerator>(const loadgen::LoadConfig&)>;

// Makes an extra local controller (the Migration view's live run: one per profile), stopped, already living on a
// control thread of its own. Call it only through queued invokeMethod; dropping the last reference stops it and
// deletes it on that thread, then joins the thread (do that on the GUI thread, never on the control thread).
using LocalControllerFactory = std::function<std::shared_ptr<controller::LocalController>()>;

// The core services the windows work with, created by the composition root (app/gui/, style.md A.2) and handed
// to MainWindow, which passes them on to the lab. ui/ never creates these itself. Everything here is
// non-owning: the composition root creates the services before the windows and destroys them after.
struct AppServices {
    // The local controller, stopped, already living on its own control thread (never the GUI thread). The
    // lab's ControllerLink is its only user; every call into it is queued to that thread.
    controller::LocalController* controller = nullptr;
    // The traffic panel's load generators.
    LoadGeneratorFactory loadGenerators;
    // Extra local controllers (null: the feature that needs them is not offered).
    LocalControllerFactory controllers;
    // The session with a Kubernetes cluster (minikube / kind). Null until the cluster layer provides one.
    ClusterSession* cluster = nullptr;
};

}  // namespace ilab::ui
