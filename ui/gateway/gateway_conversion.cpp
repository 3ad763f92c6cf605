#include "ui/gateway/gateway_conversion.h"

#include <algorithm>

#include <QUndoStack>
#include <yaml-cpp/yaml.h>

#include "core/gateway/ingress_converter.h"
#include "ui/document/workspace_document.h"

namespace ilab::ui {

namespace {

struct Converted {
    std::vector<YAML::Node> nodes;
    gateway::Conversion conversion;
    QString error;
};

QString str(const YAML::Node& n) { return n && n.IsScalar() ? QString::fromStdString(n.Scalar()) : QString(); }

QString objectName(const YAML::Node& n) {
    return str(n["kind"]) + QLatin1Char(' ') + str(n["metadata"]["namespace"]) + QLatin1Char('/') + str(n["metadata"]["name"]);
}

Converted convert(const WorkspaceDocument& doc) {
    Converted c;
    for (const auto& d : doc.workspace().loadDiagnostics)
        if (d.code == DiagCode::Syntax) {
            c.error = QObject::tr("The YAML has a syntax problem (line %1): fix it first, then convert.").arg(d.pos ? d.pos->line : 0);
            return c;
        }
    if (doc.workspace().all<model::Ingress>().empty()) {
        c.error = QObject::tr("The workspace has no Ingress to convert.");
        return c;
    }
    c.conversion = gateway::convertIngresses(doc.workspace());
    try {
        for (const auto& n : YAML::LoadAll(c.conversion.yaml))
            if (n.IsMap()) c.nodes.push_back(n);
    } catch (const YAML::Exception& e) {
        c.error = QObject::tr("The converter produced YAML that does not parse: %1").arg(QString::fromStdString(e.what()));
        c.nodes.clear();
        return c;
    }
    if (c.nodes.empty()) c.error = QObject::tr("No Ingress of class nginx to convert (the converter takes ingress-nginx Ingresses).");
    return c;
}

std::vector<int> existing(const WorkspaceDocument& doc, const std::vector<YAML::Node>& nodes, QStringList* names) {
    std::vector<int> out;
    for (const auto& n : nodes) {
        const int i = doc.indexOf(str(n["kind"]).toStdString(), str(n["metadata"]["namespace"]).toStdString(),
                                  str(n["metadata"]["name"]).toStdString());
        if (i < 0) continue;
        out.push_back(i);
        if (names) *names << objectName(n);
    }
    return out;
}

}  // namespace

QStringList gatewayObjectsToReplace(const WorkspaceDocument& doc) {
    QStringList names;
    const Converted c = convert(doc);
    existing(doc, c.nodes, &names);
    return names;
}

GatewayConversionResult convertToGateway(WorkspaceDocument& doc) {
    GatewayConversionResult res;
    if (doc.isParsePending()) doc.reparseNow();
    const Converted c = convert(doc);
    for (const auto& n : c.conversion.notes) res.notes << QString::fromStdString(n);
    if (!c.error.isEmpty()) {
        res.error = c.error;
        return res;
    }
    std::vector<int> replace = existing(doc, c.nodes, &res.replaced);
    std::sort(replace.rbegin(), replace.rend());  // remove from the end: earlier indexes stay valid
    replace.erase(std::unique(replace.begin(), replace.end()), replace.end());
    const QString description = QObject::tr("Convert to Gateway API");
    doc.undoStack()->beginMacro(description);
    for (int i : replace) doc.removeResource(i, description);
    const int before = static_cast<int>(doc.workspace().resources.size());
    res.firstIndex = doc.appendResources(c.nodes, description);
    doc.undoStack()->endMacro();
    if (res.firstIndex < 0 || static_cast<int>(doc.workspace().resources.size()) < before + static_cast<int>(c.nodes.size())) {
        // the text did not take the new documents (a syntax error elsewhere): give the user's text back
        doc.undoStack()->undo();
        res.firstIndex = -1;
        res.error = QObject::tr("The converted objects could not be added: fix the YAML syntax problems first.");
        return res;
    }
    res.converted = true;
    res.gateways = c.conversion.gateways;
    res.routes = c.conversion.routes;
    for (const auto& n : c.nodes) res.added << objectName(n);
    return res;
}

}  // namespace ilab::ui
