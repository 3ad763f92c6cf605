#pragma once

#include <string>

#include "core/routing/decision.h"

namespace ilab::routing {

// The explainer's one-line words for a decision, shared by the GUI explainer and the lesson checks
// ("Proxy to default/agent-test:80 (canary), 1 endpoint(s)", "Redirect 308 to https://…", "The controller
// answers 503"). Pure; any thread.
std::string describeAction(const Decision& d);

}  // namespace ilab::routing
