#pragma once

#include <QString>
#include <QStringList>

namespace ilab::ui {

class WorkspaceDocument;

// What "Convert to Gateway API" did to the document.
struct GatewayConversionResult {
    bool converted = false;
    QString error;          // why nothing changed ("" when converted)
    int gateways = 0, routes = 0;
    int firstIndex = -1;    // resource index of the first object added
    QStringList added;      // "HTTPRoute default/version-canary-api-example-com"
    QStringList replaced;   // objects of the same kind/namespace/name the conversion replaced (same undo step)
    QStringList notes;      // every annotation / behaviour the conversion could not carry over
};

// Objects ("Kind ns/name") a conversion of the document's Ingresses would replace: a Gateway or HTTPRoute of the
// same name is already in the workspace (an earlier conversion, maybe edited). The GUI asks before replacing.
QStringList gatewayObjectsToReplace(const WorkspaceDocument& doc);

// "Convert to Gateway API" (issue 14): converts the document's ingress-nginx Ingresses with the core converter
// (gateway::convertIngresses, the same code as `ingress-lab-cli migrate`) and appends the Gateway and HTTPRoutes
// beside the originals as ordinary, editable documents, in one undo step. Same-named objects from an earlier
// conversion are replaced in that step (undo brings them back). The Ingresses are never touched. GUI thread.
GatewayConversionResult convertToGateway(WorkspaceDocument& doc);

}  // namespace ilab::ui
