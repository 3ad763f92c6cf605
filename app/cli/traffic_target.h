#pragma once

#include <QStringList>

#include <memory>
#include <string>
#include <vector>

#include "core/loadgen/load_config.h"

// `ingress-lab-cli traffic … --target local|cluster` and `--compare` (issue 13): where the traffic goes.
//   local    the workspace's local controller, started in-process on 127.0.0.1 free ports (as `serve` runs it)
//   cluster  the cluster's ingress controller, found by core/kube/controller_target (kubeconfig, context, namespace)
// Either way the URLs keep their host (Host header, SNI) and CURLOPT_CONNECT_TO sends the connections to the
// controller. `--compare` runs the same request set against both and compares them (core/loadgen/comparison).
// Main thread only; blocks on local event loops while it waits.
namespace ilab::cli {

struct TargetOptions {
    std::string target;  // "" (the URLs as given), "local" or "cluster"
    bool compare = false;
    QStringList workspace;    // --workspace PATH (repeatable; "demo"): the local controller's input
    bool autoBackends = false;
    QStringList clusterArgs;  // --kubeconfig / --context / --namespace / --allow-exec-plugin, for the Session
    std::string controllerNamespace = "ingress-nginx";
    double confidence = 0.99;
};

// Consumes the option at args[i] (and its value) when it is one of the above; false when it is not. `error` is
// set (and true returned) for a bad value.
bool parseTargetOption(const QStringList& args, int& i, TargetOptions& o, std::string& error);
// Usage lines for TRAFFIC_USAGE.
extern const char* const TARGET_USAGE;

// A controller the traffic is sent to, alive as long as this object: the in-process local controller, or the
// resolved cluster target.
class ControllerEndpoint {
public:
    virtual ~ControllerEndpoint();
    // CURLOPT_CONNECT_TO entries for these URLs.
    virtual std::vector<std::string> connectTo(const std::vector<loadgen::RequestTarget>& targets) const = 0;
    virtual std::string label() const = 0;   // one line for the summary
    virtual std::string ruleId() const = 0;  // "local" or the resolver's rule id
};

// nullptr after printing the error to stderr.
std::unique_ptr<ControllerEndpoint> openLocalController(const TargetOptions& o);
std::unique_ptr<ControllerEndpoint> openClusterController(const TargetOptions& o,
                                                          const std::vector<loadgen::RequestTarget>& targets);

// Predicted vs observed: runs `cfg` against the local controller, then against the cluster's, prints the
// comparison (text or JSON). Exit code: 0 agree, 1 a disagreement, 2 could not run.
int runComparison(loadgen::LoadConfig cfg, const TargetOptions& o, bool json);

}  // namespace ilab::cli
