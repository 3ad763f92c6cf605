#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/loadgen/comparison.h"
#include "core/loadgen/load_config.h"

namespace ilab::loadgen {

class LoadGenerator;

// The same request set through two controllers, one after the other, and their comparison: what "Predicted vs
// observed" (the lab against the cluster's controller) and the Migration view's live run (ingress-nginx on the
// Ingresses against Gateway API on the converted objects) both do. Each side runs `config` with its own
// CURLOPT_CONNECT_TO entries (Host and SNI stay real), then one witness request per target and side, then
// compareRuns. `config.recordLimit` is raised to cover every request (the per-route figures come from records).
//
// Blocking: call it off the GUI thread (a pool job, the CLI's main). `makeGenerator` builds each run's generator;
// `current` is told each generator before it starts and may return false to cancel (the owner went away), and is
// told nullptr when the runs are over.
struct SideBySideOutcome {
    std::shared_ptr<Comparison> comparison;  // null on error or cancel
    std::string error;                       // why a side could not run
    bool cancelled = false;
};
using GeneratorMaker = std::function<std::shared_ptr<LoadGenerator>(const LoadConfig&)>;
SideBySideOutcome runSideBySide(LoadConfig config, const SideConnection& predicted, const SideConnection& observed,
                                const GeneratorMaker& makeGenerator,
                                const std::function<bool(const std::shared_ptr<LoadGenerator>&)>& current,
                                double confidence = 0.99);

}  // namespace ilab::loadgen
