#pragma once

#include <QObject>
#include <QString>

#include <memory>
#include <vector>

#include "core/loadgen/comparison.h"
#include "core/model/workspace.h"
#include "core/routing/request.h"
#include "ui/app_services.h"

namespace ilab::ui {

struct MigrationLiveJob;

// The Migration view's live run (issue 14 item 4, "live, the lab sends the same traffic to both and charts them side
// by side"): two local controllers on free 127.0.0.1 ports, one with the ingress-nginx profile on the workspace's
// Ingresses and one with the gateway profile on its Gateway API objects (the converted ones), the same requests
// (the migration check's corpus) sent to each by real libcurl traffic, and the two runs compared per request with
// loadgen::compareRuns — the comparison "Predicted vs observed" makes, with ingress-nginx as the prediction.
// The controllers come from the composition root's factory and are stopped once the traffic is done.
// GUI thread; the traffic and the witnesses run on a pool job, results come back queued.
class MigrationLive : public QObject {
    Q_OBJECT
public:
    MigrationLive(LocalControllerFactory controllers, LoadGeneratorFactory generators, QObject* parent = nullptr);
    ~MigrationLive() override;

    // The requests as the load generator sends them (a body of contentLength bytes where the corpus has one).
    static std::vector<loadgen::RequestTarget> targetsOf(const std::vector<routing::RequestView>& corpus);

    // Starts both controllers, sends `requestsPerTarget` of each corpus request to each, compares; emits finished
    // or failed. `gatewaySide` holds the Gateway API objects (and may hold the Ingresses too: the gateway profile
    // routes only Gateway API objects).
    void run(const model::Workspace& ingresses, const model::Workspace& gatewaySide,
             const std::vector<routing::RequestView>& corpus, int requestsPerTarget = 100);
    bool isRunning() const { return m_running; }

signals:
    void progress(const QString& what);
    void finished(const ilab::loadgen::Comparison& comparison);
    void failed(const QString& message);

private:
    void onStarted();
    void fail(const QString& message);
    void release();

    LocalControllerFactory m_controllers;
    LoadGeneratorFactory m_generators;
    std::shared_ptr<MigrationLiveJob> m_job;
    bool m_running = false;
    quint64 m_generation = 0;
};

}  // namespace ilab::ui
