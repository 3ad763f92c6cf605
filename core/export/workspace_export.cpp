#include "core/export/workspace_export.h"

#include "core/lessons/generated_secrets.h"
#include "core/validation/validator.h"
#include "core/yaml/yaml_reader.h"
#include "core/yaml/yaml_writer.h"

namespace ilab::exporting {

bool ExportResult::isKubectlReady() const { return !hasErrors(check); }

ExportResult exportWorkspace(const model::Workspace& ws, const ExportOptions& options) {
    model::Workspace out = ws.clone();
    out.loadDiagnostics.clear();
    std::vector<model::Resource> kept;
    for (auto& r : out.resources) {
        if (options.ingressesOnly && r.kind != "Ingress") continue;
        if (options.withoutSecrets && r.kind == "Secret") continue;
        kept.push_back(std::move(r));
    }
    out.resources = std::move(kept);
    ExportResult result;
    if (!options.includeGeneratedKeys) result.withheldKeys = lessons::withholdGeneratedKeys(out);
    result.objects = out.resources.size();
    result.text = options.format == ExportOptions::Format::Json ? yaml::toJson(out) : yaml::toYaml(out);

    // the check reads back exactly what was written, as kubectl would
    model::Workspace readBack;
    yaml::readText(result.text, options.format == ExportOptions::Format::Json ? "export.json" : "export.yaml", readBack);
    validation::ValidationOptions vo;
    vo.lint = false;
    result.check = validation::validate(readBack, vo);
    // the source had parts that did not parse: they are not in the export, which kubectl would not know
    for (const auto& d : ws.loadDiagnostics)
        if (d.severity == Severity::Error) result.check.push_back(d);
    return result;
}

}  // namespace ilab::exporting
