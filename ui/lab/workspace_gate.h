#pragma once

#include <QString>

#include "core/common/diagnostic.h"
#include "core/model/workspace.h"

namespace ilab::ui {

// Whether an edited workspace may reach the running lab. A real controller never sees a half-typed manifest:
// kubectl cannot send YAML that does not parse, and the API server (and the ingress-nginx admission webhook)
// rejects objects that fail validation. So the lab applies a workspace only when it has no YAML syntax error and
// no API-server or admission error; lint findings (a missing Service, a missing Secret) are what a cluster does
// accept, and the lab shows their effect. Returns "" when the workspace may be applied, else one sentence naming
// the first edit held back ("line 23: …") for the lab and the Problems panel. Pure function, any thread.
QString heldBackReason(const model::Workspace& ws, const Diagnostics& diags);

// True for the diagnostics that hold a workspace back (see heldBackReason).
bool holdsBack(const Diagnostic& d);

}  // namespace ilab::ui
