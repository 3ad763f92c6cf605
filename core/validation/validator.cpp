#include "core/validation/validator.h"

namespace ilab::validation {

Diagnostics validate(const model::Workspace& ws, const ValidationOptions&) {
    return ws.loadDiagnostics;
}

}  // namespace ilab::validation
