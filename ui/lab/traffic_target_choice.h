#pragma once

#include <QTimer>
#include <QWidget>

#include <functional>
#include <optional>
#include <vector>

#include "core/kube/controller_target.h"
#include "core/loadgen/load_config.h"
#include "ui/app_services.h"

class QComboBox;
class QLabel;

namespace ilab::ui {

class ClusterSession;
class CompareRunner;

// Where a traffic run goes (issue 13 item 2), for the traffic panel's "Send to" row.
struct TrafficDestination {
    bool remote = false;        // the cluster's ingress controller, not the lab's local controller
    loadgen::LoadConfig config; // what to run (remote: default ports, CURLOPT_CONNECT_TO to the controller)
    QString label;              // "the cluster's ingress controller at 127.0.0.2:80/443 (ingress-status)"
    QString error;              // the run cannot go there (no controller found yet, ...)
};

// "Send to: Local controller / Cluster ingress controller (<rule that chose it>)", shown while a cluster session
// is connected. The cluster's controller is found exactly as the Compare tab and `ingress-lab-cli traffic --target
// cluster` find it (core/kube/controller_target through CompareRunner::resolve: Ingress status, controller Service,
// hostPort / kind mappings, and the native port-forward to the controller pod as the fallback); requests keep their
// real Host and SNI (CURLOPT_CONNECT_TO). Resolved again on connect and when the namespace's Ingresses or
// Services change (debounced), like the Compare tab; its own resolver, so a comparison does not close this one's
// port-forward tunnels.
//
// Thread: GUI thread. Owned by the lab (a child widget of the traffic panel's row).
class TrafficTargetChoice : public QWidget {
    Q_OBJECT
public:
    TrafficTargetChoice(ClusterSession* session, LoadGeneratorFactory generators, QWidget* parent = nullptr);
    ~TrafficTargetChoice() override;

    // The traffic panel's current requests (their hosts pick the Ingress whose status counts).
    void setTargetsProvider(std::function<std::vector<loadgen::RequestTarget>()> targets);
    // The run for the panel's config: local (unchanged) unless the cluster is selected.
    TrafficDestination destinationFor(const loadgen::LoadConfig& panelConfig) const;

    bool isClusterSelected() const;
    // Selects the cluster's controller (true) or the local one. The cluster entry can be selected only once found.
    bool selectCluster(bool cluster);
    bool isClusterAvailable() const { return m_target.has_value(); }
    QString clusterText() const;  // the combo's cluster entry ("Cluster ingress controller (ingress-status: ...)")
    QString resolutionText() const { return m_resolution; }  // the resolver's full sentence (tooltip)
    void resolveNow();

signals:
    void selectionChanged(bool cluster);

private:
    void onResolved(const QString& description, bool available);
    void updateVisibility();

    ClusterSession* m_session;
    CompareRunner* m_resolver = nullptr;
    std::function<std::vector<loadgen::RequestTarget>()> m_targets;
    std::optional<kube::ControllerTarget> m_target;
    QString m_resolution;
    QComboBox* m_combo = nullptr;
    QTimer m_resolveTimer;
};

}  // namespace ilab::ui
