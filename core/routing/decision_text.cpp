#include "core/routing/decision_text.h"

namespace ilab::routing {

std::string describeAction(const Decision& d) {
    switch (d.action) {
    case Decision::Action::Proxy: {
        std::string s = "Proxy to " + (d.backend ? d.backend->ns : std::string()) + "/" +
                        (d.backend ? d.backend->service : std::string("?")) + ":" + (d.backend ? d.backend->port : std::string());
        if (!d.canary.empty()) s += " (" + d.canary + ")";
        if (d.endpoints) s += ", " + std::to_string(d.endpoints->size()) + " endpoint(s)";
        return s;
    }
    case Decision::Action::Redirect: return "Redirect " + std::to_string(d.status) + " to " + d.location;
    case Decision::Action::Respond:
    default: return "The controller answers " + std::to_string(d.status);
    }
}

}  // namespace ilab::routing
